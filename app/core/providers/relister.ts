/**
 * Re-reading one of a provider's lists after its `list_changed`, coalesced: a notification
 * during a listing waits for it to end; re-listings start at most once per `intervalMs` (the
 * first at once), so a provider that floods notifications gets one re-listing per interval,
 * never a storm. Each re-listing is bounded by `timeoutMs`; `fail` hears a listing that failed
 * or ran out of time (the connection then decides what it costs the provider).
 */
export interface RelisterOptions {
  /** Reads the whole list and publishes it. */
  run: () => Promise<void>;
  intervalMs: number;
  timeoutMs: number;
  fail: (error: unknown, timedOut: boolean) => void;
  /** False while the connection is still starting (the start-up listing runs then) or is closed. */
  ready: () => boolean;
}

export class Relister {
  private listing: Promise<void> | undefined;
  private startedAt = Number.NEGATIVE_INFINITY;
  private wanted = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: RelisterOptions) {}

  /** The first listing (at start-up, under the start-up deadline of the caller). */
  first(): Promise<void> {
    return this.track(this.options.run());
  }

  /** The provider said the list changed. */
  changed(): void {
    if (this.stopped || this.timer) return;
    if (this.listing || !this.options.ready()) {
      this.wanted = true;
      return;
    }
    const wait = this.startedAt + this.options.intervalMs - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.changed();
      }, wait);
      this.timer.unref();
      return;
    }
    this.startedAt = Date.now();
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      this.options.fail(new Error('timeout'), true);
    }, this.options.timeoutMs);
    this.track(this.options.run()).then(
      () => {
        clearTimeout(deadline);
        this.catchUp();
      },
      (error: unknown) => {
        clearTimeout(deadline);
        if (!timedOut) this.options.fail(error, false);
      },
    );
  }

  /** Runs a re-listing that was asked for while another listing (or the start-up) ran. */
  catchUp(): void {
    if (this.wanted) this.changed();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private track(listing: Promise<void>): Promise<void> {
    this.wanted = false;
    this.listing = listing.finally(() => (this.listing = undefined));
    return this.listing;
  }
}
