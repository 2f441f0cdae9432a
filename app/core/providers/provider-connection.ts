import type { ProviderLogLine } from '../../shared/admin-types.js';
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  Client,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  SdkError,
  SdkErrorCode,
  type CallToolResult,
  type McpSubscription,
  type CompleteRequestParams,
  type CompleteResult,
  type GetPromptResult,
  type Progress,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplateType,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/client';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { describeError, isHubError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { NO_VALIDATION } from '../base/no-validation.js';
import { asRpcError, RPC, RpcError } from '../base/rpc-error.js';
import type { ProviderLimits } from '../config/config.js';
import type { TokenIdentity } from '../security/tokens.js';
import type { ProtocolVerdicts } from './protocol-verdicts.js';
import { describeIssue } from './list-fetch.js';
import { formatSeconds, ProviderLists } from './provider-lists.js';
import { ProviderRelay, RELAYED_CAPABILITIES } from './provider-relay.js';
import { RELAYED_REQUESTS, type AiChannel } from '../calls/ai-channel.js';
import type { ClientRequests } from '../calls/client-requests.js';
import { CLOSE, WebSocketTransport } from './ws-transport.js';
import { VERSION } from '../base/version.js';
import { toolError, type CallOptions, type Provider, type ProviderEvent, type ProviderState, type ProviderStats, type RequestOptions } from './provider.js';

export { toolError, type CallOptions, type ProviderState, type ProviderStats } from './provider.js';
export { formatSeconds } from './provider-lists.js';

/** Results pass through as the provider sent them: no schema may strip or reshape content. */
const PassthroughResultSchema = z.looseObject({});

/**
 * The per-request envelope of 2026-07-28 (`_meta` keys the SDK fills in for the hub's own hop):
 * an AI client's values describe its hop to the hub, so they are not forwarded to a provider.
 */
const ENVELOPE_KEYS = new Set([PROTOCOL_VERSION_META_KEY, CLIENT_INFO_META_KEY, CLIENT_CAPABILITIES_META_KEY, LOG_LEVEL_META_KEY]);

/** The longest wait for an answer to `server/discover` before asking `initialize` instead. */
const MAX_PROBE_MS = 5_000;

export interface ProviderConnectionOptions {
  name: string;
  identity: TokenIdentity;
  remoteAddress: string;
  heartbeatMs: number;
  /** Bounds on start-up and every tool listing (reverse_mcp_settings). */
  limits: ProviderLimits;
  /** Which provider names speak 2025 only (shared by every connection of the hub). */
  verdicts: ProtocolVerdicts;
  /** Passes the provider's requests to the calling AI client (absent: they are refused). */
  requests?: ClientRequests;
  log: Logger;
}

/** Most `input_required` rounds of one call (the SDK's default for its own driver is 10). */
const MAX_INPUT_ROUNDS = 10;
/** Long enough never to fire: the connection's own deadlines bound each exchange. */
const NO_SDK_TIMEOUT = 2 ** 31 - 1;

/**
 * One provider that dialled in: the hub is the MCP client, the provider the server. Owns the
 * socket, the SDK `Client` driving it, the heartbeat, and the provider's raw tool list.
 * The revision is negotiated per connection: `server/discover` first (2026-07-28), `initialize`
 * where the provider answers that with an error or not at all (2025). Closing it (for any
 * reason) rejects every call in flight at once with a tool error that says what happened.
 */
export class ProviderConnection implements Provider {
  readonly kind = 'socket' as const;
  readonly name: string;
  readonly identity: TokenIdentity;
  readonly remoteAddress: string;
  readonly connectedAt = Date.now();
  readonly stats: ProviderStats = { calls: 0, errors: 0, inFlight: 0, totalMs: 0 };
  state: ProviderState = 'initializing';
  serverInfo: { name: string; version: string } | undefined;
  /** The MCP revision spoken on this connection (`2026-07-28`, `2025-11-25`, …), once negotiated. */
  protocol: string | undefined;
  /** Set by the hub: the connection is gone; `reason` is one phrase for people. */
  onClosed?: (reason: string) => void;
  /** Requests and log lines from the provider to its callers during calls. */
  readonly relay: ProviderRelay;

