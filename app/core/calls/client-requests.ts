import { randomUUID } from 'node:crypto';
import type { Activity } from '../../shared/admin-types.js';
import { describeError } from '../base/errors.js';
import { asRpcError, RpcError } from '../base/rpc-error.js';
import type { Config } from '../config/config.js';
import { declares, RELAYED_REQUESTS, type AiChannel, type RelayedMethod } from './ai-channel.js';
import { refusalOutcome, settleApproval } from './approval-outcome.js';
import type { ApprovalQueue } from './approval-queue.js';
import { digestArguments, type AuditEntry } from './audit-log.js';
import { resolvePolicy, type Policy, type Rule } from './policy.js';

/** JSON-RPC codes of the hub's refusals of a provider's request (docs/provider-protocol.md). */
export const CLIENT_REQUEST_ERRORS = {
  /** The calling AI client did not declare the capability (the 2026-07-28 code for it). */
  MISSING_CAPABILITY: -32021,
  /** Inlet's policy, a person, or the approval timeout refused it. */
  REFUSED: -32001,
  /** No call from an AI client is in flight at the provider (or Inlet cannot tell which). */
  NO_CALL: -32002,
} as const;

export interface ClientRequestHooks {
  auditing: () => boolean;
  audit: (entry: AuditEntry) => void;
  addRule: (rule: Rule) => Promise<void>;
  /** Every finished request, for the panel's activity list (the hub numbers it). */
  activity: (activity: Omit<Activity, 'id'>) => void;
}

/** One request a provider sent during a call, with the call it belongs to. */
export interface ClientRequest {
  provider: string;
  /** The provider's own name of the tool whose call is in flight. */
  during: string;
  channel: AiChannel;
  method: RelayedMethod;
  params: Record<string, unknown>;
}

/**
 * A provider's requests to the AI client (sampling, elicitation, roots) pass here on their way:
 * the calling client must have declared the capability, then the approval policy decides as it
 * does for a tool call (a rule names the request by its method: `"tool": "sampling/createMessage"`),
 * `ask` waits in the same pending queue, and every request is audited and shown in the activity
 * list (docs/approvals.md). A refusal reaches the provider as a JSON-RPC error that says why.
 */
export class ClientRequests {
  constructor(
    private readonly getConfig: () => Config,
    private readonly queue: ApprovalQueue,
    private readonly hooks: ClientRequestHooks,
  ) {}

  async relay(request: ClientRequest, signal: AbortSignal): Promise<Record<string, unknown>> {
    const { channel, provider, method } = request;
    const capability = RELAYED_REQUESTS[method];
    if (!declares(channel, method)) {
      throw new RpcError(
        CLIENT_REQUEST_ERRORS.MISSING_CAPABILITY,
        `The AI client ${channel.caller} that made this call did not declare the ${capability} capability, so Inlet cannot ask it for ${method}.`,
        { requiredCapabilities: { [capability]: {} } },
      );
    }
    const config = this.getConfig();
    const started = performance.now();
    const base = {
      caller: channel.caller,
      provider,
      tool: method,
      during: request.during,
      ...(this.hooks.auditing() ? { request_id: randomUUID(), args_digest: digestArguments(request.params) } : {}),
    };
    const finish = (decision: Policy, decidedBy: string, outcome: Activity['outcome'], error?: string) => {
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      this.hooks.audit({ event: 'request', ...base, decision, decided_by: decidedBy, duration_ms: durationMs, outcome, ...(error ? { error } : {}) });
      this.hooks.activity({ time: new Date().toISOString(), caller: channel.caller, provider, tool: method, decision, decidedBy, outcome, durationMs });
    };
    const verdict = resolvePolicy(config.approvals, { caller: channel.caller, provider, tool: method });
    let decidedBy = verdict.source;
    if (verdict.policy === 'deny') {
      finish('deny', decidedBy, 'denied');
      const why = verdict.source === 'pause' ? 'Inlet is paused' : `denied by Inlet's policy (${verdict.source})`;
      throw new RpcError(CLIENT_REQUEST_ERRORS.REFUSED, `Inlet did not pass ${method} to ${channel.caller}: ${why}.`);
    }
    if (verdict.policy === 'ask') {
      const outcome = await this.queue.request(
        { caller: channel.caller, provider, tool: method, exposed: `${provider} → ${method}`, arguments: request.params, reason: `${provider} asks this during its tool ${request.during}` },
        { timeoutMs: config.approvals.timeout_s * 1000, signal },
      );
      const refusal = await settleApproval(outcome, base, { provider, tool: method }, this.hooks);
      if (refusal) {
        finish('ask', outcome.kind === 'denied' ? outcome.by : outcome.kind, refusalOutcome(outcome));
        throw new RpcError(CLIENT_REQUEST_ERRORS.REFUSED, `Inlet did not pass ${method} to ${channel.caller}: ${refusal}.`);
      }
      decidedBy = (outcome as { by: string }).by;
    }
    try {
      const result = await channel.ask(method, request.params, signal);
      finish(verdict.policy, decidedBy, 'ok');
      return result;
    } catch (error) {
      finish(verdict.policy, decidedBy, signal.aborted ? 'cancelled' : 'error', describeError(error));
      throw asRpcError(error) ?? error;
    }
  }
}
