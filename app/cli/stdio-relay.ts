import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  isInitializeRequest,
  isJSONRPCRequest,
  PROTOCOL_VERSION_META_KEY,
  SdkHttpError,
  StreamableHTTPClientTransport,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/client';
import { describeError } from '../core/base/errors.js';
import type { Logger } from '../core/base/log.js';
import { StdioLines } from './stdio-lines.js';

export interface StdioRelayOptions {
  log: Logger;
  /** The hub's /mcp URL, looked up again after a lost connection (the hub may have restarted elsewhere). */
  hubUrl: () => Promise<string>;
  token: () => Promise<string>;
}

/**
 * `inlet stdio`: relays JSON-RPC messages between stdin/stdout and the hub's `/mcp`, unchanged,
 * so it speaks whichever revision the AI client speaks. The SDK's HTTP client transport derives
 * the 2026-07-28 headers from each request's envelope; a 2026 cancellation becomes the end of
 * that request's POST (the HTTP form of it), a 2025 one is forwarded. A 2025 session is ended
 * with `DELETE` when the client goes, and reopened (initialize replayed) if the hub restarted.
 */
export class StdioRelay {
  private readonly local = new StdioLines();
  private upstream: Promise<StreamableHTTPClientTransport> | undefined;
  private initialize: JSONRPCRequest | undefined;
  private initialized = false;
  private reopening: Promise<void> | undefined;
  /** 2026-07-28 requests in flight: cancelling one aborts its POST. */
  private readonly modern = new Map<RequestId, AbortController>();
  private toClient: Promise<void> = Promise.resolve();
  private lastWasProgress = false;
  private ending: Promise<void> | undefined;

  constructor(private readonly options: StdioRelayOptions) {}

  run(): Promise<number> {
    return new Promise<number>((resolve) => {
      const end = () => void this.end().then(() => resolve(0));
      this.local.onmessage = (message) => void this.forward(message);
      this.local.onclose = end;
      this.local.onerror = (error) => this.options.log.warn('bad input on stdin', { error: describeError(error) });
      process.once('SIGTERM', end);
      process.once('SIGINT', end);
      this.local.start();
    });
  }

  private async forward(message: JSONRPCMessage): Promise<void> {
    if (isInitializeRequest(message)) this.initialize = message as JSONRPCRequest;
    else if ('method' in message && message.method === 'notifications/initialized') this.initialized = true;
    else if ('method' in message && message.method === 'notifications/cancelled') {
      const call = this.modern.get((message.params as { requestId?: RequestId } | undefined)?.requestId ?? '');
      // Over HTTP a 2026-07-28 request is cancelled by closing its stream; the hub hears that.
      if (call) return call.abort();
    }
    let signal: AbortSignal | undefined;
    if (isJSONRPCRequest(message) && isModern(message)) {
      const call = new AbortController();
      this.modern.set(message.id, call);
      signal = call.signal;
    }
    try {
      await this.send(message, signal);
    } catch (error) {
      if (signal?.aborted) return; // cancelled: nothing is answered
      if (!isJSONRPCRequest(message)) return;
      this.modern.delete(message.id);
      this.reply({ jsonrpc: '2.0', id: message.id, error: hubError(error) });
    }
  }

  /** Sends one message; after a lost connection or session, reconnects once and sends again. */
  private async send(message: JSONRPCMessage, signal: AbortSignal | undefined): Promise<void> {
    const upstream = await this.connect();
    try {
      await upstream.send(message, signal ? { requestSignal: signal } : undefined);
    } catch (error) {
      const sessionLost = error instanceof SdkHttpError && error.status === 404 && upstream.sessionId !== undefined;
      if (!sessionLost && error instanceof SdkHttpError) throw error;
      if (signal?.aborted) throw error;
      // The hub went away (or restarted and forgot the session): find it again.
      if (this.upstream && (await this.upstream.catch(() => undefined)) === upstream) this.upstream = undefined;
      void upstream.close().catch(() => undefined);
      if (this.initialize && this.initialized && !isInitializeRequest(message)) await this.reopen();
      await (await this.connect()).send(message, signal ? { requestSignal: signal } : undefined);
    }
  }

