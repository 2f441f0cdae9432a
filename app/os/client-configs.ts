import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/base/atomic-file.js';
import { HubError } from '../core/base/errors.js';
import type { InletCommand } from '../core/base/version.js';

/**
 * How each AI client is connected to the hub: what its config entry looks like and where its
 * config file lives. `inlet connect` (app/cli/connect.ts) and the tray's "Connect an AI client"
 * menu (app/main/connect-client.ts) both use this, so the two write the same thing.
 *
 * Sources: Claude Desktop's `claude_desktop_config.json` (`mcpServers`, stdio entries only);
 * Cursor's `~/.cursor/mcp.json` (`mcpServers`, `url` + `headers`); VS Code's user `mcp.json`
 * in its profile folder (code.visualstudio.com/docs/copilot/reference/mcp-configuration: a
 * `servers` map, `"type": "http"` with `url` and `headers`); Claude Code configures itself
 * through `claude mcp add`.
 */
export const AI_CLIENTS = ['claude-desktop', 'claude-code', 'cursor', 'vscode'] as const;
export type AiClient = (typeof AI_CLIENTS)[number];

export const AI_CLIENT_LABELS: Record<AiClient, string> = {
  'claude-desktop': 'Claude Desktop',
  'claude-code': 'Claude Code',
  cursor: 'Cursor',
  vscode: 'VS Code',
};

export function isAiClient(value: string): value is AiClient {
  return (AI_CLIENTS as readonly string[]).includes(value);
}

/** Does the client need a token of its own? (Claude Desktop runs `inlet stdio`, which mints one.) */
export function needsToken(client: AiClient): boolean {
  return client !== 'claude-desktop';
}

export interface ClientSetup {
  /** The AI client's name in the hub: its token is for `ai:<name>`. */
  name: string;
  mcpUrl: string;
  /** The `ai:<name>` token, for every client but Claude Desktop. */
  token?: string;
  /** How to run `inlet` so it reaches this hub (Claude Desktop's stdio entry; `--data-dir` included). */
  inlet: InletCommand;
}

export type ClientConfig =
  /** An entry `key.inlet` to merge into the JSON file at `path`. */
  | { kind: 'file'; path: string; key: 'mcpServers' | 'servers'; entry: Record<string, unknown> }
  /** A command for the user to run (Claude Code keeps its config itself). */
  | { kind: 'command'; command: string };

export interface ClientPlatform {
  home?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

export function clientConfig(client: AiClient, setup: ClientSetup, where: ClientPlatform = {}): ClientConfig {
  const bearer = () => {
    if (!setup.token) throw new HubError('USAGE', `${AI_CLIENT_LABELS[client]} needs a token of its own.`);
    return `Bearer ${setup.token}`;
  };
  const path = clientConfigPath(client, where.home, where.platform, where.env);
  switch (client) {
    case 'claude-code':
      return { kind: 'command', command: `claude mcp add --transport http inlet ${setup.mcpUrl} --header "Authorization: ${bearer()}"` };
    case 'claude-desktop': {
      const { command, args, env } = setup.inlet;
      const entry = { command, args: [...args, 'stdio', '--name', setup.name], ...(env ? { env } : {}) };
      return { kind: 'file', path: path!, key: 'mcpServers', entry };
    }
    case 'cursor':
      return { kind: 'file', path: path!, key: 'mcpServers', entry: { url: setup.mcpUrl, headers: { Authorization: bearer() } } };
    case 'vscode':
      return { kind: 'file', path: path!, key: 'servers', entry: { type: 'http', url: setup.mcpUrl, headers: { Authorization: bearer() } } };
  }
}

/** Where each client keeps its MCP servers (Claude Code is configured by its own command). */
export function clientConfigPath(client: AiClient, home = homedir(), platform = process.platform, env = process.env): string | undefined {
  const appData = () => env.APPDATA ?? join(home, 'AppData', 'Roaming');
  const xdg = () => env.XDG_CONFIG_HOME ?? join(home, '.config');
  const support = () => join(home, 'Library', 'Application Support');
  switch (client) {
    case 'cursor':
      return join(home, '.cursor', 'mcp.json');
    case 'claude-desktop':
      return join(platform === 'darwin' ? support() : platform === 'win32' ? appData() : xdg(), 'Claude', 'claude_desktop_config.json');
    case 'vscode':
      return join(platform === 'darwin' ? support() : platform === 'win32' ? appData() : xdg(), 'Code', 'User', 'mcp.json');
    case 'claude-code':
      return undefined;
  }
}

/** Adds or replaces `<key>.inlet` in a client's JSON config, leaving everything else as it was. */
export async function mergeServer(path: string, entry: Record<string, unknown>, key: 'mcpServers' | 'servers' = 'mcpServers'): Promise<'Added' | 'Updated'> {
  let config: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new HubError('CONFIG_INVALID', `${path} is not valid JSON (${(error as Error).message}); fix it or merge the printed config by hand.`);
    }
    if (!config || typeof config !== 'object' || Array.isArray(config)) throw new HubError('CONFIG_INVALID', `${path} does not hold a JSON object.`);
  }
  const servers = (config[key] && typeof config[key] === 'object' ? config[key] : {}) as Record<string, unknown>;
  const existed = 'inlet' in servers;
  config[key] = { ...servers, inlet: entry };
  await writeFileAtomic(path, JSON.stringify(config, null, 2) + '\n', 0o600);
  return existed ? 'Updated' : 'Added';
}
