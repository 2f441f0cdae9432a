import type { Client, LoggingMessageNotification } from '@modelcontextprotocol/client';
import type { ProviderLogLine } from '../../shared/admin-types.js';
import { RPC, RpcError } from '../base/rpc-error.js';
import { isRelayedMethod, type AiChannel, type RelayedMethod } from '../calls/ai-channel.js';
import { CLIENT_REQUEST_ERRORS, type ClientRequests } from '../calls/client-requests.js';

/** What the hub declares to providers it can relay (to the calling AI client, when it can too). */
export const RELAYED_CAPABILITIES = { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} };

/**
 * The `_meta` key a provider may set on its request to name the call it belongs to: the value is
 * the `progressToken` the hub put on that `tools/call` (docs/provider-protocol.md).
 */
export const CALL_META_KEY = 'inlet/call';

/** Log lines kept per provider for the panel. */
const KEPT_LOG_LINES = 50;
/** A log line's text is cut to this many characters for the panel (the AI client gets it whole). */
const LOG_TEXT_CHARS = 500;

interface CallInFlight {
  tool: string;
  channel: AiChannel;
  /** Told when the call starts and stops waiting for its client's answer (its timeout pauses). */
  waiting: (on: boolean) => void;
  /** Aborts when the call is given up (cancelled, timed out): its requests end with it. */
  signal: AbortSignal;
}

/**
 * What passes between one provider and the AI clients calling it while calls run: its requests
 * to the calling client (sampling, elicitation, roots: routed to the call they belong to and
 * through the approval policy in ClientRequests) and its log lines (forwarded to the clients
 * whose calls are in flight, and kept for the panel).
 *
 * Routing (docs/decisions.md): a request naming a call (`_meta["inlet/call"]`) goes to that call;
 * otherwise to the call in flight when there is one, or to the latest when every call in flight
 * comes from the same AI client. With calls from several clients and no name, the provider gets
 * an error saying so: a sampling prompt never goes to a client that did not make the call.
 */
export class ProviderRelay {
  private readonly calls = new Map<string, CallInFlight>();
  /** The provider's recent log lines, oldest first. */
  readonly logs: ProviderLogLine[] = [];
  /** Set by the hub: a log line arrived (the panel's state changed). */
  onLog?: () => void;

  constructor(
    private readonly provider: string,
    private readonly gate: ClientRequests | undefined,
  ) {}

  /** Sets the request and log handlers on a provider connection's SDK client. */
  attach(client: Client): void {
    client.setRequestHandler('sampling/createMessage', (request, ctx) => this.request('sampling/createMessage', request.params, ctx.mcpReq.signal) as never);
    client.setRequestHandler('elicitation/create', (request, ctx) => this.request('elicitation/create', request.params, ctx.mcpReq.signal) as never);
    client.setRequestHandler('roots/list', (request, ctx) => this.request('roots/list', request.params ?? {}, ctx.mcpReq.signal) as never);
    client.setNotificationHandler('notifications/message', (notification) => this.logged(notification));
  }

  /**
   * A call starts at this provider under `token` (its progress token); call the result when it
   * ends. `waiting` hears when the call waits for its AI client's answer (a person may be typing).
   */
  begin(token: string, tool: string, channel: AiChannel | undefined, signal: AbortSignal, waiting: (on: boolean) => void): () => void {
    if (!channel) return () => undefined;
    this.calls.set(token, { tool, channel, waiting, signal });
    return () => this.calls.delete(token);
  }

  /** One request through the gate, with the call's timeout paused meanwhile. */
  private async pass(call: CallInFlight, method: RelayedMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    if (!this.gate) throw new RpcError(CLIENT_REQUEST_ERRORS.NO_CALL, `Inlet does not relay ${method} on this connection.`);
    call.waiting(true);
    try {
      // A request outlives neither its own cancellation by the provider nor its call.
      const either = AbortSignal.any([signal, call.signal]);
      return await this.gate.relay({ provider: this.provider, during: call.tool, channel: call.channel, method, params }, either);
    } finally {
      call.waiting(false);
    }
  }

