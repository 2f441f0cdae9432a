import { chmod, lstat, mkdir, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { z } from 'zod';
import { describeError, HubError, isHubError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import {
  CONTROL_ERROR,
  MAX_CONTROL_CLIENT_CHARS,
  MAX_CONTROL_LINE_BYTES,
  type ControlErrorCode,
  type ControlRequest as SharedControlRequest,
  type ControlResponse,
  type ControlUrls,
} from '../../shared/control-protocol.js';

/**
 * The control socket (docs/discovery.md): how the native host, a program of the same OS user, asks
 * the running hub for a token. Newline-delimited JSON, one response line per request line.
 * Only ext: and addin: tokens are handed out here; the socket is 0600 (and sits in the 0700
 * data dir), so reaching it already proves "same user", but an ai: or admin token would be a
 * wider grant than a browser extension or add-in needs. The messages are app/shared's, which the
 * native host imports too.
 */
const IDLE_TIMEOUT_MS = 30_000;
/** The native host opens one short connection per request; a few dozen at once is plenty. */
const MAX_CONNECTIONS = 32;
const PROBE_TIMEOUT_MS = 1_000;

export const ControlRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('token'), client: z.string().max(MAX_CONTROL_CLIENT_CHARS) }),
  z.object({ op: z.literal('ping') }),
]);
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

// The schema and the shared type the native host writes must describe the same request.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _requestMatch: Same<ControlRequest, SharedControlRequest> = true;
void _requestMatch;

export interface ControlServerOptions {
  /** Unix socket path or Windows pipe name (see app/os/control-socket-path.ts). */
  path: string;
  /** Mints a token; throws HubError('CLIENT_ID_INVALID') for a malformed id. */
  mint: (clientId: string) => string;
  urls: () => ControlUrls;
  /** Revoked client ids get REVOKED instead of a token that would not work anyway. */
  isRevoked?: (clientId: string) => boolean;
  log: Logger;
  /** Connections open at once; one more is answered BUSY and closed (default 32). */
  maxConnections?: number;
  /** Longest request line; a longer one is answered TOO_LARGE and closed (default 64 KiB). */
  maxLineBytes?: number;
  /** A connection with no complete request for this long is answered IDLE and closed (default 30 s). */
  idleMs?: number;
}

const GRANTABLE = /^(ext|addin):/;

