import { parseArgs } from 'node:util';
import { describeError, isHubError } from '../core/base/errors.js';
import { createLogger } from '../core/base/log.js';
import type { HubProcessMessage } from '../shared/hub-process.js';
import { composeHub, recordStartedHub } from './start-hub.js';

/**
 * The tray app's hub process (README, Architecture). Main starts this module in an Electron
 * utilityProcess (or, where that cannot run, with child_process.fork: the tests do). It builds
 * the hub through the same composition as `inlet serve`, reports `ready` with the hub's URLs
 * (or `failed` with one sentence, then exits 1), and stops cleanly when main says `stop`, when
 * main goes away, or on SIGTERM. It never imports electron: the hub runs under Node semantics.
 *
 * argv: [--data-dir DIR] [--port N]
 */

interface ParentChannel {
  send(message: HubProcessMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called when the parent is gone (fork only: a utility process dies with its parent). */
  onGone(listener: () => void): void;
}

/** Electron's `process.parentPort` in a utility process, else Node's fork IPC channel. */
function parentChannel(): ParentChannel | undefined {
  const port = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (port) {
    return {
      send: (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', (event) => listener(event.data)),
      onGone: () => undefined,
    };
  }
  const send = process.send?.bind(process);
  if (!send) return undefined;
  return {
    send: (message) => void send(message),
    onMessage: (listener) => process.on('message', listener),
    onGone: (listener) => process.on('disconnect', listener),
  };
}

/** The part of Electron's ParentPort used here (typed locally: this module never imports electron). */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

async function run(): Promise<void> {
  const log = createLogger('hub-process');
  const channel = parentChannel();
  if (!channel) {
    process.stderr.write('inlet hub process: started without a parent to report to; run `inlet serve` instead.\n');
    process.exit(2);
  }
  const { values } = parseArgs({ args: process.argv.slice(2), options: { 'data-dir': { type: 'string' }, port: { type: 'string' } } });
  const port = values.port === undefined ? undefined : Number(values.port);

  let stop: (why: string) => void = () => process.exit(0);
  channel.onMessage((message) => {
    if ((message as { type?: unknown } | null)?.type === 'stop') stop('main asked');
  });
  channel.onGone(() => stop('main went away'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  try {
    const composed = await composeHub({ dataDir: values['data-dir'], port });
    const { hub, dataDir } = composed;
    await hub.start();
    const forget = await recordStartedHub(composed);
    let stopping = false;
    stop = (why) => {
      if (stopping) return;
      stopping = true;
      log.info(`stopping (${why})`);
      hub.stop().then(
        async () => {
          await forget().catch(() => undefined);
          process.exit(0);
        },
        (error) => {
          log.error('shutdown failed', { error: describeError(error) });
          process.exit(1);
        },
      );
    };
    const { ws, mcp, sse, api, panel, healthz, remoteWs } = hub.urls;
    channel.send({ type: 'ready', pid: process.pid, dataDir, urls: { ws, mcp, sse, api, panel, healthz, remoteWs } });
  } catch (error) {
    channel.send({ type: 'failed', code: isHubError(error) ? error.code : 'START_FAILED', message: describeError(error) });
    // Let the message leave before the process does.
    setImmediate(() => process.exit(1));
  }
}

void run();