  /**
   * A 2026-07-28 provider asks in its answer to `tools/call` (`input_required`): the hub knows the
   * call exactly. Each request passes the gate and goes to that call's client; resolves with the
   * answers under the provider's keys, or rejects with the first refusal.
   */
  fulfil(token: string, requests: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const call = this.calls.get(token);
    return Promise.all(
      Object.entries(requests).map(async ([key, entry]) => {
        const { method, params } = (entry ?? {}) as { method?: unknown; params?: unknown };
        if (typeof method !== 'string' || !isRelayedMethod(method)) {
          throw new RpcError(RPC.INVALID_PARAMS, `Provider ${this.provider} asked for ${JSON.stringify(method)}, which Inlet does not relay to AI clients.`);
        }
        if (!call) throw new RpcError(CLIENT_REQUEST_ERRORS.NO_CALL, `Inlet cannot relay ${method} for this call.`);
        const args = params && typeof params === 'object' ? (params as Record<string, unknown>) : {};
        return [key, await this.pass(call, method, args, signal)] as const;
      }),
    ).then((answers) => Object.fromEntries(answers));
  }

  private async request(method: RelayedMethod, params: object, signal: AbortSignal): Promise<Record<string, unknown>> {
    const { _meta, ...rest } = params as { _meta?: Record<string, unknown> };
    const call = this.route(method, _meta?.[CALL_META_KEY]);
    const forwarded: Record<string, unknown> = { ...rest };
    if (_meta) {
      const { [CALL_META_KEY]: _named, ...meta } = _meta;
      if (Object.keys(meta).length > 0) forwarded._meta = meta;
    }
    return this.pass(call, method, forwarded, signal);
  }

  private route(method: RelayedMethod, named: unknown): CallInFlight {
    if (named !== undefined) {
      const call = typeof named === 'string' ? this.calls.get(named) : undefined;
      if (call) return call;
      throw new RpcError(CLIENT_REQUEST_ERRORS.NO_CALL, `The call named in _meta["${CALL_META_KEY}"] (${JSON.stringify(named)}) is not in flight at provider ${this.provider}.`);
    }
    const calls = [...this.calls.values()];
    const latest = calls.at(-1);
    if (!latest) {
      throw new RpcError(
        CLIENT_REQUEST_ERRORS.NO_CALL,
        `Inlet relays ${method} to an AI client only during a tool call it made, and no call is in flight at provider ${this.provider}.`,
      );
    }
    if (calls.some((call) => call.channel.origin !== latest.channel.origin)) {
      throw new RpcError(
        CLIENT_REQUEST_ERRORS.NO_CALL,
        `Calls from ${new Set(calls.map((c) => c.channel.origin)).size} AI clients are in flight at provider ${this.provider}, and Inlet cannot tell which one this ${method} belongs to: ` +
          `name the call with _meta["${CALL_META_KEY}"] set to that call's progressToken.`,
      );
    }
    return latest;
  }

  private logged(notification: LoggingMessageNotification): void {
    const { level, logger, data } = notification.params;
    const text = typeof data === 'string' ? data : JSON.stringify(data) ?? '';
    this.logs.push({ time: new Date().toISOString(), level, ...(logger ? { logger } : {}), text: text.length > LOG_TEXT_CHARS ? `${text.slice(0, LOG_TEXT_CHARS)}…` : text });
    if (this.logs.length > KEPT_LOG_LINES) this.logs.splice(0, this.logs.length - KEPT_LOG_LINES);
    const told = new Set<string>();
    for (const { channel } of this.calls.values()) {
      if (told.has(channel.origin)) continue;
      told.add(channel.origin);
      channel.log(notification.params as Record<string, unknown>);
    }
    this.onLog?.();
  }
}
