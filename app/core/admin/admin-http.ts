import { HubError } from '../base/errors.js';

/**
 * A program's side of the admin API (docs/admin-api.md): requests with an admin bearer token,
 * and the live `state` stream of `/api/events`. The CLI (app/cli/admin-client.ts) and the tray
 * app's main process (app/main/hub-client.ts) are both built on it, so there is one reader of
 * the event stream. `token` is asked for on every request, so a caller can mint a new one after
 * the install secret was rotated.
 */
export class AdminHttp {
  constructor(
    readonly api: string,
    private readonly token: () => string | Promise<string>,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
    const response = await fetch(`${this.api}${path}`, {
      method,
      headers: { Authorization: `Bearer ${await this.token()}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await response.json().catch(() => ({}))) as T;
    if (response.status === 401) throw new HubError('HUB_UNREACHABLE', 'The hub refused the admin token (is it running with another data dir?).');
    return { status: response.status, data };
  }

  /**
   * Calls `onState` with each `state` event of the live stream until the stream ends (the hub
   * stopped, or closed it after a secret rotation) or `signal` aborts. A refused stream throws
   * HUB_UNREACHABLE, with `status` 401 when the token no longer holds.
   */
  async watch(onState: (state: unknown) => void, signal: AbortSignal): Promise<void> {
    const response = await fetch(`${this.api}/events`, { headers: { Authorization: `Bearer ${await this.token()}` }, signal });
    if (!response.ok || !response.body) {
      throw Object.assign(new HubError('HUB_UNREACHABLE', `The hub's event stream answered ${response.status}.`), { status: response.status });
    }
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
          if (event.includes('event: state') && data) onState(JSON.parse(data));
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }
}
