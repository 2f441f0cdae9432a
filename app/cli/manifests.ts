import { homedir } from 'node:os';
import { HubError } from '../core/base/errors.js';
import { nativeHostLauncher } from '../core/base/install-layout.js';
import { COMPANION_EXTENSION_ID, COMPANION_FIREFOX_ID } from '../os/companion-extension.js';
import { BROWSERS, HOST_NAME, installManifests, manifestStatus, uninstallManifests, type Browser, type ManifestOptions } from '../os/manifests.js';
import { installMcpLink, MCP_LINK_HOST, mcpLinkStatus, uninstallMcpLink, type McpLinkOptions } from '../os/mcp-link-manifests.js';
import { parse } from './args.js';

export const manifestsHelp = `Usage: inlet manifests install|uninstall|status [options]

Registers Inlet's native-messaging host (${HOST_NAME}) with the browsers, so extensions find the
hub with no configuration. Chrome, Chromium, Edge, Brave, Vivaldi and Firefox are supported.
  --extension-id ID   also allow this extension (Chrome-family id or Firefox add-on id); repeatable.
                      The companion extension is always allowed.
  --browser NAME      only this browser (${BROWSERS.join(', ')}); repeatable.
                      By default only browsers that are installed are touched.
  --dir DIR           write the Chrome-format manifest into DIR instead
                      (a Chromium started with --user-data-dir=U reads U/NativeMessagingHosts)
  --json              status as JSON
  --mcp-link          instead: the ${MCP_LINK_HOST} manifest MCP-Link's tools look for, so they
                      register with Inlet unchanged (docs/mcp-link.md); every place they search
  --force             with --mcp-link: replace a real MCP-Link install (kept; uninstall restores it)`;

/** The launcher the manifests point at: this installation's (app/core/base/install-layout.ts). */
export function hostLauncherPath(platform: NodeJS.Platform = process.platform): string {
  return nativeHostLauncher(undefined, platform);
}

export async function manifests(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      'extension-id': { type: 'string', multiple: true },
      browser: { type: 'string', multiple: true },
      dir: { type: 'string' },
      json: { type: 'boolean' },
      'mcp-link': { type: 'boolean' },
      force: { type: 'boolean' },
    },
    true,
  );
  const action = positionals[0];
  if (values.help || !action) return (console.log(manifestsHelp), values.help ? 0 : 2);
  if (values['mcp-link']) return mcpLink(action, { platform: process.platform, home: homedir(), env: process.env, hostPath: hostLauncherPath(), force: values.force }, values.json);
  if (values.force) throw new HubError('USAGE', '--force goes with --mcp-link.');
  const browsers = values.browser?.map((name) => {
    if (!(BROWSERS as readonly string[]).includes(name)) throw new HubError('USAGE', `Unknown browser "${name}": use ${BROWSERS.join(', ')}.`);
    return name as Browser;
  });
  const extra = values['extension-id'] ?? [];
  const options: ManifestOptions = {
    platform: process.platform,
    home: homedir(),
    env: process.env,
    hostPath: hostLauncherPath(),
    extensionIds: [COMPANION_EXTENSION_ID, ...extra.filter((id) => !id.includes('@') && !id.startsWith('{'))],
    firefoxIds: [COMPANION_FIREFOX_ID, ...extra.filter((id) => id.includes('@') || id.startsWith('{'))],
    browsers,
    dir: values.dir,
  };
  if (action === 'install') {
    const { installed, skipped } = await installManifests(options);
    for (const file of installed) process.stdout.write(`installed ${file.target}: ${file.path}\n`);
    if (installed.length === 0) process.stdout.write('No supported browser found; pass --browser NAME to install anyway.\n');
    if (skipped.length) process.stdout.write(`not installed (browser not found): ${skipped.join(', ')}\n`);
    return 0;
  }
  if (action === 'uninstall') {
    const { removed } = await uninstallManifests(options);
    for (const path of removed) process.stdout.write(`removed ${path}\n`);
    if (removed.length === 0) process.stdout.write('Nothing to remove.\n');
    return 0;
  }
  if (action === 'status') {
    const statuses = await manifestStatus(options);
    if (values.json) process.stdout.write(JSON.stringify(statuses, null, 2) + '\n');
    else for (const s of statuses) process.stdout.write(`${s.target.padEnd(9)} ${s.state.padEnd(12)} ${s.path}${s.detail ? `  (${s.detail})` : ''}\n`);
    return statuses.some((s) => s.state === 'stale') ? 1 : 0;
  }
  throw new HubError('USAGE', `Unknown manifests action "${action}": use install, uninstall or status.`);
}

async function mcpLink(action: string, options: McpLinkOptions, json: boolean | undefined): Promise<number> {
  if (action === 'install') {
    const { installed, replaced } = await installMcpLink(options);
    for (const path of replaced) process.stdout.write(`MCP-Link's manifest kept as ${path}.mcp-link-backup\n`);
    for (const path of installed) process.stdout.write(`installed ${MCP_LINK_HOST}: ${path}\n`);
    return 0;
  }
  if (action === 'uninstall') {
    const { removed, restored } = await uninstallMcpLink(options);
    for (const path of removed) process.stdout.write(`removed ${path}${restored.includes(path) ? " (MCP-Link's own manifest put back)" : ''}\n`);
    if (removed.length === 0) process.stdout.write('Nothing to remove.\n');
    return 0;
  }
  if (action === 'status') {
    const statuses = await mcpLinkStatus(options);
    if (json) process.stdout.write(JSON.stringify(statuses, null, 2) + '\n');
    else for (const s of statuses) process.stdout.write(`${s.state.padEnd(10)} ${s.path}${s.detail ? `  (${s.detail})` : ''}\n`);
    return statuses.some((s) => s.state === 'stale') ? 1 : 0;
  }
  throw new HubError('USAGE', `Unknown manifests action "${action}": use install, uninstall or status.`);
}