  private transport!: WebSocketTransport;
  private client!: Client;
  private readonly log: Logger;
  private heartbeat: NodeJS.Timeout | undefined;
  private heardSincePing = true;
  private closeReason = '';
  private readonly limits: ProviderLimits;
  private readonly lists: ProviderLists;
  /** 2026-07-28 resource subscriptions: one listen stream per URI. */
  private readonly listens = new Map<string, McpSubscription>();
  /** Set once this side has refused the provider (warned and closed with 1008). */
  private refused = false;
  private readonly listeners = new Set<(event: ProviderEvent) => void>();
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
    this.lists = new ProviderLists({
      provider: this.name,
      limits: this.limits,
      log: this.log,
      page: (method, cursor) => this.client.request({ method, params: cursor ? { cursor } : {} } as never, PassthroughResultSchema, { timeout: NO_SDK_TIMEOUT }),
      capabilities: () => this.capabilities,
      ready: () => this.state === 'ready',
      closed: () => this.state === 'closed',
      changed: (list) => this.emit({ type: 'list-changed', list }),
      refuse: (reason) => this.refuse(reason),
      describe: (error, step) => describeFailure(error, step),
    });
    this.relay = new ProviderRelay(options.name, options.requests);
    this.attachClient();
    socket.on('pong', () => (this.heardSincePing = true));
    socket.on('message', () => (this.heardSincePing = true));
    // The transport reports socket errors while it listens; this keeps a late one (after a
    // transport let go of the socket) from becoming an unhandled 'error' event.
    socket.on('error', () => undefined);
  }

  /**
   * A fresh transport and SDK `Client` on this connection's socket: once at the start, and again
   * when a provider never answered `server/discover` (the failed connect let go of the first).
   */
  private attachClient(): void {
    const transport = new WebSocketTransport(this.socket);
    transport.ownerCloses = true;
    const client = new Client(
      { name: 'inlet', version: VERSION },
      {
        capabilities: RELAYED_CAPABILITIES,
        jsonSchemaValidator: NO_VALIDATION,
        versionNegotiation: { mode: 'auto', probe: { timeoutMs: probeTimeoutMs(this.limits.startupTimeoutMs) } },
        // On 2026-07-28 this opens `subscriptions/listen` for tool-list changes when the provider
        // offers them; on 2025 the provider pushes them. The hub re-lists itself (bounded).
        listChanged: {
          tools: { onChanged: () => this.lists.changed('tools'), debounceMs: 0, autoRefresh: false },
          resources: { onChanged: () => this.lists.changed('resources'), debounceMs: 0, autoRefresh: false },
          prompts: { onChanged: () => this.lists.changed('prompts'), debounceMs: 0, autoRefresh: false },
        },
      },
    );
    this.relay.attach(client);
    client.onerror = (error) => this.log.debug('protocol error', { provider: this.name, error: describeError(error) });
    client.onclose = () => {
      // Client.connect ends its session itself when a handshake fails; start() then closes the
      // socket with 1008 and the reason (or asks initialize), so the peer gets no bare close first.
      if (this.client !== client || (this.state === 'initializing' && this.socket.readyState === WebSocket.OPEN)) return;
      this.finish();
    };
    // Also for a 2025 provider that sends list_changed without announcing `tools.listChanged`.
    client.setNotificationHandler('notifications/tools/list_changed', () => this.lists.changed('tools'));
    client.setNotificationHandler('notifications/resources/list_changed', () => this.lists.changed('resources'));
    client.setNotificationHandler('notifications/prompts/list_changed', () => this.lists.changed('prompts'));
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      const { uri, ...params } = notification.params;
      if (this.state !== 'closed') this.emit({ type: 'resource-updated', uri, params });
    });
    transport.onerror = (error) => {
      if (!this.closeReason && /closed the connection/.test(error.message)) this.closeReason = error.message.replace(/^closed the connection: /, '');
    };
    transport.intercept = (message) => {
      if (!('method' in message) || message.method !== 'notifications/progress') return false;
      const params = message.params as { progressToken?: unknown } & Progress;
      const handler = this.progress.get(String(params?.progressToken));
      if (!handler) return false;
      const { progressToken: _token, ...progress } = params;
      handler(progress as Progress);
      return true;
    };
    this.transport = transport;
    this.client = client;
  }

  /**
   * The handshake (`server/discover`, or `initialize` → `notifications/initialized`), then
   * `tools/list`, all within `startupTimeoutMs`. Resolves once the tools are known. On any failure
   * the provider is closed with 1008 and one sentence saying what was wrong, the hub logs a
   * warning naming it, and this rejects.
   */
  async start(): Promise<void> {
    this.startHeartbeat();
    const limit = formatSeconds(this.limits.startupTimeoutMs);
    let step = 'handshake';
    const deadline = setTimeout(() => {
      this.refuse(
        step !== 'handshake'
          ? `Initialization failed: ${this.handshakeName} and ${step} took longer than ${limit} (startup_timeout_s).`
          : this.client.getProtocolEra() === 'modern'
            ? `Initialization failed: no acknowledgement of subscriptions/listen within ${limit} (startup_timeout_s).`
            : `Initialization failed: no answer to initialize within ${limit} (startup_timeout_s).`,
      );
    }, this.limits.startupTimeoutMs);
    try {
      await this.handshake();
      this.serverInfo = this.client.getServerVersion();
      this.protocol = this.client.getNegotiatedProtocolVersion();
      await this.lists.first((method) => (step = method));
      if (this.state === 'initializing') this.state = 'ready';
    } catch (error) {
      if (this.state !== 'closed') this.refuse(`Initialization failed: ${this.describeStartFailure(error, step)}.`);
      else if (!this.refused) this.log.warn('provider failed to start', { provider: this.name, reason: this.closeReason });
      throw error;
    } finally {
      clearTimeout(deadline);
    }
    this.lists.catchUp();
  }

  /**
   * Negotiates the revision. The SDK probes with `server/discover` and falls back to `initialize`
   * in place when the provider answers it with an error. A provider that never answers it makes
   * the probe time out, and the SDK then gives up the connect (it counts this transport as HTTP,
   * where silence means an outage); the transport lets go of the socket instead of closing it, so
   * `initialize` is asked on the same socket by a fresh client. A provider name that spoke 2025
   * before goes straight to `initialize`.
   */
  private async handshake(): Promise<void> {
    const verdicts = this.options.verdicts;
    if (verdicts.isLegacy(this.name)) {
      await this.client.connect(this.transport, { prior: { kind: 'legacy' }, timeout: NO_SDK_TIMEOUT });
    } else {
      try {
        await this.client.connect(this.transport, { timeout: NO_SDK_TIMEOUT });
      } catch (error) {
        const timedOut = error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout;
        if (this.socket.readyState !== WebSocket.OPEN) {
          // Hung up on the probe: some servers end the connection on any request before initialize.
          if (this.state !== 'closed') verdicts.remember(this.name, 'legacy');
          throw error;
        }
        if (!timedOut || this.state === 'closed') throw error;
        this.log.info('no answer to server/discover; asking initialize', { provider: this.name });
        this.attachClient();
        await this.client.connect(this.transport, { prior: { kind: 'legacy' }, timeout: NO_SDK_TIMEOUT });
      }
    }
    const modern = this.client.getProtocolEra() === 'modern';
    verdicts.remember(this.name, modern ? 'modern' : 'legacy');
    if (modern) this.watchSubscription();
  }

  /**
   * On 2026 the provider's tool-list changes come on the `subscriptions/listen` the SDK opened.
   * A provider that announced them but refused the request, or that ends it later, is still
   * served; the hub says its changes will no longer be heard.
   */
  private watchSubscription(): void {
    if (!this.client.getServerCapabilities()?.tools?.listChanged) return;
    const subscription = this.client.autoOpenedSubscription;
    const unheard = (why: string) => this.log.warn(`${why}; its tool-list changes will not be heard`, { provider: this.name });
    if (!subscription) return unheard('the provider refused subscriptions/listen');
    void subscription.closed.then((cause) => {
      if (cause !== 'local' && this.state !== 'closed') unheard('the provider ended subscriptions/listen');
    });
  }

  /** The request that opens a connection of this revision. */
  private get handshakeName(): string {
    return this.client.getProtocolEra() === 'modern' ? 'server/discover' : 'initialize';
  }

  private describeStartFailure(error: unknown, step: string): string {
    if (step === 'handshake' && this.socket.readyState !== WebSocket.OPEN) {
      return `the provider closed the connection during the handshake (${this.transport.closeReason || 'closed'})`;
    }
    return describeFailure(error, step === 'handshake' ? 'initialize' : step);
  }

  /** Ends a provider that broke the protocol or a bound: a warning here, 1008 and why there. */
  private refuse(reason: string): void {
    if (this.state === 'closed') return;
    this.refused = true;
    this.log.warn(this.state === 'initializing' ? 'provider failed to start' : 'provider closed', { provider: this.name, reason });
    this.close(CLOSE.POLICY, reason);
  }

  /**
   * Calls one of this provider's tools and returns its result as the provider sent it. The
   * provider's JSON-RPC errors are thrown as `RpcError` with its code, message and data (the AI
   * client gets the same error); a timeout or a lost connection becomes a tool error
   * (isError: true) naming the provider.
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
    // While the provider waits for the AI client's answer to its own request, the call's timer
    // stands still: a person may take longer to answer than the provider may take to work.
    let asking = 0;
    const restart = () => {
      clearTimeout(timer);
      if (asking === 0) timer = setTimeout(onTimeout, options.timeoutMs);
    };
    this.progress.set(token, (progress) => {
      restart();
      options.onprogress?.(progress);
    });
    const signal = controller.signal;
    const ended = this.relay.begin(token, tool, options.channel, signal, (on) => {
      asking += on ? 1 : -1;
      restart();
    });
    try {
      const params: Record<string, unknown> = { name: tool, _meta: { ...forwardedMeta(options.meta), ...this.relayedCapabilities(options.channel), progressToken: token } };
      if (args !== undefined) params.arguments = args;
      const result = await this.callRounds(tool, token, params, signal);
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
      if (this.state === 'closed' || isConnectionLost(error)) {
        return toolError(`Provider "${this.name}" disconnected while ${tool} was running (${this.closeReason || 'connection closed'}).`);
      }
      const rpc = asRpcError(error);
      if (rpc) throw rpc;
      return toolError(`Provider "${this.name}" returned an unusable answer to ${tool}: ${describeError(error).replace(/\.$/, '')}.`);
    } finally {
      clearTimeout(timer);
      ended();
      options.signal?.removeEventListener('abort', onCancel);
      this.progress.delete(token);
      this.stats.inFlight--;
      this.stats.totalMs += performance.now() - started;
    }
  }

  get tools(): Tool[] {
    return this.lists.tools;
  }

  get resources(): Resource[] {
    return this.lists.resources;
  }

  get resourceTemplates(): ResourceTemplateType[] {
    return this.lists.resourceTemplates;
  }

  get prompts(): Prompt[] {
    return this.lists.prompts;
  }

  /** Its recent log lines, for the panel (kept by the relay). */
  get logs(): readonly ProviderLogLine[] {
    return this.relay.logs;
  }

  get owner(): string {
    return this.identity.clientId;
  }

  /** What the provider declared in its handshake (empty until then). */
  get capabilities(): ServerCapabilities {
    return this.client.getServerCapabilities() ?? {};
  }

  readResource(uri: string, options: RequestOptions): Promise<ReadResourceResult> {
    return this.request('resources/read', { uri }, options) as Promise<ReadResourceResult>;
  }

  getPrompt(name: string, args: Record<string, string> | undefined, options: RequestOptions): Promise<GetPromptResult> {
    return this.request('prompts/get', args === undefined ? { name } : { name, arguments: args }, options) as Promise<GetPromptResult>;
  }

  complete(params: CompleteRequestParams, options: RequestOptions): Promise<CompleteResult> {
    return this.request('completion/complete', { ...params }, options) as Promise<CompleteResult>;
  }

  /**
   * 2025: `resources/subscribe`; 2026-07-28: a `subscriptions/listen` stream naming the URI (the
   * revision's replacement for it), kept open until `unsubscribeResource`.
   */
  async subscribeResource(uri: string): Promise<void> {
    const options = { timeout: this.limits.startupTimeoutMs };
    if (this.client.getProtocolEra() !== 'modern') {
      await this.client.request({ method: 'resources/subscribe', params: { uri } }, PassthroughResultSchema, options).catch((error: unknown) => {
        throw asRpcError(error) ?? error;
      });
      return;
    }
    if (this.listens.has(uri)) return;
    const subscription = await this.client.listen({ resourceSubscriptions: [uri] }, options);
    this.listens.set(uri, subscription);
    void subscription.closed.then((cause) => {
      if (this.listens.get(uri) === subscription) this.listens.delete(uri);
      if (cause !== 'local' && this.state !== 'closed') this.log.warn('the provider ended a resource subscription; its updates will not be heard', { provider: this.name, uri });
    });
  }

  async unsubscribeResource(uri: string): Promise<void> {
    if (this.state === 'closed') return;
    if (this.client.getProtocolEra() !== 'modern') {
      await this.client.request({ method: 'resources/unsubscribe', params: { uri } }, PassthroughResultSchema, { timeout: this.limits.startupTimeoutMs });
      return;
    }
    const subscription = this.listens.get(uri);
    this.listens.delete(uri);
    await subscription?.close();
  }

  onEvent(listener: (event: ProviderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: ProviderEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /**
   * One request other than a tool call, made for an AI client: its cancellation and `_meta` pass
   * through, `timeoutMs` bounds it, and a lost connection or timeout becomes a HubError naming
   * the provider. The provider's JSON-RPC errors are thrown as RpcError (the AI client gets them).
   */
  private async request(method: string, params: Record<string, unknown>, options: RequestOptions): Promise<unknown> {
    const meta = forwardedMeta(options.meta);
    if (meta) params._meta = meta;
    try {
      return await this.client.request({ method, params } as never, PassthroughResultSchema, { signal: options.signal, timeout: options.timeoutMs });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
        throw new RpcError(RPC.INTERNAL_ERROR, `Provider "${this.name}" did not answer ${method} within ${formatSeconds(options.timeoutMs)}.`);
      }
      if (this.state === 'closed' || isConnectionLost(error)) {
        throw new RpcError(RPC.INTERNAL_ERROR, `Provider "${this.name}" disconnected during ${method} (${this.closeReason || 'connection closed'}).`);
      }
      throw asRpcError(error) ?? new RpcError(RPC.INTERNAL_ERROR, `Provider "${this.name}" returned an unusable answer to ${method}: ${describeError(error).replace(/\.$/, '')}.`);
    }
  }

  /**
   * `tools/call`, and on 2026-07-28 its rounds: a provider that answers `input_required` gets its
   * requests relayed to this call's AI client (ProviderRelay.fulfil) and the call retried with the
   * answers and its `requestState`. A request Inlet does not pass on ends the call with a tool
   * error saying why (the provider has no channel to hear it on this revision).
   */
  private async callRounds(tool: string, token: string, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    for (let round = 1; ; round++) {
      const result = await this.client.request({ method: 'tools/call', params }, PassthroughResultSchema, { signal, timeout: NO_SDK_TIMEOUT, allowInputRequired: true });
      if (result.resultType !== 'input_required') return result;
      if (round > MAX_INPUT_ROUNDS) return toolError(`Provider "${this.name}" asked for input more than ${MAX_INPUT_ROUNDS} times during ${tool}; Inlet ended the call.`);
      const requests = (result.inputRequests ?? {}) as Record<string, unknown>;
      let inputResponses: Record<string, unknown>;
      try {
        inputResponses = await this.relay.fulfil(token, requests, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        return toolError(`Provider "${this.name}" asked the AI client for input during ${tool}, and Inlet did not pass it on: ${describeError(error)}`);
      }
      params = { ...params, inputResponses, ...(result.requestState === undefined ? {} : { requestState: result.requestState }) };
    }
  }

  /**
   * On 2026-07-28 each request declares the client's capabilities: a provider is told it may ask
   * for what the hub can relay to this call's AI client, that is what that client declared.
   */
  private relayedCapabilities(channel: AiChannel | undefined): Record<string, unknown> | undefined {
    if (!channel || this.client.getProtocolEra() !== 'modern') return undefined;
    const declared: Record<string, unknown> = {};
    for (const capability of Object.values(RELAYED_REQUESTS)) {
      if (channel.capabilities?.[capability]) declared[capability] = RELAYED_CAPABILITIES[capability];
    }
    // The hub hears a 2026 provider's log lines from `info` up (for the panel); each AI client
    // then gets those at or above its own level.
    return { [CLIENT_CAPABILITIES_META_KEY]: declared, [LOG_LEVEL_META_KEY]: 'info' };
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
    this.lists.stop();
    if (!this.closeReason) this.closeReason = this.transport.closeReason || 'connection closed';
    // Rejects every call in flight with ConnectionClosed (the SDK's _onclose), at once.
    void this.client.close().catch(() => undefined);
    this.onClosed?.(this.closeReason);
    this.emit({ type: 'closed', reason: this.closeReason });
  }

  get reason(): string {
    return this.closeReason;
  }
}

/** The SDK's ways of saying the connection is gone (closed, never there, or a send that failed). */
function isConnectionLost(error: unknown): boolean {
  if (!(error instanceof SdkError)) return false;
  return error.code === SdkErrorCode.ConnectionClosed || error.code === SdkErrorCode.NotConnected || error.code === SdkErrorCode.SendFailed;
}

/** The AI client's `_meta` without its own 2026 envelope keys. */
function forwardedMeta(meta: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!meta) return meta;
  let forwarded: Record<string, unknown> | undefined;
  for (const key of Object.keys(meta)) {
    if (!ENVELOPE_KEYS.has(key)) continue;
    forwarded ??= { ...meta };
    delete forwarded[key];
  }
  return forwarded ?? meta;
}

