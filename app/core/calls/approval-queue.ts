import { randomUUID } from 'node:crypto';
import type { Pending } from '../../shared/admin-types.js';
import type { Logger } from '../base/log.js';
import { formatSeconds } from '../providers/provider-lists.js';

/** A call waiting for a person to approve or deny it (the admin API's `Pending`). */
export type PendingApproval = Pending;

export type ApprovalOutcome =
  | { kind: 'approved'; by: string; always: boolean; reason?: string }
  | { kind: 'denied'; by: string; always: boolean; reason?: string }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'cancelled' }
  | { kind: 'provider-gone' }
  | { kind: 'shutdown' }
  /** Never queued: the queue (or the caller's share of it) was full. `why` is one clause. */
  | { kind: 'refused'; why: string };

/** How many calls may wait at once (approvals.max_pending, approvals.max_pending_per_caller). */
export interface QueueLimits {
  maxPending: number;
  maxPerCaller: number;
}

export interface ApprovalQueueOptions {
  /** Read at each request, so a changed config.json applies to the next call. */
  limits?: () => QueueLimits;
  log?: Logger;
}

export type DecideResult = { ok: true; pending: PendingApproval } | { ok: false; message: string };

interface Waiter {
  pending: PendingApproval;
  resolve: (outcome: ApprovalOutcome) => void;
  timer: NodeJS.Timeout;
}

const REMEMBERED = 500;

/**
 * The pending queue (docs/approvals.md). Every request ends exactly once: by a decision, the timeout,
 * the AI client's cancellation, its provider leaving, or shutdown; nothing waits forever. A
 * decision for a request that already ended is refused with a message saying how it ended.
 */
export class ApprovalQueue {
  private readonly waiting = new Map<string, Waiter>();
  private readonly ended = new Map<string, string>();
  /** How many calls each caller has waiting (for the per-caller share). */
  private readonly perCaller = new Map<string, number>();
  /** Whether the last request was refused, so a burst of refusals is logged once. */
  private refusing = false;
  private readonly listeners = new Set<(event: 'added' | 'resolved', pending: PendingApproval, outcome?: ApprovalOutcome) => void>();

  constructor(private readonly options: ApprovalQueueOptions = {}) {}

