import { randomUUID } from 'node:crypto';
import type { CallToolResult, Progress } from '@modelcontextprotocol/server';
import { RPC, RpcError } from '../base/rpc-error.js';
import { digestArguments, type AuditEntry, type CallFields } from './audit-log.js';
import { ApprovalQueue, type ApprovalOutcome, type PendingApproval } from './approval-queue.js';
import { refusalOutcome, settleApproval } from './approval-outcome.js';
import { keepAlive, type Waiting } from './keep-alive.js';
import { callTimeoutMs, type Config } from '../config/config.js';
import { describeError } from '../base/errors.js';
import { parsePermissionRequest, permissionAllow, permissionDeny, PERMISSIONS_PROVIDER, PERMISSIONS_TOOL_NAME } from './permissions-tool.js';
import { resolvePolicy, type Policy, type Rule } from './policy.js';
import { toolError } from '../providers/provider-connection.js';
import type { ToolRegistry } from '../catalog/tool-registry.js';
import type { Activity } from '../../shared/admin-types.js';
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

export interface RouterHooks {
  /** Whether audit lines are written (the argument digest is computed only then). */
  auditing: () => boolean;
  /** Writes one audit line (no-op when auditing is off). */
  audit: (entry: AuditEntry) => void;
  /** "Always allow / deny" from a decision: persist the rule. */
  addRule: (rule: Rule) => Promise<void>;
  /** Every finished call. */
  activity: (activity: Activity) => void;
}

/**
 * Routes one `tools/call` from an AI session: policy first (allow / ask / deny, docs/approvals.md),
 * then, for `ask`, the pending queue, then the provider. Every call and decision is audited: a
 * call that is not denied outright gets a `call-start` line before it waits or reaches its
 * provider and a `call` line when it ends, both with its `call_id`, so a call the hub was
 * running when it crashed still shows (`inlet audit verify` lists it).
 */
export class ToolRouter {
  private nextActivity = 1;

  constructor(
    private readonly registry: ToolRegistry,
    private readonly getConfig: () => Config,
    readonly queue: ApprovalQueue,
    private readonly hooks: RouterHooks,
  ) {}

  async call(request: CallRequest, context: CallContext): Promise<CallToolResult> {
    if (request.name === PERMISSIONS_TOOL_NAME) return this.permission(request, context);
    const entry = this.registry.get(request.name);
    if (!entry) {
      throw new RpcError(RPC.INVALID_PARAMS, `Unknown tool: ${request.name} (no connected provider offers it).`);
    }
    const config = this.getConfig();
    const provider = entry.provider;
    const subject = { caller: context.caller, provider: provider.name, tool: entry.toolName, readOnly: entry.definition.annotations?.readOnlyHint === true };
    const started = performance.now();
    const base = this.auditBase(context.caller, provider.name, entry.toolName, request.arguments);
    const finish = (decision: Policy, decidedBy: string, outcome: Activity['outcome'], extra: Partial<CallFields> = {}) => {
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      this.hooks.audit({ event: 'call', ...base, decision, decided_by: decidedBy, duration_ms: durationMs, outcome, ...extra });
      this.hooks.activity({ id: this.nextActivity++, time: new Date().toISOString(), caller: context.caller, provider: provider.name, tool: entry.toolName, decision, decidedBy, outcome, durationMs });
    };

    const verdict = resolvePolicy(config.approvals, subject);
    let decidedBy = verdict.source;
    if (verdict.policy === 'deny') {
      finish('deny', decidedBy, 'denied');
      const why = verdict.source === 'pause' ? 'Inlet is paused: every new call is denied until the pause is lifted' : `denied by Inlet's policy (${verdict.source})`;
      return toolError(`The call to ${request.name} was not made: ${why}.`) as CallToolResult;
    }
    this.hooks.audit({ event: 'call-start', ...base, decision: verdict.policy, decided_by: verdict.source });
    if (verdict.policy === 'ask') {
      const outcome = await this.ask(
        { caller: context.caller, provider: provider.name, tool: entry.toolName, exposed: request.name, arguments: request.arguments ?? {} },
        context,
        config,
      );
      const refusal = await settleApproval(outcome, base, { provider: provider.name, tool: entry.toolName }, this.hooks);
      if (refusal) {
        finish('ask', outcome.kind === 'denied' ? outcome.by : outcome.kind, refusalOutcome(outcome));
        if (outcome.kind === 'cancelled') throw new RpcError(RPC.INVALID_REQUEST, 'cancelled');
        return toolError(`The call to ${request.name} was not made: ${refusal}.`) as CallToolResult;
      }
      decidedBy = (outcome as { by: string }).by;
    }
    try {
      const result = await provider.callTool(entry.toolName, request.arguments, {
        signal: context.signal,
        onprogress: context.onprogress,
        meta: context.meta,
        channel: context.channel,
        timeoutMs: callTimeoutMs(config, provider.name),
      });
      finish(verdict.policy, decidedBy, result.isError ? 'error' : 'ok');
      return result as CallToolResult;
    } catch (error) {
      finish(verdict.policy, decidedBy, context.signal.aborted ? 'cancelled' : 'failed', { error: describeError(error) });
      throw error;
    }
  }

