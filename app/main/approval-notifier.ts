import type { ElectronFacade, NotificationHandle } from './electron-facade.js';
import { describeCall, type PendingCall } from './tray-view.js';

/**
 * One desktop notification per call that waits for approval (docs/approvals.md); a click opens the
 * panel at that call. A call that leaves the queue (decided, timed out, its provider gone)
 * takes its notification with it, so no stale prompt stays on screen.
 */
export class ApprovalNotifier {
  private readonly shown = new Map<string, NotificationHandle | undefined>();

  constructor(
    private readonly electron: Pick<ElectronFacade, 'notify'>,
    private readonly open: (view: string) => void,
  ) {}

  update(pending: readonly PendingCall[]): void {
    const waiting = new Set(pending.map((call) => call.id));
    for (const [id, handle] of this.shown) {
      if (waiting.has(id)) continue;
      handle?.close();
      this.shown.delete(id);
    }
    for (const call of pending) {
      if (this.shown.has(call.id)) continue;
      const handle = this.electron.notify(
        { title: 'A tool call waits for your approval', body: `${describeCall(call)}, asked by ${call.caller}` },
        () => this.open(`pending/${call.id}`),
      );
      this.shown.set(call.id, handle);
    }
  }

  /** The hub went away, and its queue with it. */
  clear(): void {
    this.update([]);
  }
}
