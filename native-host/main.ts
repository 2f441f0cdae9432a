import { controlSocketPath } from '../app/os/control-socket-path.js';
import { resolveDataDir } from '../app/os/data-dir.js';
import { readHubRecords } from '../app/os/hub-records.js';
import { callerClientId } from './caller.js';
import { discover } from './discovery.js';
import { encodeFrame, FrameReader, type FrameEvent } from './framing.js';
import { FRAME_TYPE, HOST_ERROR, type HostFrame } from '../app/shared/native-messaging.js';

/**
 * The native-messaging host (docs/discovery.md). A browser or an add-in launches it; it writes one
 * discovery frame at once and answers every later frame with the same one. stdout carries
 * nothing but frames; diagnostics go to stderr, and only with INLET_HOST_DEBUG=1, because
 * browsers log a host's stderr and a chatty host fills their logs.
 */
const debugEnabled = process.env.INLET_HOST_DEBUG === '1';
const debug = (message: string): void => {
  if (debugEnabled) process.stderr.write(`inlet-native-host: ${message}\n`);
};

const clientId = callerClientId(process.argv.slice(2));
const ownSocket = controlSocketPath(resolveDataDir(undefined, process.env));
debug(`caller ${clientId}, control socket ${ownSocket}`);

/**
 * Where to ask: the data dir of this environment (INLET_HOME, else the default), then the hubs
 * that run with another data dir and recorded themselves (docs/discovery.md). Read again on every
 * ask, so a hub started after the host is found.
 */
function socketPaths(): string[] {
  const recorded = readHubRecords().map((record) => record.controlSocket);
  return [...new Set([ownSocket, ...recorded])];
}

let current: HostFrame | undefined;
let exiting = false;

/** The frame to hand out: the cached one, unless it was an error (a hub may have started since). */
async function answer(): Promise<HostFrame> {
  if (!current || current.type === FRAME_TYPE.ERROR) {
    try {
      current = await discover({ socketPaths: socketPaths(), clientId, debug });
    } catch (error) {
      // discover() reports every expected failure as a frame; this keeps the queue alive anyway.
      current = { type: FRAME_TYPE.ERROR, code: HOST_ERROR.HOST_FAILED, message: `The Inlet native host failed: ${(error as Error).message}.` };
    }
  }
  return current;
}

function write(frame: HostFrame): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(encodeFrame(frame), () => resolve());
  });
}

/** Flushes what was queued, then exits; later input is ignored. */
function exit(code: number, queued: Promise<void>): void {
  if (exiting) return;
  exiting = true;
  process.stdin.pause();
  void queued.then(() => process.exit(code));
}

// Frames are answered strictly in order, behind the first one written at start.
let queue: Promise<void> = answer().then(write);

const reader = new FrameReader();

function onEvents(events: FrameEvent[]): void {
  for (const event of events) {
    if (exiting) return;
    if (event.kind === 'frame') {
      queue = queue.then(answer).then(write);
      continue;
    }
    debug(`bad frame: ${event.message}`);
    const frame: HostFrame = { type: FRAME_TYPE.ERROR, code: HOST_ERROR.BAD_FRAME, message: event.message };
    queue = queue.then(() => write(frame));
    exit(1, queue);
  }
}

process.stdin.on('data', (chunk: Buffer) => {
  if (!exiting) onEvents(reader.push(chunk));
});
process.stdin.on('end', () => {
  const truncated = reader.end();
  if (truncated) onEvents([truncated]);
  exit(0, queue);
});
process.stdin.on('error', () => exit(0, queue));
// The browser closed the port: nobody reads our frames any more.
process.stdout.on('error', () => process.exit(0));
