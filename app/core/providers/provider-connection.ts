import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import {
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type Progress,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { describeError, isHubError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { ProviderLimits } from '../config/config.js';
import type { TokenIdentity } from '../security/tokens.js';
import { describeIssue, fetchToolList } from './tool-list.js';
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
  /** Bounds on start-up and every tool listing (reverse_mcp_settings). */
  limits: ProviderLimits;
  log: Logger;
}

/** Long enough never to fire: the connection's own deadlines bound each exchange. */
const NO_SDK_TIMEOUT = 2 ** 31 - 1;
/** Tools left out of one listing that are logged one by one; the rest are counted. */
const LEFT_OUT_LOGGED = 5;

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
  private readonly limits: ProviderLimits;
  /** The listing running now (the start-up one included); list_changed meanwhile waits for it. */
  private listing: Promise<void> | undefined;
  /** When the last re-listing (not the start-up one) began: the interval counts from there. */
  private relistStartedAt = Number.NEGATIVE_INFINITY;
  private relistWanted = false;
  private relistTimer: NodeJS.Timeout | undefined;
  /** Set once this side has refused the provider (warned and closed with 1008). */
  private refused = false;
  private readonly progress = new Map<string, (progress: Progress) => void>();
  private nextProgressToken = 1;

  constructor(
    readonly socket: WebSocket,
    private readonly options: ProviderConnectionOptions,
  ) {
    this.name = options.name;
    this.identity = options.identity;
    this.remoteAddress = options.remoteAddress;
    this.log = options.log;
    this.limits = options.limits;
    this.transport = new WebSocketTransport(socket);
    this.transport.ownerCloses = true;
    this.client = new Client({ name: 'inlet', version: VERSION }, { capabilities: {}, jsonSchemaValidator: SHARED_VALIDATOR });
    this.client.onerror = (error) => this.log.debug('protocol error', { provider: this.name, error: describeError(error) });
    this.client.onclose = () => {
      // Client.connect ends its session itself when initialize fails; start() then closes the
      // socket with 1008 and the reason, so the peer does not get a bare close first.
      if (this.state === 'initializing' && this.socket.readyState === WebSocket.OPEN) return;
      this.finish();
    };
    this.client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.toolsChanged());
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

  /**
   * initialize → notifications/initialized → tools/list, all within `startupTimeoutMs`.
   * Resolves once the tools are known. On any failure the provider is closed with 1008 and one
   * sentence saying what was wrong, the hub logs a warning naming it, and this rejects.
   */
  async start(): Promise<void> {
    this.startHeartbeat();
    const limit = formatSeconds(this.limits.startupTimeoutMs);
    let step = 'initialize';
    const deadline = setTimeout(() => {
      this.refuse(
        step === 'initialize'
          ? `Initialization failed: no answer to initialize within ${limit} (startup_timeout_s).`
          : `Initialization failed: initialize and tools/list took longer than ${limit} (startup_timeout_s).`,
      );
    }, this.limits.startupTimeoutMs);
    try {
      await this.client.connect(this.transport, { timeout: NO_SDK_TIMEOUT });
      this.serverInfo = this.client.getServerVersion();
      step = 'tools/list';
      await this.runListing();
      if (this.state === 'initializing') this.state = 'ready';
    } catch (error) {
      if (this.state !== 'closed') this.refuse(`Initialization failed: ${describeFailure(error, step)}.`);
      else if (!this.refused) this.log.warn('provider failed to start', { provider: this.name, reason: this.closeReason });
      throw error;
    } finally {
      clearTimeout(deadline);
    }
    if (this.relistWanted) this.toolsChanged();
  }

  /**
   * tools/list_changed: re-lists, coalesced. A notification during a listing waits for it to end;
   * re-listings start at most once per `relistIntervalMs` (the first at once), so a provider that
   * floods notifications gets one re-listing per interval, never a storm. Each re-listing has the
   * start-up bounds.
   */
  private toolsChanged(): void {
    if (this.state === 'closed' || this.relistTimer) return;
    if (this.listing || this.state === 'initializing') {
      this.relistWanted = true;
      return;
    }
    const wait = this.relistStartedAt + this.limits.relistIntervalMs - Date.now();
    if (wait > 0) {
      this.relistTimer = setTimeout(() => {
        this.relistTimer = undefined;
        this.toolsChanged();
      }, wait);
      this.relistTimer.unref();
      return;
    }
    this.relistStartedAt = Date.now();
    const limit = this.limits.startupTimeoutMs;
    const deadline = setTimeout(
      () => this.refuse(`The tool list was refused: tools/list took longer than ${formatSeconds(limit)} (startup_timeout_s).`),
      limit,
    );
    this.runListing().then(
      () => {
        clearTimeout(deadline);
        if (this.relistWanted) this.toolsChanged();
      },
      (error: unknown) => {
        clearTimeout(deadline);
        this.refuse(`The tool list was refused: ${describeFailure(error, 'tools/list')}.`);
      },
    );
  }

  /** One whole tool list under the page, tool and byte bounds; publishes it unless closed. */
  private runListing(): Promise<void> {
    this.relistWanted = false;
    this.listing = (async () => {
      const { tools, leftOut } = await fetchToolList(
        (cursor) => this.client.request({ method: 'tools/list', params: cursor ? { cursor } : {} }, PassthroughResultSchema, { timeout: NO_SDK_TIMEOUT }),
        this.limits,
      );
      if (this.state === 'closed') return;
      for (const problem of leftOut.slice(0, LEFT_OUT_LOGGED)) this.log.warn('tool left out', { provider: this.name, problem });
      if (leftOut.length > LEFT_OUT_LOGGED) this.log.warn('more tools left out', { provider: this.name, count: leftOut.length - LEFT_OUT_LOGGED });
      this.tools = tools;
      this.onToolsChanged?.();
    })().finally(() => (this.listing = undefined));
    return this.listing;
  }

  /** Ends a provider that broke the protocol or a bound: a warning here, 1008 and why there. */
  private refuse(reason: string): void {
    if (this.state === 'closed') return;
    this.refused = true;
    this.log.warn(this.state === 'initializing' ? 'provider failed to start' : 'provider closed', { provider: this.name, reason });
    this.close(CLOSE.POLICY, reason);
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
      if (error instanceof McpError) throw error;
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
    if (this.relistTimer) clearTimeout(this.relistTimer);
    if (!this.closeReason) this.closeReason = this.transport.closeReason || 'connection closed';
    // Rejects every call in flight with ConnectionClosed (the SDK's _onclose), at once.
    void this.client.close().catch(() => undefined);
    this.onClosed?.(this.closeReason);
  }

  get reason(): string {
    return this.closeReason;
  }
}

export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** What went wrong in one step of the exchange, as a clause a provider can read. */
function describeFailure(error: unknown, step: string): string {
  if (isHubError(error, 'PROVIDER_REFUSED')) return error.message;
  // Only asked while the socket is open, so even -32000 (the SDK's "connection closed") is the provider's own error.
  if (error instanceof McpError) return `the provider answered ${step} with error ${error.code} (${error.message.replace(/^MCP error -?\d+: /, '')})`;
  const issues = (error as { issues?: unknown }).issues;
  if (Array.isArray(issues)) return `the ${step} result is not valid (${describeIssue(issues[0] as Parameters<typeof describeIssue>[0])})`;
  const message = describeError(error).replace(/\.$/, '');
  return message.charAt(0).toLowerCase() + message.slice(1);
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
