import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine } from '../shared/command-line.js';

/**
 * Why keytar (the optional dependency that reaches the OS keychain) is not usable, and the one
 * command that fixes it. npm drops an optional dependency whose build failed without a word, so
 * the install check (scripts/check-keytar.mjs, run by `npm install`) and `inlet doctor` ask here.
 *
 * keytar builds from source with node-gyp when no prebuilt binary can be downloaded. What it
 * needs, in the order checked: libsecret's development files (Linux), a C++ compiler, make and
 * Python, and Node's headers, which node-gyp downloads from nodejs.org unless a `nodedir` line in
 * .npmrc (or npm_config_nodedir) names local ones (Debian's and NodeSource's nodejs ship them in
 * /usr/include/node).
 */
export interface KeytarProblem {
  /** What is missing, as a phrase: "libsecret's development files (libsecret-1-dev)". */
  missing: string;
  /** The one command that fixes it, ready to paste. */
  fix: string;
}

export interface BuildEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The running Node's version without the v: node-gyp needs headers of exactly this one. */
  nodeVersion: string;
  /** Where `npm install` must run again (this installation's folder). */
  projectDir: string;
  /** Imports keytar; rejects as the import would. */
  load(): Promise<unknown>;
  /** Is this command on PATH? */
  has(command: string): boolean;
  /** Runs a command, for its exit status. */
  succeeds(command: string, args: string[]): boolean;
  exists(path: string): boolean;
}

const KEYTAR = 'keytar';

/** This machine; `overrides` replace parts of it (tests give another environment or loader). */
export function realBuildEnvironment(overrides: Partial<BuildEnvironment> = {}): BuildEnvironment {
  const env = overrides.env ?? process.env;
  const windows = process.platform === 'win32';
  return {
    platform: process.platform,
    env,
    nodeVersion: process.versions.node,
    projectDir: fileURLToPath(new URL('../../../', import.meta.url)).replace(/[\\/]$/, ''),
    // A specifier in a variable keeps tsc from resolving it: keytar may be absent at build time.
    load: () => import(KEYTAR),
    has: (command) => spawnSync(windows ? 'where' : 'sh', windows ? [command] : ['-c', `command -v ${command}`], { env, stdio: 'ignore' }).status === 0,
    succeeds: (command, args) => spawnSync(command, args, { env, stdio: 'ignore' }).status === 0,
    exists: existsSync,
    ...overrides,
  };
}

/** Undefined when keytar loads; else what is missing and how to fix it. */
export async function keytarProblem(build: BuildEnvironment = realBuildEnvironment()): Promise<KeytarProblem | undefined> {
  try {
    await build.load();
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return loadProblem(error as Error, build);
  }
  const install = `cd ${quote(build.projectDir)} && npm install`;
  const root = rootPrefix(build);
  if (build.platform === 'linux' && !libsecretPresent(build)) {
    const pkg = packageCommand(build, { apt: 'libsecret-1-dev', dnf: 'libsecret-devel', pacman: 'libsecret', zypper: 'libsecret-devel' });
    return { missing: "libsecret's development files (libsecret-1-dev), which keytar compiles against", fix: pkg ? `${root}${pkg} && ${install}` : `install libsecret's development files, then ${install}` };
  }
  const tools = build.platform === 'win32' ? [] : ['make', build.platform === 'darwin' ? 'clang++' : 'g++', 'python3'].filter((tool) => !build.has(tool));
  if (tools.length > 0) {
    if (build.platform === 'darwin') return { missing: `the command line developer tools (${tools.join(', ')})`, fix: `xcode-select --install && ${install}` };
    const pkg = packageCommand(build, { apt: 'build-essential python3', dnf: 'gcc-c++ make python3', pacman: 'base-devel python', zypper: 'gcc-c++ make python3' });
    return { missing: `a C++ build toolchain (${tools.join(', ')} not found)`, fix: pkg ? `${root}${pkg} && ${install}` : `install ${tools.join(', ')}, then ${install}` };
  }
  if (!headersAvailable(build)) {
    const local = debianHeaders(build);
    return {
      missing: `Node's headers for v${build.nodeVersion}: npm's nodedir is not set and node-gyp has none cached, so it downloads them from nodejs.org`,
      // npm 11 refuses `npm config set nodedir` (not an npm option), but passes a nodedir line of
      // .npmrc on to node-gyp as npm_config_nodedir.
      fix: local ? `echo nodedir=${local} >> ~/.npmrc && ${install}` : `${install} where nodejs.org is reachable (or add nodedir=<a Node ${build.nodeVersion} headers dir> to ~/.npmrc)`,
    };
  }
  return { missing: 'keytar, whose build failed for a reason not detected here', fix: `${install} --foreground-scripts (it shows node-gyp's output)` };
}

