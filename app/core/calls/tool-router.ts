import type { CallToolResult, CompleteRequestParams, CompleteResult, GetPromptResult, Progress, ReadResourceResult } from '@modelcontextprotocol/server';
import { RPC, RpcError } from '../base/rpc-error.js';
import type { CallFields } from './audit-log.js';
import { callTimeoutMs, type Config } from '../config/config.js';
import { describeError } from '../base/errors.js';
import { resolvePolicy, type Policy } from './policy.js';
import { toolError, type Provider } from '../providers/provider.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Activity } from '../../shared/admin-types.js';
import { refusalOutcome, type ApprovalGate } from './approval-gate.js';
import type { Waiting } from './keep-alive.js';
import type { AiChannel } from './ai-channel.js';

export interface CallContext {
  /** The AI client's id (from its token), e.g. "ai:claude". */
  caller: string;
  signal: AbortSignal;
  /** Present when the AI client asked for progress. */
  onprogress?: (progress: Progress) => void;
  /** Present when the AI client can hear progress: called while the call waits for approval (keep-alive). */
  onwaiting?: (waiting: Waiting) => void;
  meta?: Record<string, unknown>;
  /** The way back to the AI client for the provider's requests and log lines (ai-channel.ts). */
  channel?: AiChannel;
}

export interface CallRequest {
  name: string;
  arguments?: Record<string, unknown>;
}

/** One finished call, for the panel's activity list. */
export type { Activity } from '../../shared/admin-types.js';
export type { RouterHooks } from './approval-gate.js';

/** One request to gate: what the policy, the queue, the audit log and the activity list see. */
interface Gated<T> {
  provider: Provider;
  /** The name policies and the audit log use: the tool's own name, or `resources/read` / `prompts/get`. */
  tool: string;
  /** What the AI client asked for (the pending approval shows it). */
  exposed: string;
  arguments: Record<string, unknown> | undefined;
  readOnly: boolean;
  /** The activity list's line for it (the tool name, or e.g. `resources/read demo://x`). */
  label: string;
  run: () => Promise<T>;
  /** The answer when the policy or a person refuses: a tool error, or a thrown RpcError. */
  refuse: (text: string) => T;
  failed: (result: T) => boolean;
}

/**
 * Routes what an AI session asks of a provider: `tools/call`, `resources/read` and
 * `prompts/get` pass the policy first (allow / ask / deny, docs/approvals.md), then, for `ask`,
 * the pending queue, then the provider. Every such request and decision is audited: one that is
 * not denied outright gets a `call-start` line before it waits or reaches its provider and a
 * `call` line when it ends, both with its `call_id`, so a request the hub was running when it
 * crashed still shows (`inlet audit verify` lists it). Built-in providers are the hub's own code
 * and decide their own approvals (`permissions__approve`). Completions are not gated: they are
 * keystroke suggestions, and whatever they complete is gated when it is used.
 */
export class ToolRouter {
  constructor(
    private readonly catalog: Catalog,
    private readonly getConfig: () => Config,
    private readonly gate: ApprovalGate,
  ) {}

  get queue() {
    return this.gate.queue;
  }

  async call(request: CallRequest, context: CallContext): Promise<CallToolResult> {
    const entry = this.catalog.get(request.name);
    if (!entry) throw new RpcError(RPC.INVALID_PARAMS, `Unknown tool: ${request.name} (no connected provider offers it).`);
    const { provider, original } = entry;
    const timeoutMs = callTimeoutMs(this.getConfig(), provider.name);
    const options = { caller: context.caller, signal: context.signal, onprogress: context.onprogress, onwaiting: context.onwaiting, meta: context.meta, channel: context.channel, timeoutMs };
    if (provider.kind === 'builtin') return provider.callTool(original, request.arguments, options);
    // Progressive discovery: the readme and a missing unlock token are the hub's to answer, and
    // the person approving sees the arguments without the token.
    const gate = this.catalog.gate(entry, request.arguments);
    if (gate && 'answer' in gate) return gate.answer;
    const args = gate ? gate.arguments : request.arguments;
    return this.gated(
      {
        provider,
        tool: original,
        exposed: request.name,
        arguments: args,
        readOnly: entry.definition.annotations?.readOnlyHint === true,
        label: original,
        run: () => provider.callTool(original, args, options),
        refuse: (text) => toolError(`The call to ${request.name} was not made: ${text}.`),
        failed: (result) => result.isError === true,
      },
      context,
    );
  }

  /** `resources/read`: gated like a call to the provider's pseudo-tool `resources/read`. */
  readResource(uri: string, context: CallContext): Promise<ReadResourceResult> {
    const route = this.catalog.resolveResource(uri);
    const { provider } = route;
    const options = { caller: context.caller, signal: context.signal, meta: context.meta, timeoutMs: callTimeoutMs(this.getConfig(), provider.name) };
    return this.gated(
      {
        provider,
        tool: 'resources/read',
        exposed: uri,
        arguments: { uri: route.uri },
        readOnly: true,
        label: `resources/read ${route.uri}`,
        run: async () => exposeContents(await provider.readResource(route.uri, options), route.uri, uri),
        refuse: (text) => {
          throw new RpcError(RPC.INVALID_REQUEST, `The read of ${uri} was not made: ${text}.`);
        },
        failed: () => false,
      },
      context,
    );
  }

