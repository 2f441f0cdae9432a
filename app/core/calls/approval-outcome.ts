import type { Activity } from '../../shared/admin-types.js';
import { formatSeconds } from '../providers/provider-lists.js';
import type { ApprovalOutcome } from './approval-queue.js';
import type { AuditEntry } from './audit-log.js';
import type { Rule } from './policy.js';

export interface SettleHooks {
  audit: (entry: AuditEntry) => void;
  /** "Always allow / deny" from a decision: persist the rule. */
  addRule: (rule: Rule) => Promise<void>;
}

/**
 * How an `ask` ended, for a tool call and for a provider's request alike: audits the decision
 * (`base` carries the call's or request's audit fields), writes the rule an "always" answer
 * asks for, and returns why the call or request is refused (one clause), or null when approved.
 */
export async function settleApproval(
  outcome: ApprovalOutcome,
  base: { caller: string; provider: string; tool: string } & Record<string, unknown>,
  target: { provider: string; tool: string },
  hooks: SettleHooks,
): Promise<string | null> {
  const decided = outcome.kind === 'approved' || outcome.kind === 'denied';
  hooks.audit({
    event: 'decision',
    ...base,
    decision: outcome.kind === 'approved' ? 'allow' : 'deny',
    decided_by: decided ? outcome.by : outcome.kind,
    outcome: outcome.kind,
  });
  if (decided && outcome.always) {
    await hooks.addRule({ provider: target.provider, tool: target.tool, policy: outcome.kind === 'approved' ? 'allow' : 'deny' }).catch(() => undefined);
  }
  switch (outcome.kind) {
    case 'approved':
      return null;
    case 'denied':
      return `denied by ${outcome.by}${outcome.reason ? ` (${outcome.reason})` : ''}`;
    case 'timeout':
      return `timed out waiting for approval (no decision within ${formatSeconds(outcome.afterMs)})`;
    case 'cancelled':
      return 'cancelled by the AI client';
    case 'provider-gone':
      return `its provider ${target.provider} disconnected while it waited for approval`;
    case 'shutdown':
      return 'the hub shut down while it waited for approval';
    case 'refused':
      return `refused at once because ${outcome.why}`;
  }
}

/** The activity list's outcome of a call or request the queue refused. */
export function refusalOutcome(outcome: ApprovalOutcome): Activity['outcome'] {
  if (outcome.kind === 'timeout') return 'timeout';
  if (outcome.kind === 'cancelled') return 'cancelled';
  return outcome.kind === 'denied' ? 'denied' : 'failed';
}
