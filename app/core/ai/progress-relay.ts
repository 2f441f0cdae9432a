import type { Progress } from '@modelcontextprotocol/server';
import type { Waiting } from '../calls/keep-alive.js';

/**
 * One call's progress notifications to the AI client that sent a progress token: first the
 * hub's own while the call waits for approval, then the provider's. MCP requires the value to
 * increase with every notification, so the waiting beats count 0, 1, 2, … and the provider's
 * values (and total) that follow are shifted past them.
 *
 * Notifications go out in order, and `flush()` waits for all of them: the SDK client stops
 * listening for progress once the result arrives, so the result must come last.
 */
export class ProgressRelay {
  private sent: Promise<void> = Promise.resolve();
  private beats = 0;

  constructor(private readonly send: (progress: Progress) => Promise<void>) {}

  /** The router's keep-alive beat: "waiting for approval in Inlet". */
  readonly waiting = (state: Waiting): void => {
    this.emit({ progress: this.beats++, message: `Waiting for approval in Inlet (${Math.ceil(state.leftMs / 1000)} s left)` });
  };

  /** A provider's own progress, forwarded. */
  readonly provider = (progress: Progress): void => {
    const shift = this.beats;
    this.emit(shift === 0 ? progress : { ...progress, progress: progress.progress + shift, ...(progress.total === undefined ? {} : { total: progress.total + shift }) });
  };

  flush(): Promise<void> {
    return this.sent;
  }

  private emit(progress: Progress): void {
    this.sent = this.sent.then(() => this.send(progress)).catch(() => undefined);
  }
}
