import { existsSync } from 'node:fs';
import { readFile, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../core/base/atomic-file.js';
import { HubError } from '../core/base/errors.js';
import {
  BROWSER_TABLE, BROWSERS, HOST_NAME, manifestFile, pathFor, presenceDirs, registryKey, toManifestPlatform,
  type Browser, type LocationContext,
} from './manifest-locations.js';
import { executableCandidates } from './browser-executables.js';
import { parseRegDefault, regAddArgs, regDeleteArgs, regQueryArgs, runRegExe, type RegRunner } from './windows-registry.js';

export type { RegRunner } from './windows-registry.js';
export { BROWSERS, BROWSER_TABLE, HOST_NAME, type Browser } from './manifest-locations.js';

/**
 * Installs, removes and checks the native-messaging host manifests (docs/discovery.md). Everything the
 * OS provides is a parameter, so tests run the Linux, macOS and Windows logic on one machine:
 * `root` maps every OS path into a directory, and `runReg` stands in for reg.exe.
 */

export interface ManifestEnvironment {
  platform: NodeJS.Platform;
  home: string;
  env?: NodeJS.ProcessEnv;
  /** Maps every OS path below this directory: `C:\Users\me` → `<root>/C/Users/me`. */
  root?: string;
  runReg?: RegRunner;
  /**
   * Is this browser installed for the user? `paths` are its profile folders and the places its
   * program would be (browser-executables.ts); by default, it is when one of them exists.
   */
  isPresent?: (browser: Browser, paths: string[]) => boolean | Promise<boolean>;
}

export interface ManifestOptions extends ManifestEnvironment {
  /** Absolute path of the launcher (build/native-host/inlet-native-host.sh, or .cmd on Windows). */
  hostPath: string;
  /** Chrome-family extension ids (or their `chrome-extension://ID/` origins). */
  extensionIds?: readonly string[];
  /** Firefox add-on ids. */
  firefoxIds?: readonly string[];
  /** Only these browsers; install then writes them even if they look absent. */
  browsers?: readonly Browser[];
  /** Write only the Chrome-format manifest into this directory (Chromium's `--user-data-dir`/NativeMessagingHosts). */
  dir?: string;
}

export type ManifestTarget = Browser | 'dir';
export interface PlannedFile { target: ManifestTarget; path: string; content: string }
export interface PlannedRegistryKey { key: string; manifestPath: string; targets: Browser[]; add: string[]; delete: string[] }
export interface ManifestPlan { files: PlannedFile[]; registry: PlannedRegistryKey[] }

export type ManifestState = 'installed' | 'missing' | 'stale' | 'not-present';
export interface ManifestStatus { target: ManifestTarget; state: ManifestState; path: string; registryKey?: string; detail?: string }

const DESCRIPTION = 'Inlet: hands the local MCP hub address and a token to extensions';
const CHROME_ID = /^[a-p]{32}$/;
const FIREFOX_ID = /^(\{[0-9A-Fa-f-]{36}\}|[A-Za-z0-9._+-]+@[A-Za-z0-9._-]+)$/;

/** The files and registry commands an install would write, without touching anything. */
export function planManifests(options: ManifestOptions): ManifestPlan {
  const ctx = context(options);
  const path = pathFor(ctx.platform);
  if (!path.isAbsolute(options.hostPath)) throw new HubError('USAGE', `The native host path must be absolute, not "${options.hostPath}".`);
  const origins = chromeIds(options.extensionIds ?? []).map((id) => `chrome-extension://${id}/`);
  const firefoxIds = unique(options.firefoxIds ?? []).map(checkFirefoxId);
  const chrome = render({ name: HOST_NAME, description: DESCRIPTION, path: options.hostPath, type: 'stdio', allowed_origins: origins });
  if (options.dir !== undefined) return { files: [{ target: 'dir', path: join(resolve(options.dir), `${HOST_NAME}.json`), content: chrome }], registry: [] };

  const firefox = render({ name: HOST_NAME, description: DESCRIPTION, path: options.hostPath, type: 'stdio', allowed_extensions: firefoxIds });
  const chosen = BROWSERS.filter((browser) => !options.browsers || options.browsers.includes(browser));
  const files = chosen.map((browser) => ({
    target: browser,
    path: manifestFile(browser, ctx),
    content: BROWSER_TABLE[browser].format === 'chrome' ? chrome : firefox,
  }));
  if (ctx.platform !== 'win32') return { files, registry: [] };
  // Brave and Vivaldi read Chrome's key; one key names one file, the first in table order
  // (all Chrome-format manifests are identical, so any of them serves every sharer).
  const registry = new Map<string, PlannedRegistryKey>();
  for (const file of files) {
    const key = registryKey(file.target);
    const entry = registry.get(key);
    if (entry) entry.targets.push(file.target);
    else registry.set(key, { key, manifestPath: file.path, targets: [file.target], add: regAddArgs(key, file.path), delete: regDeleteArgs(key) });
  }
  return { files, registry: [...registry.values()] };
}

/**
 * Writes the manifests (and on Windows the registry keys) for the browsers present, or for
 * exactly `browsers` when given. Running it again changes nothing.
 */
export async function installManifests(options: ManifestOptions): Promise<{ installed: PlannedFile[]; skipped: Browser[] }> {
  const ctx = context(options);
  let skipped: Browser[] = [];
  let browsers = options.browsers;
  if (options.dir === undefined && !browsers) {
    const present = await presentBrowsers(options, ctx);
    skipped = BROWSERS.filter((browser) => !present.includes(browser));
    browsers = present;
  }
  const plan = planManifests({ ...options, browsers });
  for (const file of plan.files) await writeFileAtomic(onDisk(file, options), file.content, 0o644);
  for (const entry of plan.registry) await reg(options, entry.add);
  return { installed: plan.files, skipped };
}

/** Removes every manifest and registry key Inlet wrote (for `browsers`, or all of them). */
export async function uninstallManifests(options: ManifestOptions): Promise<{ removed: string[] }> {
  const ctx = context(options);
  const removed: string[] = [];
  const plan = planManifests(options);
  for (const file of plan.files) {
    const path = onDisk(file, options);
    if (!existsSync(path)) continue;
    await rm(path, { force: true });
    removed.push(file.path);
    // Drop the directories if they are now empty (on Windows Inlet\NativeMessagingHosts\<browser> are Inlet's own).
    for (let dir = dirname(path), up = ctx.platform === 'win32' ? 3 : 1; up > 0; dir = dirname(dir), up--) {
      if (!(await rmdir(dir).then(() => true, () => false))) break;
    }
  }
  for (const entry of plan.registry) {
    // A key shared with a browser that keeps its manifest is pointed at that manifest instead.
    const keeper = BROWSERS.filter((b) => !entry.targets.includes(b) && registryKey(b) === entry.key)
      .map((b) => manifestFile(b, ctx)).find((file) => existsSync(real(file, options)));
    if (keeper) await reg(options, regAddArgs(entry.key, keeper));
    else if ((await runReg(options)(regQueryArgs(entry.key))).code === 0) {
      await reg(options, entry.delete);
      removed.push(entry.key);
    }
  }
  return { removed };
}

/**
 * Per browser: `installed`; `missing` (browser present, no manifest); `stale` (a manifest that
 * names another host path or a missing file, or that lacks a requested extension id);
 * `not-present` (neither the browser nor a manifest).
 */
export async function manifestStatus(options: ManifestOptions): Promise<ManifestStatus[]> {
  const ctx = context(options);
  const plan = planManifests(options);
  const present = options.dir === undefined ? await presentBrowsers(options, ctx) : [];
  const statuses: ManifestStatus[] = [];
  for (const file of plan.files) {
    const browser = file.target === 'dir' ? undefined : file.target;
    const absent = browser !== undefined && !present.includes(browser);
    if (ctx.platform !== 'win32' || !browser) {
      const text = await readFile(onDisk(file, options), 'utf8').catch(() => undefined);
      if (text === undefined) statuses.push({ target: file.target, path: file.path, state: absent ? 'not-present' : 'missing' });
      else statuses.push(judge(file, file.path, text, options));
      continue;
    }
    // Windows: what counts is the file the registry names (for Brave and Vivaldi, Chrome's key).
    const key = registryKey(browser);
    const named = parseRegDefault(await runReg(options)(regQueryArgs(key)));
    const base = { target: file.target, registryKey: key };
    if (absent && !existsSync(real(file.path, options))) statuses.push({ ...base, path: file.path, state: 'not-present' });
    else if (named === undefined) statuses.push({ ...base, path: file.path, state: 'missing' });
    else {
      const text = await readText(named, options);
      if (text === undefined) statuses.push({ ...base, path: named, state: 'stale', detail: `the registry names ${named}, which does not exist` });
      else statuses.push({ ...judge(file, named, text, options), registryKey: key });
    }
  }
  return statuses;
}

function judge(file: PlannedFile, path: string, text: string, options: ManifestOptions): ManifestStatus {
  const problem = staleness(text, file.content, options);
  return problem ? { target: file.target, path, state: 'stale', detail: problem } : { target: file.target, path, state: 'installed' };
}

function readText(osPath: string, options: ManifestEnvironment): Promise<string | undefined> {
  return readFile(real(osPath, options), 'utf8').catch(() => undefined);
}

function staleness(text: string, wanted: string, options: ManifestOptions): string | undefined {
  let found: { name?: unknown; path?: unknown; allowed_origins?: unknown; allowed_extensions?: unknown };
  try {
    found = JSON.parse(text) as typeof found;
  } catch {
    return 'the manifest is not valid JSON';
  }
  const expected = JSON.parse(wanted) as { allowed_origins?: string[]; allowed_extensions?: string[] };
  if (found.name !== HOST_NAME) return `the manifest names the host ${JSON.stringify(found.name)}`;
  if (found.path !== options.hostPath) return `the manifest runs ${JSON.stringify(found.path)} instead of ${options.hostPath}`;
  if (!existsSync(real(options.hostPath, options))) return `the manifest runs ${options.hostPath}, which does not exist`;
  const listed = expected.allowed_origins ? found.allowed_origins : found.allowed_extensions;
  const allowed: unknown[] = Array.isArray(listed) ? listed : [];
  const lacking = (expected.allowed_origins ?? expected.allowed_extensions ?? []).filter((id) => !allowed.includes(id));
  return lacking.length > 0 ? `the manifest does not allow ${lacking.join(', ')}` : undefined;
}

function context(options: ManifestEnvironment): LocationContext {
  return { platform: toManifestPlatform(options.platform), home: options.home, env: options.env ?? process.env };
}

async function presentBrowsers(options: ManifestEnvironment, ctx: LocationContext): Promise<Browser[]> {
  const present: Browser[] = [];
  for (const browser of BROWSERS) {
    const paths = [...presenceDirs(browser, ctx), ...executableCandidates(browser, ctx)];
    const found = options.isPresent ? await options.isPresent(browser, paths) : paths.some((path) => existsSync(real(path, options)));
    if (found) present.push(browser);
  }
  return present;
}

/** Where a planned file lives on this machine; a `dir` is a local path already. */
function onDisk(file: PlannedFile, options: ManifestEnvironment): string {
  return file.target === 'dir' ? file.path : real(file.path, options);
}

/** The path on this machine's file system for an OS path of the planned platform. */
export function real(osPath: string, options: ManifestEnvironment): string {
  if (!options.root) return osPath;
  return join(options.root, ...osPath.split(/[\\/]+/).filter(Boolean).map((part) => part.replace(/:$/, '')));
}

async function reg(options: ManifestEnvironment, args: string[]): Promise<void> {
  const result = await runReg(options)(args);
  if (result.code !== 0) throw new Error(`reg ${args[0]} ${args[1]} failed (exit code ${result.code}).`);
}

function runReg(options: ManifestEnvironment): RegRunner {
  return options.runReg ?? runRegExe;
}

function chromeIds(ids: readonly string[]): string[] {
  return unique(ids.map((id) => id.trim().replace(/^chrome-extension:\/\//, '').replace(/\/$/, ''))).map((id) => {
    if (!CHROME_ID.test(id)) throw new HubError('USAGE', `"${id}" is not a Chrome extension id (32 letters a to p).`);
    return id;
  });
}

function checkFirefoxId(id: string): string {
  if (!FIREFOX_ID.test(id)) throw new HubError('USAGE', `"${id}" is not a Firefox add-on id (name@domain or {GUID}).`);
  return id;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.map((value) => value.trim()))];
}

function render(manifest: object): string {
  return JSON.stringify(manifest, null, 2) + '\n';
}
