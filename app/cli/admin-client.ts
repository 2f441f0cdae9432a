import { HubError } from '../core/base/errors.js';
import { findRunningHub, type HubFile } from '../core/discovery/hub-file.js';
import type { CliContext } from './context.js';

/** The CLI's side of the admin API: finds the local hub and calls it with an admin token. */
export class AdminClient {
  private constructor(
    readonly hub: HubFile,
    private readonly token: string,
  ) {}

  static async connect(context: CliContext): Promise<AdminClient> {
    const hub = await findRunningHub(context.dataDir);
    return new AdminClient(hub, (await context.tokens()).mint('admin'));
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
    const response = await fetch(`${this.hub.urls.api}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await response.json().catch(() => ({}))) as T;
    if (response.status === 401) throw new HubError('HUB_UNREACHABLE', 'The hub refused the admin token (is it running with another data dir?).');
    return { status: response.status, data };
  }

  /** Calls `onState` with each `state` event of the live stream until `signal` aborts. */
  async watch(onState: (state: Record<string, unknown>) => void, signal: AbortSignal): Promise<void> {
    const response = await fetch(`${this.hub.urls.api}/events`, { headers: { Authorization: `Bearer ${this.token}` }, signal });
    if (!response.ok || !response.body) throw new HubError('HUB_UNREACHABLE', `The hub's event stream answered ${response.status}.`);
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (event.includes('event: state') && data) onState(JSON.parse(data) as Record<string, unknown>);
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }
}
