import type { Logger } from '../base/log.js';

/**
 * Failed authentications per remote address (bad or missing tokens on `/ws`, `/mcp`, `/sse` and
 * the admin API, unknown `/login` codes). Past `limit` failures within `windowMs`, the next
 * failures from that address are answered 429 with Retry-After instead of 401, and logged once.
 *
 * Credentials are always checked first, so a request that authenticates is served at once
 * whatever its address did: the local user, who shares 127.0.0.1 with every local program, can
 * never be locked out. Guessing is hopeless anyway (256-bit MACs, 192-bit login codes); the
 * throttle tells a misconfigured or revoked client to back off and keeps a flood out of the log.
 * Memory is bounded: at most `limit` timestamps for at most MAX_ADDRESSES addresses.
 */
export const FAILURE_LIMIT = 20;
export const FAILURE_WINDOW_MS = 60_000;
const MAX_ADDRESSES = 1_000;

export class FailureThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly throttled = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly limit = FAILURE_LIMIT,
    private readonly windowMs = FAILURE_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records one failure from `address`. Returns the seconds to put in Retry-After when the
   * address is over the limit (answer 429), or 0 (answer the usual 401).
   */
  fail(address: string | undefined, surface: string): number {
    const key = address ?? 'unknown';
    const now = this.now();
    const times = (this.failures.get(key) ?? []).filter((time) => time > now - this.windowMs);
    const over = times.length >= this.limit;
    // Retry-After: when the oldest failure that keeps the address over the limit ages out.
    const retryAfter = over ? Math.max(1, Math.ceil((times[times.length - this.limit]! + this.windowMs - now) / 1000)) : 0;
    times.push(now);
    if (times.length > this.limit) times.splice(0, times.length - this.limit);
    this.failures.delete(key); // re-inserted: the Map's order is least recently failed first
    this.failures.set(key, times);
    while (this.failures.size > MAX_ADDRESSES) {
      const oldest = this.failures.keys().next().value as string;
      this.failures.delete(oldest);
      this.throttled.delete(oldest);
    }
    if (!over) {
      this.throttled.delete(key);
      return 0;
    }
    if (!this.throttled.has(key)) {
      this.throttled.add(key);
      this.log.warn(`more than ${this.limit} failed authentications within ${this.windowMs / 1000} s: further failures from this address get 429 until they slow down`, { remote: key, surface });
    }
    return retryAfter;
  }
}
