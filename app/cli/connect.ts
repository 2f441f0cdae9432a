import { HubError } from '../core/base/errors.js';
import { findRunningHub } from '../core/discovery/hub-file.js';
import { AI_CLIENT_LABELS, AI_CLIENTS, clientConfig, isAiClient, mergeServer, needsToken } from '../os/client-configs.js';
import { parse } from './args.js';
import { createContext } from './context.js';

export const connectHelp = `Usage: inlet connect claude-desktop|claude-code|cursor|vscode [--name NAME] [--write]

Prints the config that connects that AI client to this hub; with --write, merges it into the
client's own config file (Claude Desktop, Cursor, VS Code), keeping every other server there. A
hub outside the default data dir is named in the entry (--data-dir), so the client reaches it.
  claude-desktop  a stdio server entry running \`inlet stdio\` (it finds the hub by itself)
  claude-code     the \`claude mcp add\` command, with a token for ai:NAME
  cursor          a url + Authorization entry for ~/.cursor/mcp.json, with a token for ai:NAME
  vscode          an http entry for VS Code's user mcp.json, with a token for ai:NAME
  --name NAME     the AI client's name in the hub (default: the client's own name)`;

export async function connect(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { name: { type: 'string' }, write: { type: 'boolean' } }, true);
  const client = positionals[0];
  if (values.help || !client) return (console.log(connectHelp), values.help ? 0 : 2);
  if (!isAiClient(client)) throw new HubError('USAGE', `Unknown client "${client}": use ${AI_CLIENTS.join(', ')}.`);
  const context = createContext(values['data-dir']);
  const name = values.name ?? client;
  const needs = needsToken(client);
  const mcpUrl = needs ? (await findRunningHub(context.dataDir)).urls.mcp : '';
  const token = needs ? (await context.tokens()).mint(`ai:${name}`) : undefined;
  const config = clientConfig(client, { name, mcpUrl, token, inlet: context.inlet });
  if (config.kind === 'command') {
    process.stdout.write(`${config.command}\n`);
    if (values.write) process.stderr.write('Claude Code keeps its config itself: run the command above.\n');
    return 0;
  }
  if (!values.write) {
    process.stdout.write(JSON.stringify({ [config.key]: { inlet: config.entry } }, null, 2) + '\n');
    return 0;
  }
  const merged = await mergeServer(config.path, config.entry, config.key);
  process.stdout.write(`${merged} the "inlet" server in ${config.path}; restart ${AI_CLIENT_LABELS[client]} to pick it up.\n`);
  return 0;
}
