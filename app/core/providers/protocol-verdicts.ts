/**
 * Which providers speak only the 2025 revisions, by provider name, so that a reconnect skips the
 * `server/discover` probe and goes straight to `initialize`. Learning it once costs a round trip
 * (a provider that answers the probe with an error) or the whole probe timeout (one that never
 * answers it, or hangs up on it); a bridge or an extension reconnects often.
 *
 * Only the 2025 verdict is kept. For a 2026-07-28 provider `server/discover` is not a probe but
 * its handshake (it brings the provider's name, version and capabilities), so it is always sent.
 * A 2025 verdict goes stale when a provider is upgraded in place (it still answers `initialize`
 * and would stay on 2025 for good), so each one is forgotten after `ttlMs`, and a provider that
 * speaks 2026 on any connection clears it. Kept in memory only: a restarted hub probes afresh.
 */
export class ProtocolVerdicts {
  private readonly legacy = new Map<string, number>();

  constructor(
    private readonly ttlMs = 60 * 60_000,
    private readonly maxNames = 4096,
  ) {}

  /** True when `name` was last seen speaking 2025 only, within the last `ttlMs`. */
  isLegacy(name: string, now = Date.now()): boolean {
    const learned = this.legacy.get(name);
    if (learned === undefined) return false;
    if (now - learned < this.ttlMs) return true;
    this.legacy.delete(name);
    return false;
  }

  /** Records what `name` spoke on a connection that got through its handshake (or hung up on the probe). */
  remember(name: string, era: 'legacy' | 'modern', now = Date.now()): void {
    this.legacy.delete(name);
    if (era === 'modern') return;
    this.legacy.set(name, now);
    // Names are authenticated, so this only bounds a pathological configuration.
    if (this.legacy.size > this.maxNames) this.legacy.delete(this.legacy.keys().next().value!);
  }
}
