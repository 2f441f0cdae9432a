import type { AllowAnswer, ApiErrorBody, ApprovalSettings, ClientRequest, DecisionAnswer, DecisionRequest, DeleteRuleRequest, PanelState, RevokeAnswer, RotateAnswer, Rule, TokenCreated } from './types';

/** An admin API refusal, carrying the hub's own one-sentence `error`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * One admin API request, authenticated by the HttpOnly login cookie the browser sends itself.
 * Every state-changing request is JSON: the hub checks its Origin (added by the browser), and
 * the JSON content type makes a cross-site form post impossible on top of that.
 */
async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (method !== 'GET') {
    init.headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body ?? {});
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError('The hub cannot be reached: is `inlet serve` (or the tray app) still running?', 0);
  }
  const data = (await response.json().catch(() => null)) as (T & Partial<ApiErrorBody>) | null;
  if (!response.ok) throw new ApiError(data?.error ?? `The hub answered HTTP ${response.status}.`, response.status);
  return data as T;
}

const approval = (id: string, verb: 'approve' | 'deny', always: boolean) =>
  request<DecisionAnswer>('POST', `/api/approvals/${encodeURIComponent(id)}/${verb}`, { always } satisfies DecisionRequest);

export const api = {
  approve: (id: string, always = false) => approval(id, 'approve', always),
  deny: (id: string, always = false) => approval(id, 'deny', always),
  savePolicy: (settings: Partial<ApprovalSettings>) => request<ApprovalSettings>('PUT', '/api/policy', settings),
  addRule: (rule: Rule) => request<ApprovalSettings>('POST', '/api/policy/rules', rule),
  // The rule goes along so the hub refuses (409) if the list changed since it was drawn.
  deleteRule: (index: number, rule: Rule) => request<ApprovalSettings>('DELETE', `/api/policy/rules/${index}`, { rule } satisfies DeleteRuleRequest),
  pause: (paused: boolean) => request<ApprovalSettings>('POST', '/api/pause', { paused }),
  createToken: (client: string) => request<TokenCreated>('POST', '/api/tokens', { client } satisfies ClientRequest),
  revoke: (client: string) => request<RevokeAnswer>('POST', '/api/tokens/revoke', { client } satisfies ClientRequest),
  allow: (client: string) => request<AllowAnswer>('POST', '/api/tokens/allow', { client } satisfies ClientRequest),
  rotateSecret: () => request<RotateAnswer>('POST', '/api/secret/rotate', { confirm: 'rotate' }),
};

export type Connection =
  | { kind: 'connecting' }
  | { kind: 'live' }
  /** The stream broke; the browser is trying once more by itself (the hub asks for 1 s). */
  | { kind: 'interrupted' }
  /** The hub cannot be reached: the next attempt is at `retryAt` (this browser's clock). */
  | { kind: 'lost'; retryAt: number; retryNow: () => void }
  | { kind: 'logged-out' };

/** Seconds between attempts while the hub is away: quick at first, then every 15 s. */
const RETRY_S = [1, 2, 4, 8, 15];

/**
 * Follows `/api/events`: every `state` event replaces the whole picture. When the stream breaks,
 * the browser's own reconnection gets one try (a hub that restarts or ends every stream, as a
 * secret rotation does, is back or refuses at once); if that fails too, one plain request tells
 * a lost login (401) from a hub that is away. While it is away the panel reconnects on its own
 * schedule, shown as a countdown with "Retry now".
 */
export function watchState(onState: (state: PanelState) => void, onConnection: (connection: Connection) => void): () => void {
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let interrupted = false;
  let stopped = false;

  const reopenLater = () => {
    if (stopped) return;
    const delayMs = 1000 * RETRY_S[Math.min(failures, RETRY_S.length - 1)]!;
    failures += 1;
    clearTimeout(retry);
    retry = setTimeout(open, delayMs);
    onConnection({ kind: 'lost', retryAt: Date.now() + delayMs, retryNow: open });
  };

  function open(): void {
    clearTimeout(retry);
    source?.close();
    const current = new EventSource('/api/events');
    source = current;
    current.addEventListener('state', (event) => {
      failures = 0;
      interrupted = false;
      onConnection({ kind: 'live' });
      const state = JSON.parse((event as MessageEvent<string>).data) as PanelState;
      // Countdowns are on the hub's clock: remember how far this browser's clock is off.
      if (typeof state.now === 'number') hubClockOffset = state.now - Date.now();
      onState(state);
    });
    current.onerror = () => {
      if (current !== source) return;
      if (current.readyState === EventSource.CONNECTING && !interrupted && failures === 0) {
        interrupted = true;
        return onConnection({ kind: 'interrupted' });
      }
      current.close();
      fetch('/api/state', { credentials: 'same-origin' }).then(
        (response) => (response.status === 401 ? onConnection({ kind: 'logged-out' }) : reopenLater()),
        reopenLater,
      );
    };
  }

  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    source?.close();
  };
}

/** Milliseconds to add to Date.now() to read the hub's clock (from the last state event). */
export let hubClockOffset = 0;
