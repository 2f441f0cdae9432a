import { randomUUID } from 'node:crypto';
import type { Activity } from '../../shared/admin-types.js';
import type { Config } from '../config/config.js';
import { digestArguments, type AuditEntry } from './audit-log.js';
import type { ApprovalOutcome, ApprovalQueue, PendingApproval } from './approval-queue.js';
import { keepAlive, type Waiting } from './keep-alive.js';
import { settleApproval } from './approval-outcome.js';
import type { Rule } from './policy.js';

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

/** What every audit line of one call carries; the digest and the id only when auditing. */
export type AuditBase = { caller: string; provider: string; tool: string; args_digest: string; call_id?: string };

/** Who waits for a decision, and how it is kept alive meanwhile. */
export interface Asker {
  signal: AbortSignal;
  /** Present when the AI client can hear progress: called while the request waits (keep-alive). */
  onwaiting?: (waiting: Waiting) => void;
}

/**
 * The steps every gated request shares, whoever makes it (a tool call, a resource read, a
 * prompt, Claude Code's permission prompt): the audit line's common part, waiting in the
 * approval queue (kept alive), auditing the outcome and writing "always" rules, and the
 * activity list.
 */
export class ApprovalGate {
  private nextActivity = 1;

  constructor(
    readonly queue: ApprovalQueue,
    private readonly hooks: RouterHooks,
  ) {}

  audit(entry: AuditEntry): void {
    this.hooks.audit(entry);
  }

  activity(fields: Omit<Activity, 'id' | 'time'>): void {
    this.hooks.activity({ id: this.nextActivity++, time: new Date().toISOString(), ...fields });
  }

  auditBase(caller: string, provider: string, tool: string, args: unknown): AuditBase {
    const base = { caller, provider, tool };
    return this.hooks.auditing() ? { ...base, call_id: randomUUID(), args_digest: digestArguments(args) } : { ...base, args_digest: '' };
  }

  /** The pending queue; an AI client that can hear progress is kept waiting along with the request. */
  ask(info: Omit<PendingApproval, 'id' | 'createdAt' | 'expiresAt' | 'keptAlive'>, asker: Asker, config: Config): Promise<ApprovalOutcome> {
    const windowMs = config.approvals.timeout_s * 1000;
    const waiting = this.queue.request({ ...info, keptAlive: asker.onwaiting !== undefined }, { timeoutMs: windowMs, signal: asker.signal });
    return asker.onwaiting ? keepAlive(waiting, asker.onwaiting, windowMs, config.approvals.keepalive_s * 1000) : waiting;
  }

  /** Audits a queue outcome and writes "always" rules; returns why the request is refused, if it is. */
  settle(outcome: ApprovalOutcome, base: AuditBase, target: { provider: string; tool: string }): Promise<string | null> {
    return settleApproval(outcome, base, target, this.hooks);
  }
}

export { refusalOutcome } from './approval-outcome.js';
