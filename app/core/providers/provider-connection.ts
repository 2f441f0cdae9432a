import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import {
  ErrorCode,
  ListToolsResultSchema,
  McpError,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type Progress,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { describeError } from '../base/errors.js';
import { RpcError } from '../base/rpc-error.js';
import type { Logger } from '../base/log.js';
import type { TokenIdentity } from '../security/tokens.js';
import { CLOSE, WebSocketTransport } from './ws-transport.js';
import { VERSION } from '../base/version.js';

/**
 * One validator for every provider client: the SDK would build an Ajv instance per Client
 * (most of an idle connection's memory), and the hub never validates provider output anyway.
 */
export const SHARED_VALIDATOR = new AjvJsonSchemaValidator();

/** Results pass through as the provider sent them: no schema may strip or reshape content. */
const PassthroughResultSchema = z.looseObject({});

export type ProviderState = 'initializing' | 'ready' | 'closed';

export interface ProviderStats {
  calls: number;
  errors: number;
  inFlight: number;
  totalMs: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  onprogress?: (progress: Progress) => void;
  timeoutMs: number;
  /** `_meta` from the AI client's request, without its progressToken (the SDK sets its own). */
  meta?: Record<string, unknown>;
}

export interface ProviderConnectionOptions {
  name: string;
  identity: TokenIdentity;
  remoteAddress: string;
  heartbeatMs: number;
  log: Logger;
}

/**
 * One provider that dialled in: the hub is the MCP client, the provider the server. Owns the
 * socket, the SDK `Client` driving it, the heartbeat, and the provider's raw tool list.
 * Closing it (for any reason) rejects every call in flight at once with a tool error that says
 * what happened.
 */
export class ProviderConnection {
  readonly name: string;
  readonly identity: TokenIdentity;
  readonly remoteAddress: string;
  readonly connectedAt = Date.now();
  readonly stats: ProviderStats = { calls: 0, errors: 0, inFlight: 0, totalMs: 0 };
  state: ProviderState = 'initializing';
  tools: Tool[] = [];
  serverInfo: { name: string; version: string } | undefined;
  /** Set by the hub: the tool list changed (after the first listing too). */
  onToolsChanged?: () => void;
  /** Set by the hub: the connection is gone; `reason` is one phrase for people. */
  onClosed?: (reason: string) => void;

  private readonly transport: WebSocketTransport;
  private readonly client: Client;
  private readonly log: Logger;
  private heartbeat: NodeJS.Timeout | undefined;
  private heardSincePing = true;
  private closeReason = '';
  private listing: Promise<void> | undefined;
  private readonly progress = new Map<string, (progress: Progress) => void>();
  private nextProgressToken = 1;
  private relistWanted = false;

  constructor(
    readonly socket: WebSocket,
    private readonly options: ProviderConnectionOptions,
  ) {
    this.name = options.name;
    this.identity = options.identity;
    this.remoteAddress = options.remoteAddress;
    this.log = options.log;
    this.transport = new WebSocketTransport(socket);
    this.client = new Client({ name: 'inlet', version: VERSION }, { capabilities: {}, jsonSchemaValidator: SHARED_VALIDATOR });
    this.client.onerror = (error) => this.log.debug('protocol error', { provider: this.name, error: describeError(error) });
    this.client.onclose = () => this.finish();
    this.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      void this.refreshTools();
    });
    this.transport.onerror = (error) => {
      if (!this.closeReason && /closed the connection/.test(error.message)) this.closeReason = error.message.replace(/^closed the connection: /, '');
    };
    this.transport.intercept = (message) => {
      if (!('method' in message) || message.method !== 'notifications/progress') return false;
      const params = message.params as { progressToken?: unknown } & Progress;
      const handler = this.progress.get(String(params?.progressToken));
      if (!handler) return false;
      const { progressToken: _token, ...progress } = params;
      handler(progress as Progress);
      return true;
    };
    socket.on('pong', () => (this.heardSincePing = true));
    socket.on('message', () => (this.heardSincePing = true));
  }

  /** initialize → notifications/initialized → tools/list. Resolves once the tools are known. */
  async start(): Promise<void> {
    this.startHeartbeat();
    try {
      await this.client.connect(this.transport, { timeout: 30_000 });
      this.serverInfo = this.client.getServerVersion();
      await this.refreshTools();
      if (this.state === 'initializing') this.state = 'ready';
    } catch (error) {
      if (this.state !== 'closed') {
        this.log.warn('provider failed to initialize', { provider: this.name, error: describeError(error) });
        this.close(CLOSE.POLICY, `initialization failed: ${describeError(error)}`);
      }
      throw error;
    }
  }

  /** Fetches the whole tool list (following cursors); coalesces overlapping requests. */
  refreshTools(): Promise<void> {
    if (this.listing) {
      this.relistWanted = true;
      return this.listing;
    }
    this.listing = (async () => {
      do {
        this.relistWanted = false;
        const tools: Tool[] = [];
        let cursor: string | undefined;
        do {
          const page = await this.client.request(
            { method: 'tools/list', params: cursor ? { cursor } : {} },
            ListToolsResultSchema,
            { timeout: 30_000 },
          );
          tools.push(...page.tools);
          cursor = page.nextCursor;
        } while (cursor);
        if (this.state === 'closed') return;
        this.tools = tools;
        this.onToolsChanged?.();
      } while (this.relistWanted);
    })().finally(() => (this.listing = undefined));
    return this.listing;
  }

  /**
   * Calls one of this provider's tools. Protocol errors from the provider are rethrown as
   * McpError (the AI client gets the same JSON-RPC error); a timeout or a lost connection
   * becomes a tool error (isError: true) naming the provider.
   */
  async callTool(tool: string, args: Record<string, unknown> | undefined, options: CallOptions): Promise<CallToolResult> {
    const started = performance.now();
    this.stats.calls++;
    this.stats.inFlight++;
    // Our own progress token and timer (see WebSocketTransport.intercept): the timer restarts
    // on each progress notification and, when it fires, cancels the call at the provider.
    const token = `inlet-${this.nextProgressToken++}`;
    // One controller for both ways a call is given up: the AI client's cancellation and our
    // timer (AbortSignal.any would cost a second signal and listener set per call).
    const controller = new AbortController();
    let timedOut = false;
    const onTimeout = () => {
      timedOut = true;
      controller.abort('timeout');
    };
    let timer = setTimeout(onTimeout, options.timeoutMs);
    const onCancel = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onCancel, { once: true });
    if (options.signal?.aborted) onCancel();
    this.progress.set(token, (progress) => {
      clearTimeout(timer);
      timer = setTimeout(onTimeout, options.timeoutMs);
      options.onprogress?.(progress);
    });
    const signal = controller.signal;
    try {
      const params: Record<string, unknown> = { name: tool, _meta: { ...options.meta, progressToken: token } };
      if (args !== undefined) params.arguments = args;
      const result = await this.client.request({ method: 'tools/call', params }, PassthroughResultSchema, {
        signal,
        timeout: 2 ** 31 - 1,
      });
      if ((result as CallToolResult).isError) this.stats.errors++;
      return result as CallToolResult;
    } catch (error) {
      this.stats.errors++;
      if (options.signal?.aborted) throw error;
      if (timedOut) {
        return toolError(
          `Provider "${this.name}" did not answer ${tool} within ${formatSeconds(options.timeoutMs)}; the call was cancelled.`,
        );
      }
      // The SDK reports a lost connection as ConnectionClosed; a send on a closed socket throws plainly.
      const lost = error instanceof McpError ? error.code === ErrorCode.ConnectionClosed : this.state === 'closed';
      if (lost) return toolError(`Provider "${this.name}" disconnected while ${tool} was running (${this.closeReason || 'connection closed'}).`);
      if (error instanceof McpError) throw fromMcpError(error);
      return toolError(`Provider "${this.name}" returned an unusable answer to ${tool}: ${describeError(error)}.`);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCancel);
      this.progress.delete(token);
      this.stats.inFlight--;
      this.stats.totalMs += performance.now() - started;
    }
  }

  /** Closes the socket with a code and a reason the provider can read. Idempotent. */
  close(code: number, reason: string): void {
    if (!this.closeReason) this.closeReason = reason;
    this.transport.closeWith(code, reason);
    // A socket that never completes its closing handshake must not keep calls waiting.
    if (this.socket.readyState !== 3) {
      setTimeout(() => this.socket.terminate(), 2_000).unref();
    }
    this.finish();
  }

  private startHeartbeat(): void {
    const interval = this.options.heartbeatMs;
    this.heartbeat = setInterval(() => {
      if (!this.heardSincePing) {
        this.log.warn('provider stopped answering pings', { provider: this.name });
        if (!this.closeReason) this.closeReason = `no answer to pings for ${formatSeconds(2 * interval)}`;
        this.socket.terminate();
        this.finish();
        return;
      }
      this.heardSincePing = false;
      try {
        this.socket.ping();
      } catch {
        /* the close event follows */
      }
    }, interval);
    this.heartbeat.unref();
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (!this.closeReason) this.closeReason = this.transport.closeReason || 'connection closed';
    // Rejects every call in flight with ConnectionClosed (the SDK's _onclose), at once.
    void this.client.close().catch(() => undefined);
    this.onClosed?.(this.closeReason);
  }

  get reason(): string {
    return this.closeReason;
  }
}

/** The provider's JSON-RPC error as it sent it (v1's McpError puts "MCP error N: " before the message). */
function fromMcpError(error: McpError): RpcError {
  const prefix = `MCP error ${error.code}: `;
  return new RpcError(error.code, error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message, error.data);
}

export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
