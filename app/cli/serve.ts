import { Hub } from '../core/hub.js';
import { createLogger } from '../core/base/log.js';
import { inletCommand, inletCommandLine } from '../core/base/version.js';
import { describeError } from '../core/base/errors.js';
import { parse, parsePort } from './args.js';
import { createContext } from './context.js';
import { controlSocketPath } from '../os/control-socket-path.js';

export const serveHelp = `Usage: inlet serve [--port N] [--host H] [--data-dir DIR]

Runs the hub headless: providers dial in on /ws, AI clients use /mcp.
  --port N      port to listen on (default from config.json, 41414; 0 picks a free one)
  --host H      address to listen on (default 127.0.0.1)
Stops cleanly on Ctrl-C / SIGTERM.`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, host: { type: 'string' } });
  if (values.help) return (console.log(serveHelp), 0);
  const context = createContext(values['data-dir']);
  const hub = new Hub({
    dataDir: context.dataDir,
    secretStore: await context.secretStore(createLogger('secrets')),
    port: parsePort(values.port),
    host: values.host,
    controlSocketPath: controlSocketPath(context.dataDir),
  });
  await hub.start();
  const urls = hub.urls;
  const out = process.stdout;
  out.write(`Inlet hub running (data dir ${context.dataDir}).\n`);
  out.write(`  providers dial: ${urls.ws}${urls.remoteWs ? `  and ${urls.remoteWs}` : ''}\n`);
  out.write(`  AI clients use: ${urls.mcp}\n`);
  out.write(`  panel (one-time login link, valid 2 minutes; \`inlet panel\` prints a fresh one):\n    ${hub.admin.loginUrl()}\n\n`);
  out.write(`Connect an AI client:\n`);
  const inlet = inletCommandLine();
  const { command, args } = inletCommand();
  out.write(`  Claude Code:    claude mcp add --transport http inlet ${urls.mcp} --header "Authorization: Bearer $(${inlet} token create --client ai:claude-code)"\n`);
  out.write(`  Claude Desktop: ${JSON.stringify({ mcpServers: { inlet: { command, args: [...args, 'stdio', '--name', 'claude-desktop'] } } })}\n`);
  out.write(`Offer a stdio MCP server as tools: ${inlet} bridge --name NAME -- COMMAND ARGS...\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write('inlet: stopping now.\n');
        process.exit(130);
      }
      stopping = true;
      hub.log.info(`${signal} received; shutting down`);
      hub.stop().then(
        () => resolve(0),
        (error) => {
          process.stderr.write(`inlet: shutdown failed: ${describeError(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
