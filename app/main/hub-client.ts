import { z } from 'zod';
import { AdminHttp } from '../core/admin/admin-http.js';
import { HubError } from '../core/base/errors.js';
import { isRegistrantSession } from '../shared/admin-types.js';
import type { TrayHubState } from './tray-view.js';

/**
 * Main's side of the admin API (README, Architecture: main, the panel and the CLI are all clients of the
 * same API). The admin token is minted from the install secret by `token()`, asked again after
 * a 401 (a rotated secret). The live state is checked with zod as it arrives: main reads only
 * the fields the tray shows, and a state it cannot read is reported rather than half-shown.
 */
const StateSchema = z.object({
  status: z.object({
    providers: z.array(z.object({ name: z.string() })),
    toolCount: z.number().int().nonnegative(),
    sessions: z.array(z.object({ caller: z.string(), registered: z.array(z.string()).optional(), token: z.string().optional() })),
  }),
  pending: z.array(z.object({ id: z.string(), caller: z.string(), provider: z.string(), tool: z.string() })),
  approvals: z.object({ paused: z.boolean() }),
});

export function toTrayState(raw: unknown): TrayHubState {
  const state = StateSchema.parse(raw);
  return {
    providers: state.status.providers.length,
    tools: state.status.toolCount,
    // An MCP-Link registrant's session is counted as the providers it registered, not as an AI client.
    clients: new Set(state.status.sessions.filter((s) => !isRegistrantSession(s)).map((s) => s.caller)).size,
    pending: state.pending.map(({ id, caller, provider, tool }) => ({ id, caller, provider, tool })),
    paused: state.approvals.paused,
  };
}

export class HubClient {
  private readonly http: AdminHttp;

  constructor(api: string, token: () => Promise<string>) {
    this.http = new AdminHttp(api, token);
  }

  /** Follows the live state until the stream ends or `signal` aborts. */
  watch(onState: (state: TrayHubState) => void, signal: AbortSignal): Promise<void> {
    return this.http.watch((raw) => onState(toTrayState(raw)), signal);
  }

  /** A fresh one-time login URL for the panel window. */
  async loginUrl(): Promise<string> {
    const { data } = await this.ok<{ url?: unknown }>('POST', '/login-code');
    if (typeof data.url !== 'string') throw new HubError('HUB_UNREACHABLE', 'The hub answered the login request without a URL.');
    return data.url;
  }

  async pause(paused: boolean): Promise<void> {
    await this.ok('POST', '/pause', { paused });
  }

  /** A token for `ai:<name>` (the hub refuses a revoked name with its own sentence). */
  async aiToken(name: string): Promise<string> {
    const { data } = await this.ok<{ token?: unknown }>('POST', '/tokens', { client: `ai:${name}` });
    if (typeof data.token !== 'string') throw new HubError('HUB_UNREACHABLE', 'The hub answered without a token.');
    return data.token;
  }

  private async ok<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T & { error?: string } }> {
    const answer = await this.http.request<T & { error?: string }>(method, path, body);
    if (answer.status >= 400) throw new HubError('HUB_UNREACHABLE', answer.data.error ?? `The hub answered ${method} ${path} with HTTP ${answer.status}.`);
    return answer;
  }
}
