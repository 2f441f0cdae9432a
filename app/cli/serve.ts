import type { Hub } from '../core/hub.js';
import { createLogger } from '../core/base/log.js';
import { describeError } from '../core/base/errors.js';
import { composeHub, recordStartedHub } from '../os/start-hub.js';
import { parse, parsePort } from './args.js';
import { deferredLogger } from './deferred-logger.js';
import { serveWelcome } from './serve-welcome.js';

export const serveHelp = `Usage: inlet serve [--port N] [--host H] [--data-dir DIR]

Runs the hub headless: providers dial in on /ws, AI clients use /mcp.
  --port N      port to listen on (default from config.json, 41414; 0 picks a free one)
  --host H      address to listen on (default 127.0.0.1)
Stops cleanly on Ctrl-C, SIGTERM or SIGHUP, also when its output goes to a pipe that closed
(\`inlet serve 2>&1 | tee hub.log\`): calls in flight get their error, hub.json and the control
socket are removed.`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, host: { type: 'string' } });
  if (values.help) return (console.log(serveHelp), 0);
  const port = parsePort(values.port);
  // The keychain's "using the file instead" warning is said once the hub runs: a serve that
  // fails says only why it failed.
  const secretsLog = deferredLogger(createLogger('secrets'));
  const composed = await composeHub({ dataDir: values['data-dir'], port, host: values.host, secretsLog });
  const { hub, dataDir, inlet } = composed;
  await hub.start();
  secretsLog.flush();
  const forget = await recordStartedHub(composed);
  process.stdout.write(serveWelcome(hub.urls, dataDir, hub.admin.loginUrl(), inlet));
  const code = await stopOnSignal(hub);
  await forget().catch(() => undefined);
  return code;
}

/** Resolves with the exit code once a signal stopped the hub; a second Ctrl-C stops at once. */
function stopOnSignal(hub: Hub): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
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
    // SIGHUP: the terminal that started the hub closed.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  });
}