  /** What every audit line of one call carries; the digest and the id only when auditing. */
  private auditBase(caller: string, provider: string, tool: string, args: unknown): AuditBase {
    const base = { caller, provider, tool };
    return this.hooks.auditing() ? { ...base, call_id: randomUUID(), args_digest: digestArguments(args) } : { ...base, args_digest: '' };
  }

  /** Iris's permissions__approve: Claude Code's own prompts through the same policies and queue. */
  private async permission(request: CallRequest, context: CallContext): Promise<CallToolResult> {
    const parsed = parsePermissionRequest(request.arguments);
    if (typeof parsed === 'string') throw new RpcError(RPC.INVALID_PARAMS, `permissions__approve: ${parsed}.`);
    const config = this.getConfig();
    const subject = { caller: context.caller, provider: PERMISSIONS_PROVIDER, tool: parsed.tool_name };
    const base = this.auditBase(context.caller, PERMISSIONS_PROVIDER, parsed.tool_name, parsed.input);
    const verdict = resolvePolicy(config.approvals, subject);
    if (verdict.policy === 'allow') {
      this.hooks.audit({ event: 'decision', ...base, decision: 'allow', decided_by: verdict.source, outcome: 'allowed' });
      return permissionAllow(parsed.input);
    }
    if (verdict.policy === 'deny') {
      this.hooks.audit({ event: 'decision', ...base, decision: 'deny', decided_by: verdict.source, outcome: 'denied' });
      return permissionDeny(`Permission denied by Inlet's policy (${verdict.source})`);
    }
    this.hooks.audit({ event: 'call-start', ...base, decision: 'ask', decided_by: verdict.source });
    const outcome = await this.ask(
      { caller: context.caller, provider: PERMISSIONS_PROVIDER, tool: parsed.tool_name, exposed: PERMISSIONS_TOOL_NAME, arguments: parsed.input, reason: parsed.reason },
      context,
      config,
    );
    const refusal = await settleApproval(outcome, base, { provider: PERMISSIONS_PROVIDER, tool: parsed.tool_name }, this.hooks);
    if (outcome.kind === 'cancelled') throw new RpcError(RPC.INVALID_REQUEST, 'cancelled');
    if (refusal) return permissionDeny(`Permission ${refusal}`);
    return permissionAllow(parsed.input, (outcome as { reason?: string }).reason);
  }

  /** The pending queue; an AI client that can hear progress is kept waiting along with the call. */
  private ask(info: Omit<PendingApproval, 'id' | 'createdAt' | 'expiresAt'>, context: CallContext, config: Config): Promise<ApprovalOutcome> {
    const windowMs = config.approvals.timeout_s * 1000;
    const waiting = this.queue.request({ ...info, keptAlive: context.onwaiting !== undefined }, { timeoutMs: windowMs, signal: context.signal });
    return context.onwaiting ? keepAlive(waiting, context.onwaiting, windowMs, config.approvals.keepalive_s * 1000) : waiting;
  }
}

type AuditBase = { caller: string; provider: string; tool: string; args_digest: string; call_id?: string };