export class ControlServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly isPipe: boolean;
  private readonly maxConnections: number;
  private readonly maxLineBytes: number;
  private readonly idleMs: number;
  /** Whether the last connection was turned away, so a flood is logged once. */
  private turningAway = false;

  constructor(private readonly options: ControlServerOptions) {
    this.isPipe = options.path.startsWith('\\\\.\\pipe\\') || options.path.startsWith('\\\\?\\pipe\\');
    this.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
    this.maxLineBytes = options.maxLineBytes ?? MAX_CONTROL_LINE_BYTES;
    this.idleMs = options.idleMs ?? IDLE_TIMEOUT_MS;
  }

  async start(): Promise<void> {
    if (!this.isPipe) await this.clearStaleSocket();
    const server = createServer((socket) => this.accept(socket));
    await this.listen(server);
    this.server = server;
    if (!this.isPipe) await chmod(this.options.path, 0o600);
    this.options.log.info('control socket listening', { path: this.options.path });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (!this.isPipe) await rm(this.options.path, { force: true });
  }

  /** Answers one request line. Exposed so the protocol can be exercised without a socket. */
  handle(request: ControlRequest): ControlResponse {
    if (request.op === 'ping') return { ok: true };
    const clientId = request.client;
    if (!GRANTABLE.test(clientId)) {
      return { ok: false, code: CONTROL_ERROR.FORBIDDEN, message: `The control socket hands out ext: and add-in tokens only, not "${clientId}".` };
    }
    let token: string;
    try {
      token = this.options.mint(clientId);
    } catch (error) {
      if (isHubError(error, 'CLIENT_ID_INVALID')) return { ok: false, code: CONTROL_ERROR.CLIENT_ID_INVALID, message: error.message };
      this.options.log.error('control token failed', { client: clientId, error: describeError(error) });
      return { ok: false, code: CONTROL_ERROR.INTERNAL, message: 'The hub could not issue a token.' };
    }
    if (this.options.isRevoked?.(clientId)) {
      return { ok: false, code: CONTROL_ERROR.REVOKED, message: `The client ${clientId} has been revoked; allow it again with \`inlet token allow --client ${clientId}\`.` };
    }
    this.options.log.info('control token issued', { client: clientId });
    return { ok: true, token, clientId, urls: this.options.urls() };
  }

  /**
   * One connection: request lines in, one answer line each. Every way it can hold resources is
   * bounded: connections at once, the length of a line, and the time between complete requests
   * (a client trickling bytes is as idle as a silent one). Past a bound the client gets one
   * error line saying which, and the connection is closed, not merely half-closed: a client
   * that keeps writing is cut off instead of being read forever.
   */
  private accept(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    let closing = false;
    const fail = (code: ControlErrorCode, message: string) => {
      if (closing) return;
      closing = true;
      socket.pause();
      socket.end(JSON.stringify({ ok: false, code, message }) + '\n', () => socket.destroy());
      // A client that does not read its answer must not hold the connection open either.
      setTimeout(() => socket.destroy(), 1_000).unref();
    };
    const busy = this.sockets.size >= this.maxConnections;
    // Tracked even when turned away, so close() ends it with the rest.
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    if (busy) {
      if (!this.turningAway) this.options.log.warn('control socket busy: connections turned away', { open: this.sockets.size - 1 });
      this.turningAway = true;
      return fail(CONTROL_ERROR.BUSY, `The hub already has ${this.maxConnections} control connections open; try again in a moment.`);
    }
    this.turningAway = false;
    const idleSeconds = Math.round(this.idleMs / 100) / 10;
    const idle = setTimeout(() => fail(CONTROL_ERROR.IDLE, `No complete request within ${idleSeconds} s; the hub closed this connection.`), this.idleMs);
    socket.on('close', () => clearTimeout(idle));
    const tooLarge = () => fail(CONTROL_ERROR.TOO_LARGE, `A control request line may hold at most ${this.maxLineBytes} bytes.`);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (closing) return;
      buffered += chunk;
      let newline: number;
      while (!closing && (newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).replace(/\r$/, '');
        buffered = buffered.slice(newline + 1);
        if (Buffer.byteLength(line) > this.maxLineBytes) return tooLarge();
        if (line.trim() === '') continue;
        const request = parseRequest(line);
        if (!request.ok) return fail(CONTROL_ERROR.BAD_REQUEST, request.message);
        socket.write(JSON.stringify(this.handle(request.value)) + '\n');
        idle.refresh();
      }
      if (Buffer.byteLength(buffered) > this.maxLineBytes) tooLarge();
    });
  }

  /**
   * A socket file left by a hub that crashed blocks listen() with EADDRINUSE. It is removed
   * only when nothing answers on it; a live hub is left alone and this start fails instead.
   */
  private async clearStaleSocket(): Promise<void> {
    const path = this.options.path;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const stats = await lstat(path).catch(() => null);
    if (!stats) return;
    if (!stats.isSocket()) {
      throw new HubError('LISTEN_FAILED', `${path} exists and is not a socket; move it away so the hub can create its control socket there.`);
    }
    if (await answers(path)) {
      throw new HubError('LISTEN_FAILED', `Another Inlet hub is already running for this data dir (its control socket ${path} answers).`);
    }
    this.options.log.info('removing stale control socket', { path });
    await rm(path, { force: true });
  }

  private listen(server: Server): Promise<void> {
    // The socket is created 0600 through the umask, so there is no moment in which a looser
    // mode exists; the chmod after listen() covers runtimes where umask cannot be changed.
    const restore = this.isPipe ? undefined : setUmask(0o177);
    return new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        const reason = error.code === 'EADDRINUSE' ? 'another Inlet hub is already listening there' : error.message;
        reject(new HubError('LISTEN_FAILED', `The control socket ${this.options.path} cannot be opened: ${reason}.`, { cause: error }));
      };
      server.once('error', onError);
      server.listen(this.options.path, () => {
        server.off('error', onError);
        resolve();
      });
    }).finally(() => {
      if (restore !== undefined) setUmask(restore);
    });
  }
}

function parseRequest(line: string): { ok: true; value: ControlRequest } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, message: 'A control request must be one line of JSON.' };
  }
  const parsed = ControlRequestSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: 'A control request is {"op":"token","client":"ext:ID"} or {"op":"ping"}.' };
  return { ok: true, value: parsed.data };
}

function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined; // worker threads cannot change the umask
  }
}

/** Does anything accept a connection on this socket path? */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(true)); // connected-but-silent still means alive
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
