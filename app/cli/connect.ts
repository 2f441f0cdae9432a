import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/base/atomic-file.js';
import { HubError } from '../core/base/errors.js';
import { findRunningHub } from '../core/discovery/hub-file.js';
import { parse } from './args.js';
import { createContext } from './context.js';

export const connectHelp = `Usage: inlet connect claude-desktop|claude-code|cursor [--name NAME] [--write]

Prints the config that connects that AI client to this hub; with --write, merges it into the
client's own config file (Claude Desktop, Cursor), keeping every other server there. A hub
outside the default data dir is named in the entry (--data-dir), so the client reaches it.
  claude-desktop  a stdio server entry running \`inlet stdio\` (it finds the hub by itself)
  claude-code     the \`claude mcp add\` command, with a token for ai:NAME
  cursor          a url + Authorization entry for ~/.cursor/mcp.json, with a token for ai:NAME
  --name NAME     the AI client's name in the hub (default: the client's own name)`;

const CLIENTS = ['claude-desktop', 'claude-code', 'cursor'] as const;
type ClientName = (typeof CLIENTS)[number];

/** Where each client keeps its MCP servers (Claude Code is configured by its own command). */
export function clientConfigPath(client: ClientName, home = homedir(), platform = process.platform, env = process.env): string | undefined {
  if (client === 'cursor') return join(home, '.cursor', 'mcp.json');
  if (client === 'claude-desktop') {
    if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
    if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Claude', 'claude_desktop_config.json');
    return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Claude', 'claude_desktop_config.json');
  }
  return undefined;
}

export async function connect(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { name: { type: 'string' }, write: { type: 'boolean' } }, true);
  const client = positionals[0] as ClientName | undefined;
  if (values.help || !client) return (console.log(connectHelp), values.help ? 0 : 2);
  if (!CLIENTS.includes(client)) throw new HubError('USAGE', `Unknown client "${client}": use ${CLIENTS.join(', ')}.`);
  const context = createContext(values['data-dir']);
  const name = values.name ?? client;
  let entry: Record<string, unknown>;
  if (client === 'claude-desktop') {
    const { command, args } = context.inlet;
    entry = { command, args: [...args, 'stdio', '--name', name] };
  } else {
    const hub = await findRunningHub(context.dataDir);
    const token = (await context.tokens()).mint(`ai:${name}`);
    if (client === 'claude-code') {
      process.stdout.write(`claude mcp add --transport http inlet ${hub.urls.mcp} --header "Authorization: Bearer ${token}"\n`);
      if (values.write) process.stderr.write('Claude Code keeps its config itself: run the command above.\n');
      return 0;
    }
    entry = { url: hub.urls.mcp, headers: { Authorization: `Bearer ${token}` } };
  }
  const snippet = { mcpServers: { inlet: entry } };
  if (!values.write) {
    process.stdout.write(JSON.stringify(snippet, null, 2) + '\n');
    return 0;
  }
  const path = clientConfigPath(client)!;
  const merged = await mergeServer(path, entry);
  process.stdout.write(`${merged} the "inlet" server in ${path}; restart ${client === 'cursor' ? 'Cursor' : 'Claude Desktop'} to pick it up.\n`);
  return 0;
}

/** Adds or replaces mcpServers.inlet in a client's JSON config, leaving everything else as it was. */
export async function mergeServer(path: string, entry: Record<string, unknown>): Promise<'Added' | 'Updated'> {
  let config: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new HubError('CONFIG_INVALID', `${path} is not valid JSON (${(error as Error).message}); fix it or merge the printed config by hand.`);
    }
    if (!config || typeof config !== 'object' || Array.isArray(config)) throw new HubError('CONFIG_INVALID', `${path} does not hold a JSON object.`);
  }
  const servers = (config.mcpServers && typeof config.mcpServers === 'object' ? config.mcpServers : {}) as Record<string, unknown>;
  const existed = 'inlet' in servers;
  config.mcpServers = { ...servers, inlet: entry };
  await writeFileAtomic(path, JSON.stringify(config, null, 2) + '\n', 0o600);
  return existed ? 'Updated' : 'Added';
}