  private connect(): Promise<StreamableHTTPClientTransport> {
    this.upstream ??= (async () => {
      const [url, token] = await Promise.all([this.options.hubUrl(), this.options.token()]);
      const upstream = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
      upstream.onmessage = (message) => this.fromHub(upstream, message);
      upstream.onerror = (error) => this.options.log.debug('hub transport error', { error: describeError(error) });
      await upstream.start();
      return upstream;
    })();
    this.upstream.catch(() => (this.upstream = undefined));
    return this.upstream;
  }

  /** A new 2025 session after a hub restart: replay initialize, swallow its answer, re-announce tools. */
  private reopen(): Promise<void> {
    this.reopening ??= (async () => {
      const upstream = await this.connect();
      const initialize = this.initialize!;
      const answered = new Promise<void>((resolve) => {
        upstream.onmessage = (message) => {
          if (!('id' in message) || message.id !== initialize.id || 'method' in message) return this.fromHub(upstream, message);
          upstream.onmessage = (next) => this.fromHub(upstream, next);
          this.adopt(upstream, message);
          resolve();
        };
      });
      await upstream.send(initialize);
      await answered;
      await upstream.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      this.options.log.info('reconnected to the hub with a new session');
      this.reply({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    })().finally(() => (this.reopening = undefined));
    return this.reopening;
  }

  private fromHub(upstream: StreamableHTTPClientTransport, message: JSONRPCMessage): void {
    if ('id' in message && !('method' in message)) {
      this.modern.delete(message.id as RequestId);
      if (this.initialize && message.id === this.initialize.id) this.adopt(upstream, message);
    }
    this.reply(message);
  }

  /** Remembers the revision the hub accepted for the 2025 session (sent as MCP-Protocol-Version). */
  private adopt(upstream: StreamableHTTPClientTransport, answer: JSONRPCMessage): void {
    const version = (answer as { result?: { protocolVersion?: unknown } }).result?.protocolVersion;
    if (typeof version === 'string') upstream.setProtocolVersion(version);
  }

  /**
   * Writes to the client in order. A result right after a progress notification waits one
   * event-loop turn: a client that reads both in one chunk stops listening for the request's
   * progress on its result before it has handled the notification.
   */
  private reply(message: JSONRPCMessage): void {
    const isProgress = 'method' in message && message.method === 'notifications/progress';
    const isResponse = 'id' in message && !('method' in message);
    const wait = isResponse && this.lastWasProgress;
    this.lastWasProgress = isProgress;
    this.toClient = this.toClient
      .then(() => (wait ? nextTurn() : undefined))
      .then(() => this.local.send(message))
      .catch(() => undefined);
  }

  /** The client went: end the 2025 session (DELETE) so it does not outlive its client. */
  private end(): Promise<void> {
    this.ending ??= (async () => {
      for (const call of this.modern.values()) call.abort();
      const upstream = await this.upstream?.catch(() => undefined);
      if (upstream?.sessionId) await upstream.terminateSession().catch(() => undefined);
      await upstream?.close().catch(() => undefined);
      await this.toClient;
      process.stdin.destroy();
      // Whatever still holds the event loop (a socket the HTTP client keeps alive), the client is gone.
      setTimeout(() => process.exit(0), 2_000).unref();
    })();
    return this.ending;
  }
}

function isModern(message: JSONRPCRequest): boolean {
  return typeof message.params?._meta?.[PROTOCOL_VERSION_META_KEY] === 'string';
}

/** The hub's own JSON-RPC error when it sent one, else "not reachable". */
function hubError(error: unknown): { code: number; message: string; data?: unknown } {
  if (error instanceof SdkHttpError) {
    try {
      const body = JSON.parse(String((error.data as { text?: unknown }).text ?? '')) as { error?: { code?: unknown; message?: unknown; data?: unknown } };
      if (typeof body.error?.code === 'number' && typeof body.error.message === 'string') {
        return { code: body.error.code, message: body.error.message, ...(body.error.data === undefined ? {} : { data: body.error.data }) };
      }
    } catch {
      // not a JSON-RPC answer: fall through
    }
  }
  return { code: -32000, message: `The Inlet hub is not reachable: ${describeError(error)}` };
}
