import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import type { ControlRequest } from '../app/shared/control-protocol.js';
import { DISCOVERY_VERSION, FRAME_TYPE, HOST_ERROR, type ErrorFrame, type HostFrame } from '../app/shared/native-messaging.js';

/**
 * Asks the running hub for a token over the control socket and turns the answer into the one
 * frame the host hands out (docs/discovery.md). Both messages are app/shared's. The `mcpServers`
 * block is the shape MCP-Link add-ins read: they use only `url` and `headers.Authorization`.
 */

/** Short: the host must answer the browser quickly, and a live hub answers in milliseconds. */
export const ASK_TIMEOUT_MS = 1_500;

/** A control response as read off the socket, before the host checks it. */
interface HubAnswer {
  ok?: unknown;
  token?: unknown;
  clientId?: unknown;
  urls?: { ws?: unknown; mcp?: unknown; sse?: unknown };
  code?: unknown;
  message?: unknown;
}

export interface DiscoveryOptions {
  /** Control sockets to ask, in order (app/os/hub-records.ts); the first that answers decides. */
  socketPaths: readonly string[];
  clientId: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  debug?: (message: string) => void;
}

export async function discover(options: DiscoveryOptions): Promise<HostFrame> {
  const env = options.env ?? process.env;
  let answer: HubAnswer | undefined;
  for (const socketPath of options.socketPaths) {
    try {
      answer = await askHub(socketPath, { op: 'token', client: options.clientId }, options.timeoutMs ?? ASK_TIMEOUT_MS);
      break;
    } catch (error) {
      options.debug?.(`control socket ${socketPath}: ${(error as Error).message}`);
    }
  }
  if (!answer) return hubNotRunning(startApp(env, options.debug));
  const urls = answer.urls;
  if (answer.ok === true && typeof answer.token === 'string' && urls && isString(urls.ws) && isString(urls.mcp) && isString(urls.sse)) {
    return {
      type: FRAME_TYPE.DISCOVERY,
      version: DISCOVERY_VERSION,
      ws: urls.ws,
      mcp: urls.mcp,
      token: answer.token,
      name: typeof answer.clientId === 'string' ? answer.clientId : options.clientId,
      mcpServers: { inlet: { url: urls.sse, headers: { Authorization: `Bearer ${answer.token}` } } },
    };
  }
  return {
    type: FRAME_TYPE.ERROR,
    code: typeof answer.code === 'string' ? answer.code : HOST_ERROR.HUB_UNREACHABLE,
    message: typeof answer.message === 'string' ? answer.message : 'The Inlet hub gave an answer this host does not understand; update Inlet.',
  };
}

function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function hubNotRunning(starting: boolean): ErrorFrame {
  return {
    type: FRAME_TYPE.ERROR,
    code: HOST_ERROR.HUB_NOT_RUNNING,
    message: starting
      ? 'The Inlet hub is not running yet; the Inlet app is starting, so ask again in a few seconds.'
      : 'The Inlet hub is not running; start the Inlet app (or run `inlet serve`) and ask again.',
  };
}

/** Sends one request line and resolves with the parsed response line. */
export function askHub(socketPath: string, request: ControlRequest, timeoutMs: number): Promise<HubAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffered = '';
    const finish = (error: Error | null, answer?: HubAnswer) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(answer!);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      try {
        finish(null, JSON.parse(buffered.slice(0, newline)) as HubAnswer);
      } catch {
        finish(new Error('the control socket answered something that is not JSON'));
      }
    });
    socket.once('end', () => finish(new Error('the control socket closed without an answer')));
  });
}

let appStarted = false;

/**
 * Starts the tray app, when INLET_APP_PATH names one, so the next request finds a hub. The app
 * is detached and outlives this host; ELECTRON_RUN_AS_NODE (set by the launcher to run this
 * host on the app's own binary) must not leak into it, or the app would start as plain Node.
 */
function startApp(env: NodeJS.ProcessEnv, debug?: (message: string) => void): boolean {
  const app = env.INLET_APP_PATH;
  if (!app || !existsSync(app)) return false;
  // Once per host process: the app takes a few seconds to bring its hub up, and requests
  // arriving meanwhile should not launch it again.
  if (appStarted) return true;
  appStarted = true;
  const childEnv = { ...env };
  delete childEnv.ELECTRON_RUN_AS_NODE;
  try {
    const child = spawn(app, [], { detached: true, stdio: 'ignore', env: childEnv, windowsHide: false });
    child.on('error', (error) => debug?.(`starting ${app} failed: ${error.message}`));
    child.unref();
    debug?.(`started ${app}`);
    return true;
  } catch (error) {
    debug?.(`starting ${app} failed: ${(error as Error).message}`);
    return false;
  }
}
