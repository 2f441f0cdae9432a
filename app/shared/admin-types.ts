/**
 * The shapes the admin API answers with (docs/admin-api.md), shared by the hub (app/core) and
 * the panel (renderer/): README, Architecture lets the renderer import shared types only, so they live
 * here, in a file that imports nothing.
 */

export type Policy = 'allow' | 'ask' | 'deny';

/** Every key but `policy` is optional; `tool` is the provider's own tool name (`echo`). */
export interface Rule {
  provider?: string;
  tool?: string;
  caller?: string;
  policy: Policy;
}

export interface ApprovalSettings {
  default: Policy;
  timeout_s: number;
  rules: Rule[];
  paused: boolean;
  allow_read_only: boolean;
  max_pending: number;
  max_pending_per_caller: number;
  /** Seconds between the progress notifications that keep a waiting call's AI client waiting. */
  keepalive_s: number;
}

export interface ProviderStatus {
  name: string;
  client: string;
  state: string;
  remote: string;
  /** ISO time of the connection. */
  since: string;
  server?: string;
  /**
   * The MCP revision the hub speaks with this provider: `2026-07-28` (negotiated with
   * `server/discover`) or the 2025-era version agreed in `initialize` (`2025-11-25`,
   * `2025-06-18`, …). Absent while the handshake runs.
   */
  protocol?: string;
  /** The exposed names AI clients see (`everything__echo`). */
  tools: string[];
  /** `socket` (dialled in on /ws) or `registrant` (MCP-Link's remote tool); built-in ones are not listed. */
  kind: string;
  /** How many resources, resource templates and prompts it offers. */
  resources: number;
  resourceTemplates: number;
  prompts: number;
  calls: number;
  errors: number;
  inFlight: number;
  avgMs: number;
  /** The provider's recent log lines (`notifications/message`), oldest first, at most 50. */
  logs?: ProviderLogLine[];
}

export interface ProviderLogLine {
  /** ISO time the hub heard it. */
  time: string;
  /** The MCP log level: debug, info, notice, warning, error, critical, alert, emergency. */
  level: string;
  logger?: string;
  /** The message's data (JSON when it is not a string), cut to 500 characters. */
  text: string;
}

export interface HubStatus {
  version: string;
  pid: number;
  startedAt: string;
  urls: Record<string, string | undefined>;
  providers: ProviderStatus[];
  /** Live sessions on /mcp and /sse. */
  sessions: SessionStatus[];
  toolCount: number;
}

/**
 * One live AI or registrant session. `protocol` is the revision it speaks (2025-06-18,
 * 2025-11-25, 2026-07-28) or `sse`. `registered` is set on an MCP-Link registrant's session: the
 * tools it registered (each the provider `remote:<tool>`, whose `client` is the token it
 * connected with; an add-in that did not name itself calls as `addin:<first tool>`). `token` is
 * set when the session calls under another name than its token's: the id a revoke names.
 */
export interface SessionStatus {
  caller: string;
  client?: string;
  /** ISO time it started. */
  since: string;
  protocol?: string;
  registered?: string[];
  token?: string;
}

/**
 * An MCP-Link registrant's session, not an AI client's: it registered tools, or it calls under
 * another name than its token's (an add-in known by its tool, whether or not it still has one).
 */
export function isRegistrantSession(session: Pick<SessionStatus, 'registered' | 'token'>): boolean {
  return (session.registered?.length ?? 0) > 0 || session.token !== undefined;
}

/** A session as the hub's endpoints report it, before `since` (ms since the epoch) is written as ISO time. */
export type LiveSession = Omit<SessionStatus, 'since'> & { since: number };

export interface Pending {
  id: string;
  caller: string;
  provider: string;
  tool: string;
  exposed: string;
  arguments: unknown;
  /** Why the AI asks (Claude Code's permission prompts carry one). */
  reason?: string;
  /** The AI client asked for progress, so Inlet keeps its request alive while the call waits. */
  keptAlive?: boolean;
  /** Epoch milliseconds, on the hub's clock. */
  createdAt: number;
  expiresAt: number;
}

export type Outcome = 'ok' | 'error' | 'denied' | 'timeout' | 'cancelled' | 'failed';

export interface Activity {
  id: number;
  time: string;
  caller: string;
  provider: string;
  tool: string;
  decision: Policy;
  decidedBy: string;
  outcome: Outcome;
  durationMs: number;
}

/** One `state` event of `/api/events`: everything the panel shows. */
export interface PanelState {
  /** The hub's clock (epoch ms) when the state was taken. */
  now: number;
  /**
   * How to run this installation's `inlet` command (absolute paths, for ready-to-paste configs):
   * what a program spawns (`env` is set when that is the tray app's binary run as Node), and
   * `line`, what a person types in a shell.
   */
  inlet: { command: string; args: string[]; env?: Record<string, string>; line: string };
  /** The companion browser extension's folder in this installation (to load unpacked). */
  extensionDir: string;
  status: HubStatus;
  pending: Pending[];
  /** Newest first, at most 100. */
  activity: Activity[];
  approvals: ApprovalSettings;
  revoked: string[];
}

/** The provider name under which Claude Code's own permission prompts arrive. */
export const PERMISSIONS_PROVIDER = 'permissions';

// The bodies sent to, and the answers of, the state-changing endpoints (docs/admin-api.md,
// Endpoints). Every refusal is `ApiErrorBody` with a 4xx/5xx status.

export interface ApiErrorBody {
  error: string;
}

/** `POST /api/approvals/{id}/approve|deny`; `always` also writes a rule for that tool. */
export interface DecisionRequest {
  always?: boolean;
  reason?: string;
  /** Who decided, for the audit log (default `panel` with the cookie, `cli` with a token). */
  by?: string;
}

export interface DecisionAnswer {
  ok: true;
  /** The full id decided (the request may name a prefix). */
  id: string;
}

/** `DELETE /api/policy/rules/{index}`: with `rule`, 409 unless the rule at `index` is still that one. */
export interface DeleteRuleRequest {
  rule?: Rule;
}

/** `POST /api/tokens`, `POST /api/tokens/revoke` and `POST /api/tokens/allow`. */
export interface ClientRequest {
  client: string;
}

export interface TokenCreated {
  client: string;
  token: string;
}

export interface RevokeAnswer {
  ok: true;
  /** The client was revoked before this request (nothing changed). */
  already: boolean;
  /** Every revoked client id, this one included. */
  revoked: string[];
}

/** `POST /api/tokens/allow`: the client's tokens work again. */
export interface AllowAnswer {
  ok: true;
  /** The client was not revoked before this request (nothing changed). */
  already: boolean;
  /** Every client id still revoked. */
  revoked: string[];
}

export interface RotateAnswer {
  ok: true;
  message: string;
}

/** `POST /api/login-code`. */
export interface LoginCodeAnswer {
  url: string;
}
