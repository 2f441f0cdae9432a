import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keytarProblem, realBuildEnvironment } from '../app/os/keytar-build.js';
import { ROOT, scratchHomeEnv } from './helpers/hub-process.js';

const CI = process.env.CI === 'true' || process.env.CI === '1';
const here = await keytarProblem();

/**
 * An installation like this one whose keytar build failed: npm then leaves keytar out of
 * node_modules. The copy has this installation's compiled app and every other package.
 */
async function installationWithoutKeytar(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'inlet-no-keytar-'));
  await cp(join(ROOT, 'dist', 'app'), join(dir, 'dist', 'app'), { recursive: true });
  await cp(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  await cp(join(ROOT, 'scripts', 'check-keytar.mjs'), join(dir, 'scripts', 'check-keytar.mjs'));
  await cp(join(ROOT, 'package.json'), join(dir, 'package.json'));
  await mkdir(join(dir, 'node_modules'));
  for (const name of await readdir(join(ROOT, 'node_modules'))) {
    if (name !== 'keytar' && name !== '.bin') await symlink(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  }
  return dir;
}

/** A shell of a fresh machine: a HOME without ~/.npmrc, no npm config in the environment. */
function freshShell(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...scratchHomeEnv(), INLET_HOME: join(scratchHomeEnv().HOME!, 'data'), ...extra };
  for (const name of Object.keys(env)) if (/^npm_/i.test(name) || name === 'NODE_EXTRA_CA_CERTS' || name === 'INLET_KEYCHAIN') delete env[name];
  return env;
}

describe('keytar (the OS keychain module)', () => {
  let copy: string;
  before(async () => {
    copy = await installationWithoutKeytar();
  });
  after(async () => {
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  it('loads in this installation', { skip: here && !CI ? `keytar is not usable here: ${here.missing}. Fix: ${here.fix}` : false }, () => {
    assert.equal(here, undefined, here && `${here.missing}. Fix: ${here.fix}`);
  });

  it('inlet doctor says when Node\'s headers are what the build lacked, and the command that fixes it', () => {
    const run = spawnSync(process.execPath, [join(copy, 'bin', 'inlet.js'), 'doctor'], { env: freshShell(), encoding: 'utf8', timeout: 60_000 });
    assert.match(run.stdout, /^Keychain: +keytar is not usable; missing: Node's headers for v\d+\.\d+\.\d+: npm's nodedir is not set/m, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`^ +Fix: (echo nodedir=/usr >> ~/\\.npmrc && )?cd ${copy} && npm install`, 'm'));
  });

  it('the install check names libsecret-1-dev when pkg-config cannot find libsecret, and fails only with --require', () => {
    const env = freshShell({ PKG_CONFIG_LIBDIR: join(copy, 'no-pkgconfig'), PKG_CONFIG_PATH: '' });
    const warn = spawnSync(process.execPath, [join(copy, 'scripts', 'check-keytar.mjs')], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(warn.status, 0);
    assert.match(warn.stderr, /warning: keytar .* is not usable\.\n {2}Missing: libsecret's development files \(libsecret-1-dev\)/);
    assert.match(warn.stderr, /Fix: {5}.*(libsecret-1-dev|libsecret-devel|libsecret).* && cd .* && npm install\n/);
    const required = spawnSync(process.execPath, [join(copy, 'scripts', 'check-keytar.mjs'), '--require'], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(required.status, 1);
    assert.match(required.stderr, /ERROR: keytar/);
  });

  it('a keytar built for another Node is rebuilt, not reinstalled', async () => {
    const problem = await keytarProblem(realBuildEnvironment({
      load: () => Promise.reject(new Error("The module 'keytar.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 108.")),
    }));
    assert.match(problem?.missing ?? '', /a keytar built for this Node/);
    assert.match(problem?.fix ?? '', /&& npm rebuild keytar$/);
  });
});
