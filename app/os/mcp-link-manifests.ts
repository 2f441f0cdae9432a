import { existsSync } from 'node:fs';
import { readFile, rename, rm, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../core/base/atomic-file.js';
import { HubError } from '../core/base/errors.js';
import { pathFor, resolveLocation, toManifestPlatform, type LocationBase, type LocationContext } from './manifest-locations.js';
import { real, type ManifestEnvironment } from './manifests.js';
import { parseRegDefault, regAddArgs, regDeleteArgs, regQueryArgs, runRegExe } from './windows-registry.js';

/**
 * MCP-Link's discovery manifest (docs/mcp-link.md, Discovery): `com.aurafriday.shim.json`, written
 * where MCP-Link's reverse clients look for it, naming Inlet's native host. The clients read only
 * `path`, run it with no arguments and read one frame; the MCP-Link Chrome extension finds the
 * same file as a browser would (on Windows through Chrome's registry key).
 */
export const MCP_LINK_HOST = 'com.aurafriday.shim';
/** MCP-Link's Chrome Web Store extension, allowed to run the host like MCP-Link's own shim allows it. */
export const MCP_LINK_EXTENSION_ID = 'ddgfpbfaplmbjnipblicgkkfipnmflkf';
const FILE = `${MCP_LINK_HOST}.json`;
const BACKUP_SUFFIX = '.mcp-link-backup';
const CHROME_KEY = `HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\${MCP_LINK_HOST}`;
const DESCRIPTION = "Inlet: MCP-Link clients reach Inlet's hub through this host";

/** Every place the published clients search, in their order (reverse_mcp.py's list, the longest). */
const SEARCHED: Record<'linux' | 'darwin' | 'win32', Array<[LocationBase, ...string[]]>> = {
  linux: [
    ['home', '.config', 'google-chrome'],
    ['home', '.config', 'chromium'],
    ['home', '.config', 'microsoft-edge'],
    ['home', '.config', 'BraveSoftware', 'Brave-Browser'],
    ['home', '.var', 'app', 'com.google.Chrome', 'config', 'google-chrome'],
    ['home', '.var', 'app', 'org.chromium.Chromium', 'config', 'chromium'],
  ],
  darwin: [
    ['appSupport', 'Google', 'Chrome'],
    ['appSupport', 'Chromium'],
    ['appSupport', 'Microsoft Edge'],
    ['appSupport', 'BraveSoftware', 'Brave-Browser'],
    ['appSupport', 'Vivaldi'],
  ],
  win32: [['localAppData', 'AuraFriday']],
};

export interface McpLinkOptions extends ManifestEnvironment {
  hostPath: string;
  /** Replace a real MCP-Link install (it is kept beside, and put back by uninstall). */
  force?: boolean;
}

export type McpLinkState = 'installed' | 'missing' | 'mcp-link' | 'stale';
export interface McpLinkStatus { path: string; state: McpLinkState; detail?: string }

/** The manifest paths, in the clients' search order (no duplicates: on Windows the fallback is the same folder). */
export function mcpLinkManifestPaths(env: ManifestEnvironment): string[] {
  const ctx: LocationContext = { platform: toManifestPlatform(env.platform), home: env.home, env: env.env ?? process.env };
  const path = pathFor(ctx.platform);
  return SEARCHED[ctx.platform].map(([base, ...parts]) => {
    const dir = resolveLocation({ base, parts }, ctx);
    return ctx.platform === 'win32' ? path.join(dir, FILE) : path.join(dir, 'NativeMessagingHosts', FILE);
  });
}

export function renderMcpLinkManifest(hostPath: string): string {
  return JSON.stringify({ name: MCP_LINK_HOST, description: DESCRIPTION, path: hostPath, type: 'stdio', allowed_origins: [`chrome-extension://${MCP_LINK_EXTENSION_ID}/`] }, null, 2) + '\n';
}

/**
 * Writes the manifest at every searched place. A manifest that runs another program (a real
 * MCP-Link install) stops the install, unless `force`: then it is kept as `<file>.mcp-link-backup`.
 */
export async function installMcpLink(options: McpLinkOptions): Promise<{ installed: string[]; replaced: string[] }> {
  if (!pathFor(toManifestPlatform(options.platform)).isAbsolute(options.hostPath)) {
    throw new HubError('USAGE', `The native host path must be absolute, not "${options.hostPath}".`);
  }
  const statuses = await mcpLinkStatus(options);
  const foreign = statuses.filter((s) => s.state === 'mcp-link');
  if (foreign.length > 0 && !options.force) {
    throw new HubError(
      'USAGE',
      `MCP-Link is installed (${foreign[0]!.path} runs ${foreign[0]!.detail}); pass --force to point its clients at Inlet instead (its manifest is kept and uninstall puts it back).`,
    );
  }
  const content = renderMcpLinkManifest(options.hostPath);
  for (const status of foreign) await rename(real(status.path, options), real(status.path, options) + BACKUP_SUFFIX);
  for (const path of mcpLinkManifestPaths(options)) await writeFileAtomic(real(path, options), content, 0o644);
  if (toManifestPlatform(options.platform) === 'win32') await reg(options, regAddArgs(CHROME_KEY, mcpLinkManifestPaths(options)[0]!));
  return { installed: mcpLinkManifestPaths(options), replaced: foreign.map((s) => s.path) };
}

/** Removes Inlet's manifests and puts back a replaced MCP-Link one; other programs' files stay. */
export async function uninstallMcpLink(options: McpLinkOptions): Promise<{ removed: string[]; restored: string[] }> {
  const removed: string[] = [];
  const restored: string[] = [];
  for (const path of mcpLinkManifestPaths(options)) {
    const file = real(path, options);
    if ((await judge(file, options)).state !== 'installed' && !(await isInletManifest(file))) continue;
    await rm(file, { force: true });
    removed.push(path);
    if (existsSync(file + BACKUP_SUFFIX)) {
      await rename(file + BACKUP_SUFFIX, file);
      restored.push(path);
    } else {
      await rmdir(dirname(file)).catch(() => undefined);
    }
  }
  if (toManifestPlatform(options.platform) === 'win32' && restored.length === 0 && removed.length > 0) {
    const named = parseRegDefault(await (options.runReg ?? runRegExe)(regQueryArgs(CHROME_KEY)));
    if (named !== undefined && removed.includes(named)) await reg(options, regDeleteArgs(CHROME_KEY));
  }
  return { removed, restored };
}

export async function mcpLinkStatus(options: McpLinkOptions): Promise<McpLinkStatus[]> {
  const statuses: McpLinkStatus[] = [];
  for (const path of mcpLinkManifestPaths(options)) statuses.push({ path, ...(await judge(real(path, options), options)) });
  return statuses;
}

async function judge(file: string, options: McpLinkOptions): Promise<Omit<McpLinkStatus, 'path'>> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return { state: 'missing' };
  let found: { path?: unknown; description?: unknown };
  try {
    found = JSON.parse(text) as typeof found;
  } catch {
    return { state: 'stale', detail: 'the manifest is not valid JSON' };
  }
  if (found.path === options.hostPath) {
    return existsSync(real(options.hostPath, options)) ? { state: 'installed' } : { state: 'stale', detail: `${options.hostPath} does not exist` };
  }
  if (found.description === DESCRIPTION) return { state: 'stale', detail: `runs ${JSON.stringify(found.path)}, another Inlet's host` };
  return { state: 'mcp-link', detail: typeof found.path === 'string' ? found.path : 'an unnamed program' };
}

async function isInletManifest(file: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.includes(DESCRIPTION);
}

async function reg(options: ManifestEnvironment, args: string[]): Promise<void> {
  const result = await (options.runReg ?? runRegExe)(args);
  if (result.code !== 0) throw new Error(`reg ${args[0]} ${args[1]} failed (exit code ${result.code}).`);
}