/**
 * How long `server/discover` may go unanswered before the hub asks `initialize` instead: a third
 * of the start-up bound, at most 5 s, so a provider that ignores it still starts in time.
 */
export function probeTimeoutMs(startupTimeoutMs: number): number {
  return Math.max(1, Math.min(MAX_PROBE_MS, Math.round(startupTimeoutMs / 3)));
}

/** What went wrong in one step of the exchange, as a clause a provider can read. */
function describeFailure(error: unknown, step: string): string {
  if (isHubError(error, 'PROVIDER_REFUSED')) return error.message;
  // Only asked while the socket is open, so every JSON-RPC error here is the provider's own.
  const rpc = asRpcError(error);
  if (rpc) return `the provider answered ${step} with error ${rpc.code} (${rpc.message})`;
  const issues = invalidResultIssues(error);
  if (issues) return `the ${step} result is not valid (${describeIssue(issues[0])})`;
  const message = describeError(error).replace(/\.$/, '');
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/**
 * The schema problems behind the SDK's "Invalid result for M: <issues as JSON>" (it keeps them
 * only in its message), so a provider is told "serverInfo: expected object" and not a JSON dump.
 */
function invalidResultIssues(error: unknown): Array<Parameters<typeof describeIssue>[0]> | undefined {
  if (!(error instanceof SdkError) || error.code !== SdkErrorCode.InvalidResult) return undefined;
  const start = error.message.indexOf('[');
  if (start === -1) return undefined;
  try {
    const issues = JSON.parse(error.message.slice(start)) as unknown;
    return Array.isArray(issues) && issues.length > 0 && Array.isArray(issues[0]?.path) ? issues : undefined;
  } catch {
    return undefined;
  }
}

