import { AdminHttp } from '../core/admin/admin-http.js';
import { findRunningHub, type HubFile } from '../core/discovery/hub-file.js';
import type { CliContext } from './context.js';

/** The CLI's side of the admin API: finds the local hub and calls it with an admin token. */
export class AdminClient extends AdminHttp {
  private constructor(
    readonly hub: HubFile,
    token: string,
  ) {
    super(hub.urls.api, () => token);
  }

  static async connect(context: CliContext): Promise<AdminClient> {
    const hub = await findRunningHub(context.dataDir);
    return new AdminClient(hub, (await context.tokens()).mint('admin'));
  }

  /** Calls `onState` with each `state` event of the live stream until `signal` aborts. */
  override watch(onState: (state: Record<string, unknown>) => void, signal: AbortSignal): Promise<void> {
    return super.watch((state) => onState(state as Record<string, unknown>), signal);
  }
}
