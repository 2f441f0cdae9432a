import { AdminHttp } from '../core/admin/admin-http.js';
import { HubError, isHubError } from '../core/base/errors.js';
import { findRunningHub, type HubFile } from '../core/discovery/hub-file.js';
import type { ApiErrorBody } from '../shared/admin-types.js';
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

  /**
   * The running hub of this data dir, or undefined when none runs (then a command that changes
   * the hub's state may write its file itself). Any other failure is thrown, never taken for "no
   * hub": writing config.json behind a running hub's back would race its own writes.
   */
  static async ifRunning(context: CliContext): Promise<AdminClient | undefined> {
    try {
      return await AdminClient.connect(context);
    } catch (error) {
      if (isHubError(error, 'HUB_NOT_RUNNING')) return undefined;
      throw error;
    }
  }

  /**
   * One request whose refusal is thrown as the hub's own sentence: a 4xx (bad input, too late,
   * changed meanwhile) as USAGE, so the command exits 2; a 5xx as HUB_UNREACHABLE.
   */
  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const { status, data } = await this.request<T & Partial<ApiErrorBody>>(method, path, body);
    if (status >= 400) throw new HubError(status < 500 ? 'USAGE' : 'HUB_UNREACHABLE', data.error ?? `The hub answered ${method} ${path} with HTTP ${status}.`);
    return data;
  }

  /** Calls `onState` with each `state` event of the live stream until `signal` aborts. */
  override watch(onState: (state: Record<string, unknown>) => void, signal: AbortSignal): Promise<void> {
    return super.watch((state) => onState(state as Record<string, unknown>), signal);
  }
}
