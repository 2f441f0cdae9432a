import { describeError } from '../core/base/errors.js';
import { createLogger } from '../core/base/log.js';
import { parse } from './args.js';

export const stdioHelp = `Usage: inlet stdio [--name NAME] [--url URL] [--token TOKEN] [--data-dir DIR]

A stdio MCP server that forwards everything to the local hub, for AI clients that only speak
stdio (Claude Desktop). It speaks whichever MCP revision the client speaks (2025-06-18,
2025-11-25 or 2026-07-28). Claude Desktop config:
  {"mcpServers": {"inlet": {"command": "node", "args": ["/path/to/inlet/bin/inlet.js", "stdio"]}}}
  (\`inlet serve\` prints this line with this installation's paths filled in.)
  --name NAME   the AI client's name in the hub (default "stdio": its token is ai:NAME)
  --url URL     the hub's /mcp URL (default: the local hub, found through hub.json)
  --token T     an AI token (default: minted for ai:NAME from this installation)`;

export async function stdio(argv: string[]): Promise<number> {
  const { values } = parse(argv, { name: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' } });
  if (values.help) return (console.log(stdioHelp), 0);
  // Loaded here, not at the top: an AI client may start this process just to probe it, and
  // every module not loaded is start-up time saved.
  const { StdioRelay } = await import('./stdio-relay.js');
  const { createContext } = await import('./context.js');
  const context = createContext(values['data-dir']);
  const relay = new StdioRelay({
    log: createLogger('stdio'),
    hubUrl: async () => values.url ?? (await (await import('../core/discovery/hub-file.js')).findRunningHub(context.dataDir)).urls.mcp,
    token: async () => values.token ?? (await context.tokens()).mint(`ai:${values.name ?? 'stdio'}`),
  });
  try {
    return await relay.run();
  } catch (error) {
    process.stderr.write(`inlet stdio: ${describeError(error)}\n`);
    return 1;
  }
}
