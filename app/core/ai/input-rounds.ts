import { randomUUID } from 'node:crypto';
import { CLIENT_CAPABILITIES_META_KEY, type CallToolResult, type InputRequiredResult, type Progress, type ServerContext } from '@modelcontextprotocol/server';
import { RPC, RpcError } from '../base/rpc-error.js';
import { logArguments, type AiChannel, type RelayedMethod } from '../calls/ai-channel.js';
import type { Waiting } from '../calls/keep-alive.js';
import { ProgressRelay } from './progress-relay.js';

/** The hooks one round gives the call it serves (progress and log lines go to that round's stream). */
export interface RoundHooks {
  onprogress: (progress: Progress) => void;
  onwaiting: (waiting: Waiting) => void;
}

/** Starts the call; `channel` is its way back to the client, `signal` its cancellation. */
export type StartCall = (channel: AiChannel, signal: AbortSignal, hooks: RoundHooks) => Promise<CallToolResult>;

interface Ask {
  method: RelayedMethod;
  params: Record<string, unknown>;
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/**
 * A call of a 2026-07-28 client whose provider asked the client something: it keeps running at
 * its provider while the client answers and retries (multi round-trip). `requestState` is its id,
 * random and bound to the caller.
 */
class ParkedCall {
  readonly id = randomUUID();
  readonly controller = new AbortController();
  readonly asks = new Map<string, Ask>();
  result: Promise<CallToolResult> | undefined;
  done = false;
  /** The round waiting now: its progress relay and log sender. */
  round: { relay: ProgressRelay | undefined; log: (params: Record<string, unknown>) => void } | undefined;
  private wake: (() => void) | undefined;
  private nextKey = 1;
  expiry: NodeJS.Timeout | undefined;

  constructor(
    readonly caller: string,
    readonly tool: string,
  ) {}

  ask(method: RelayedMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const key = `inlet-${this.nextKey++}`;
      this.asks.set(key, { method, params, resolve, reject });
      signal.addEventListener('abort', () => this.asks.delete(key) && reject(new RpcError(RPC.INVALID_REQUEST, 'cancelled')), { once: true });
      this.poke();
    });
  }

  poke(): void {
    this.wake?.();
  }

  /** Resolves once the call ended or the provider asked something the client has not been asked. */
  settle(): Promise<void> {
    if (this.done || this.asks.size > 0) return Promise.resolve();
    return new Promise<void>((resolve) => (this.wake = resolve)).then(() => (this.wake = undefined));
  }

  /** Ends every open ask with `error` (the client never answered, or the call is over). */
  fail(error: Error): void {
    for (const ask of this.asks.values()) ask.reject(error);
    this.asks.clear();
  }
}

/**
 * The 2026-07-28 form of a provider's requests during a call (docs/provider-protocol.md): the
 * hub answers the client's `tools/call` with `resultType: "input_required"` carrying the
 * provider's open requests, while the call keeps running at its provider; the client's retry
 * (same call, `inputResponses`, the echoed `requestState`) hands the answers to the provider and
 * waits for the next request or the result. A call whose client does not retry within
 * `expiryMs` is cancelled at its provider.
 */
export class InputRounds {
  private readonly parked = new Map<string, ParkedCall>();

  constructor(private readonly expiryMs: () => number) {}

  async round(ctx: ServerContext, caller: string, tool: string, origin: string, start: StartCall): Promise<CallToolResult | InputRequiredResult> {
    const state = ctx.mcpReq.requestState();
    const call = state === undefined ? this.begin(ctx, caller, tool, origin, start) : this.resume(state, caller, tool, ctx.mcpReq.inputResponses);
    const progressToken = ctx.mcpReq._meta?.progressToken;
    const relay =
      progressToken === undefined
        ? undefined
        : new ProgressRelay((progress) => ctx.mcpReq.notify({ method: 'notifications/progress', params: { ...progress, progressToken } }));
    // Log lines go out before this round's answer (the client stops listening once it has it).
    let logged: Promise<unknown> = Promise.resolve();
    call.round = {
      relay,
      log: (params) => {
        logged = Promise.all([logged, ctx.mcpReq.log(...logArguments(params)).catch(() => undefined)]);
      },
    };
    if (call.expiry) clearTimeout(call.expiry);
    const cancel = () => call.controller.abort('cancelled by the AI client');
    ctx.mcpReq.signal.addEventListener('abort', cancel, { once: true });
    try {
      await call.settle();
    } finally {
      ctx.mcpReq.signal.removeEventListener('abort', cancel);
      call.round = undefined;
    }
    await Promise.all([relay?.flush(), logged]);
    if (call.done) {
      if (call.expiry) clearTimeout(call.expiry);
      this.parked.delete(call.id);
      return call.result!;
    }
    call.expiry = setTimeout(() => this.expire(call), this.expiryMs());
    call.expiry.unref();
    const inputRequests: Record<string, { method: string; params?: Record<string, unknown> }> = {};
    for (const [key, ask] of call.asks) inputRequests[key] = ask.method === 'roots/list' ? { method: ask.method } : { method: ask.method, params: ask.params };
    return { resultType: 'input_required', inputRequests, requestState: call.id } as InputRequiredResult;
  }

  private begin(ctx: ServerContext, caller: string, tool: string, origin: string, start: StartCall): ParkedCall {
    const call = new ParkedCall(caller, tool);
    this.parked.set(call.id, call);
    const capabilities = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as Record<string, unknown> | undefined;
    const channel: AiChannel = {
      caller,
      origin,
      capabilities,
      ask: (method, params, signal) => call.ask(method, params, signal),
      log: (params) => call.round?.log(params),
    };
    const hooks: RoundHooks = {
      onprogress: (progress) => call.round?.relay?.provider(progress),
      onwaiting: (waiting) => call.round?.relay?.waiting(waiting),
    };
    // A call that ends between rounds stays parked (until its expiry) for the client's retry.
    call.result = start(channel, call.controller.signal, hooks).finally(() => {
      call.done = true;
      call.fail(new RpcError(RPC.INVALID_REQUEST, 'The call this request belonged to has ended.'));
      call.poke();
    });
    call.result.catch(() => undefined);
    return call;
  }

  /** A retry: the answers go to the provider's open requests, in the order they were asked. */
  private resume(state: unknown, caller: string, tool: string, responses: Record<string, unknown> | undefined): ParkedCall {
    const call = typeof state === 'string' ? this.parked.get(state) : undefined;
    if (!call || call.caller !== caller) {
      throw new RpcError(RPC.INVALID_PARAMS, 'Unknown or expired requestState: the call it named has ended, or was never made by this client.');
    }
    if (call.tool !== tool) throw new RpcError(RPC.INVALID_PARAMS, `This requestState belongs to a call of ${call.tool}, not ${tool}.`);
    if (call.round) throw new RpcError(RPC.INVALID_REQUEST, 'Another request is resuming this call already.');
    for (const [key, ask] of [...call.asks]) {
      const response = responses?.[key];
      if (response === undefined || response === null || typeof response !== 'object') continue;
      call.asks.delete(key);
      ask.resolve(response as Record<string, unknown>);
    }
    return call;
  }

  /** The client did not come back: the provider hears that its requests went unanswered, and the call ends. */
  private expire(call: ParkedCall): void {
    call.fail(new RpcError(RPC.INTERNAL_ERROR, `The AI client ${call.caller} did not answer within ${Math.round(this.expiryMs() / 1000)} s.`));
    call.controller.abort('the AI client did not come back');
    this.parked.delete(call.id);
  }
}