/** keytar is there but its native module does not load. */
function loadProblem(error: Error, build: BuildEnvironment): KeytarProblem {
  const message = error.message.split('\n')[0] ?? '';
  const rebuild = `cd ${quote(build.projectDir)} && npm rebuild keytar`;
  if (/libsecret-1\.so/.test(message)) {
    const pkg = packageCommand(build, { apt: 'libsecret-1-0', dnf: 'libsecret', pacman: 'libsecret', zypper: 'libsecret-1-0' });
    return { missing: 'the libsecret library that keytar was built against', fix: pkg ? `${rootPrefix(build)}${pkg}` : 'install libsecret' };
  }
  if (/NODE_MODULE_VERSION|compiled against a different Node/i.test(message)) {
    return { missing: `a keytar built for this Node (v${build.nodeVersion}); the one installed was built for another`, fix: rebuild };
  }
  return { missing: `a keytar native module that loads (${message})`, fix: `${rebuild} --foreground-scripts` };
}

function libsecretPresent(build: BuildEnvironment): boolean {
  // keytar's binding.gyp asks pkg-config for libsecret-1, so that is what must answer.
  return build.has('pkg-config') && build.succeeds('pkg-config', ['--exists', 'libsecret-1']);
}

/** Does node-gyp have headers without downloading: npm's nodedir, or its own cache? */
function headersAvailable(build: BuildEnvironment): boolean {
  const nodedir = build.env.npm_config_nodedir;
  if (nodedir && build.exists(join(nodedir, 'include', 'node', 'node_version.h'))) return true;
  return build.exists(join(nodeGypCache(build), build.nodeVersion, 'include', 'node', 'common.gypi'));
}

/** node-gyp's download cache (its --devdir default, from env-paths). */
function nodeGypCache(build: BuildEnvironment): string {
  const env = build.env;
  if (env.npm_config_devdir) return env.npm_config_devdir;
  const home = env.HOME || env.USERPROFILE || homedir();
  if (build.platform === 'darwin') return join(home, 'Library', 'Caches', 'node-gyp');
  if (build.platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'node-gyp', 'Cache');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'node-gyp');
}

/** `/usr` when /usr/include/node holds headers of exactly this Node (Debian, NodeSource). */
function debianHeaders(build: BuildEnvironment): string | undefined {
  const file = '/usr/include/node/node_version.h';
  if (build.platform !== 'linux' || !build.exists(file)) return undefined;
  try {
    const text = readFileSync(file, 'utf8');
    const part = (name: string) => new RegExp(`#define\\s+NODE_${name}_VERSION\\s+(\\d+)`).exec(text)?.[1];
    const version = ['MAJOR', 'MINOR', 'PATCH'].map(part).join('.');
    return version === build.nodeVersion ? '/usr' : undefined;
  } catch {
    return undefined;
  }
}

function packageCommand(build: BuildEnvironment, names: { apt: string; dnf: string; pacman: string; zypper: string }): string | undefined {
  if (build.has('apt-get')) return `apt-get install -y ${names.apt}`;
  if (build.has('dnf')) return `dnf install -y ${names.dnf}`;
  if (build.has('pacman')) return `pacman -S --needed ${names.pacman}`;
  if (build.has('zypper')) return `zypper install -y ${names.zypper}`;
  return undefined;
}

function rootPrefix(build: BuildEnvironment): string {
  return build.platform !== 'win32' && process.getuid?.() !== 0 ? 'sudo ' : '';
}

function quote(path: string): string {
  return commandLine(path, []);
}