  /**
   * Queues a call for a decision. Past `maxPending` calls in all, or `maxPerCaller` from this
   * caller, the call is not queued: it resolves at once with `refused`, so one busy or hostile
   * client can neither grow the queue without bound nor crowd out the others.
   */
  request(
    info: Omit<PendingApproval, 'id' | 'createdAt' | 'expiresAt'>,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<ApprovalOutcome> {
    const refusal = this.refusal(info.caller);
    if (refusal) return Promise.resolve(refusal);
    const now = Date.now();
    const pending: PendingApproval = { ...info, id: randomUUID(), createdAt: now, expiresAt: now + options.timeoutMs };
    return new Promise<ApprovalOutcome>((resolve) => {
      if (options.signal?.aborted) return resolve({ kind: 'cancelled' });
      const timer = setTimeout(() => this.finish(pending.id, { kind: 'timeout', afterMs: options.timeoutMs }), options.timeoutMs);
      this.waiting.set(pending.id, { pending, resolve, timer });
      this.perCaller.set(info.caller, (this.perCaller.get(info.caller) ?? 0) + 1);
      options.signal?.addEventListener('abort', () => this.finish(pending.id, { kind: 'cancelled' }), { once: true });
      this.emit('added', pending);
    });
  }

  /** `idOrPrefix`: the full id, or a prefix naming one request among those waiting and those recently ended. */
  decide(idOrPrefix: string, approve: boolean, by: string, options: { always?: boolean; reason?: string } = {}): DecideResult {
    const id = this.resolveId(idOrPrefix);
    if (typeof id !== 'string') return id;
    const waiter = this.waiting.get(id);
    if (!waiter) {
      const how = this.ended.get(id);
      return { ok: false, message: how ? `Too late: this request ${how}.` : `No pending request with id ${id}.` };
    }
    const outcome: ApprovalOutcome = approve
      ? { kind: 'approved', by, always: !!options.always, reason: options.reason }
      : { kind: 'denied', by, always: !!options.always, reason: options.reason };
    this.finish(id, outcome);
    return { ok: true, pending: waiter.pending };
  }

  /**
   * A prefix resolves against ended requests too, so it gets the same answer as the full id
   * ("Too late: …"); one that fits several requests is refused rather than guessed.
   */
  private resolveId(idOrPrefix: string): string | { ok: false; message: string } {
    if (this.waiting.has(idOrPrefix) || this.ended.has(idOrPrefix)) return idOrPrefix;
    const matches = idOrPrefix ? [...this.waiting.keys(), ...this.ended.keys()].filter((id) => id.startsWith(idOrPrefix)) : [];
    if (matches.length > 1) return { ok: false, message: `The id prefix "${idOrPrefix}" fits ${matches.length} requests; give more characters.` };
    return matches[0] ?? idOrPrefix;
  }

  /** Fails every request waiting on a provider that left. */
  failProvider(provider: string): void {
    for (const [id, waiter] of this.waiting) if (waiter.pending.provider === provider) this.finish(id, { kind: 'provider-gone' });
  }

  closeAll(): void {
    for (const id of [...this.waiting.keys()]) this.finish(id, { kind: 'shutdown' });
  }

  list(): PendingApproval[] {
    return [...this.waiting.values()].map((w) => w.pending);
  }

  get size(): number {
    return this.waiting.size;
  }

  onEvent(listener: (event: 'added' | 'resolved', pending: PendingApproval, outcome?: ApprovalOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private refusal(caller: string): ApprovalOutcome | undefined {
    const limits = this.options.limits?.();
    if (!limits) return undefined;
    const mine = this.perCaller.get(caller) ?? 0;
    let why: string | undefined;
    if (this.waiting.size >= limits.maxPending) {
      why = `${this.waiting.size} calls already wait for approval, the most approvals.max_pending allows`;
    } else if (mine >= limits.maxPerCaller) {
      why = `${caller} already has ${mine} calls waiting for approval, the most approvals.max_pending_per_caller allows`;
    }
    if (why && !this.refusing) this.options.log?.warn('approval queue full: new calls are refused until some are decided', { caller, reason: why });
    this.refusing = why !== undefined;
    return why ? { kind: 'refused', why } : undefined;
  }

  private finish(id: string, outcome: ApprovalOutcome): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    const caller = waiter.pending.caller;
    const left = (this.perCaller.get(caller) ?? 1) - 1;
    if (left > 0) this.perCaller.set(caller, left);
    else this.perCaller.delete(caller);
    clearTimeout(waiter.timer);
    this.ended.set(id, describeEnd(outcome));
    if (this.ended.size > REMEMBERED) this.ended.delete(this.ended.keys().next().value!);
    waiter.resolve(outcome);
    this.emit('resolved', waiter.pending, outcome);
  }

  private emit(event: 'added' | 'resolved', pending: PendingApproval, outcome?: ApprovalOutcome): void {
    for (const listener of this.listeners) listener(event, pending, outcome);
  }
}

export function describeEnd(outcome: ApprovalOutcome): string {
  switch (outcome.kind) {
    case 'approved':
      return `was already approved by ${outcome.by}`;
    case 'denied':
      return `was already denied by ${outcome.by}`;
    case 'timeout':
      return `timed out after ${formatSeconds(outcome.afterMs)}`;
    case 'cancelled':
      return 'was cancelled by the AI client';
    case 'provider-gone':
      return 'ended because its provider disconnected';
    case 'shutdown':
      return 'ended because the hub shut down';
    case 'refused':
      return `was refused at once because ${outcome.why}`;
  }
}