  /** `prompts/get`: gated like a call to the provider's pseudo-tool `prompts/get`. */
  getPrompt(name: string, args: Record<string, string> | undefined, context: CallContext): Promise<GetPromptResult> {
    const entry = this.catalog.prompts.get(name);
    if (!entry) throw new RpcError(RPC.INVALID_PARAMS, `Unknown prompt: ${name} (no connected provider offers it).`);
    const { provider, original } = entry;
    const options = { caller: context.caller, signal: context.signal, meta: context.meta, timeoutMs: callTimeoutMs(this.getConfig(), provider.name) };
    return this.gated(
      {
        provider,
        tool: 'prompts/get',
        exposed: name,
        arguments: { name: original, arguments: args ?? {} },
        readOnly: true,
        label: `prompts/get ${original}`,
        run: () => provider.getPrompt(original, args, options),
        refuse: (text) => {
          throw new RpcError(RPC.INVALID_REQUEST, `The prompt ${name} was not fetched: ${text}.`);
        },
        failed: () => false,
      },
      context,
    );
  }

  /** `completion/complete` with the ref put back into its provider's own names. */
  complete(params: CompleteRequestParams, context: CallContext): Promise<CompleteResult> {
    const ref = params.ref as { type: string; name?: string; uri?: string };
    let provider: Provider;
    let own: Record<string, unknown>;
    if (ref.type === 'ref/prompt') {
      const entry = this.catalog.prompts.get(String(ref.name));
      if (!entry) throw new RpcError(RPC.INVALID_PARAMS, `Unknown prompt: ${String(ref.name)} (no connected provider offers it).`);
      provider = entry.provider;
      own = { ...ref, name: entry.original };
    } else {
      const route = this.catalog.resolveTemplate(String(ref.uri));
      if (!route) throw new RpcError(RPC.INVALID_PARAMS, `Unknown resource template: ${String(ref.uri)} (no connected provider offers it).`);
      provider = route.provider;
      own = { ...ref, uri: route.uri };
    }
    if (!provider.capabilities.completions) return Promise.resolve({ completion: { values: [] } });
    const options = { caller: context.caller, signal: context.signal, meta: context.meta, timeoutMs: callTimeoutMs(this.getConfig(), provider.name) };
    return provider.complete({ ...params, ref: own } as CompleteRequestParams, options);
  }

  private async gated<T>(request: Gated<T>, context: CallContext): Promise<T> {
    const config = this.getConfig();
    const { provider, tool } = request;
    const subject = { caller: context.caller, provider: provider.name, tool, readOnly: request.readOnly };
    const started = performance.now();
    const base = this.gate.auditBase(context.caller, provider.name, tool, request.arguments);
    const finish = (decision: Policy, decidedBy: string, outcome: Activity['outcome'], extra: Partial<CallFields> = {}) => {
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      this.gate.audit({ event: 'call', ...base, decision, decided_by: decidedBy, duration_ms: durationMs, outcome, ...extra });
      this.gate.activity({ caller: context.caller, provider: provider.name, tool: request.label.slice(0, 300), decision, decidedBy, outcome, durationMs });
    };

    const verdict = resolvePolicy(config.approvals, subject);
    let decidedBy = verdict.source;
    if (verdict.policy === 'deny') {
      finish('deny', decidedBy, 'denied');
      return request.refuse(verdict.source === 'pause' ? 'Inlet is paused: every new call is denied until the pause is lifted' : `denied by Inlet's policy (${verdict.source})`);
    }
    this.gate.audit({ event: 'call-start', ...base, decision: verdict.policy, decided_by: verdict.source });
    if (verdict.policy === 'ask') {
      const outcome = await this.gate.ask(
        { caller: context.caller, provider: provider.name, tool, exposed: request.exposed, arguments: request.arguments ?? {} },
        context,
        config,
      );
      const refusal = await this.gate.settle(outcome, base, { provider: provider.name, tool });
      if (refusal) {
        finish('ask', outcome.kind === 'denied' ? outcome.by : outcome.kind, refusalOutcome(outcome));
        if (outcome.kind === 'cancelled') throw new RpcError(RPC.INVALID_REQUEST, 'cancelled');
        return request.refuse(refusal);
      }
      decidedBy = (outcome as { by: string }).by;
    }
    try {
      const result = await request.run();
      finish(verdict.policy, decidedBy, request.failed(result) ? 'error' : 'ok');
      return result;
    } catch (error) {
      finish(verdict.policy, decidedBy, context.signal.aborted ? 'cancelled' : 'failed', { error: describeError(error) });
      throw error;
    }
  }
}

/** A read through `inlet://<provider>/<uri>` answers under that URI, as the client asked. */
function exposeContents(result: ReadResourceResult, own: string, exposed: string): ReadResourceResult {
  if (own === exposed || !Array.isArray(result.contents)) return result;
  return { ...result, contents: result.contents.map((c) => (c.uri === own ? { ...c, uri: exposed } : c)) };
}
