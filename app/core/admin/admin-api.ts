import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { AdminSessions, cookieName, readCookie } from './admin-session.js';
import type { ApprovalQueue } from '../calls/approval-queue.js';
import type { VerifyResult } from '../calls/audit-log.js';
import type { Config } from '../config/config.js';
import type { ConfigStore } from '../config/config-store.js';
import { describeError, isHubError } from '../base/errors.js';
import { readJsonBody, sendJson, sendText } from '../http/http-util.js';
import { ApprovalSettingsSchema, RuleSchema } from '../calls/policy.js';
import type { HubStatus } from './status.js';
import { assertClientId, bearerToken, type TokenService } from '../security/tokens.js';
import type { Activity } from '../calls/tool-router.js';
import type { AllowAnswer, DecisionAnswer, DecisionRequest, LoginCodeAnswer, PanelState, RevokeAnswer, RotateAnswer, TokenCreated } from '../../shared/admin-types.js';
import { inletShellLine, type InletCommand } from '../base/version.js';
import { companionExtensionDir, installLayout } from '../base/install-layout.js';
import type { FailureThrottle } from '../security/failure-throttle.js';
import { PANEL_CSP, sendMessagePage } from './message-page.js';

export interface AdminBackend {
  status(): HubStatus;
  queue: ApprovalQueue;
  activity(): Activity[];
  config(): Config;
  configStore: ConfigStore;
  tokens(): TokenService;
  rotateSecret(): Promise<void>;
  verifyAudit(): VerifyResult;
  origin(): string;
  /** How to run `inlet` so that it reaches this hub (PanelState.inlet). */
  inlet(): InletCommand;
  onChange(listener: () => void): () => void;
  /** Counts failed logins and 401s per address (429 past the limit). */
  throttle: FailureThrottle;
}

/** The built panel, inside this installation (in a packaged app, inside its app.asar). */
const PANEL_DIR = join(installLayout().root, 'renderer', 'dist') + sep;
const CSP = PANEL_CSP;
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon' };
/** A panel route for `/login?view=`: `welcome`, `pending`, `pending/<id>` and the like. */
const PANEL_VIEW = /^[a-z]{1,20}(\/[A-Za-z0-9_-]{1,100})?$/;
/** Thrown when readJsonBody already answered (400/413). */
class BodyAnswered extends Error {}

const DecisionBody: z.ZodType<DecisionRequest> = z.strictObject({ always: z.boolean().optional(), reason: z.string().max(2000).optional(), by: z.string().max(100).optional() });

/**
 * The admin API (`/api/…`), the panel's static files (`/`), and the login URL (`/login`).
 * The panel and `inlet approvals` are its only clients. Auth is the panel cookie or an admin
 * bearer token; every state-changing request must come from the hub's own origin (or carry no
 * Origin at all, as the CLI does).
 */
export class AdminApi {
  readonly sessions: AdminSessions;
  private readonly streams = new Set<ServerResponse>();

  constructor(
    private readonly backend: AdminBackend,
    secret: () => Buffer,
  ) {
    this.sessions = new AdminSessions(secret, () => cookieName(new URL(backend.origin()).port));
  }

  loginUrl(): string {
    return `${this.backend.origin()}/login?code=${this.sessions.createCode()}`;
  }

  /** Ends every open event stream (after a secret rotation, a login no longer holds). */
  closeStreams(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  /** Handles the request if it is ours; returns false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (path === '/login') return this.login(req, res), true;
    if (path === '/' || path === '/index.html' || path.startsWith('/assets/')) return await this.panel(req, res, path), true;
    if (!path.startsWith('/api/')) return false;
    const auth = this.authenticate(req);
    if (!auth) {
      if (this.throttled(req, res, '/api')) return true;
      return sendJson(res, 401, { error: 'Unauthorized: log in with the URL from `inlet panel`, or send an admin token.' }), true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const origin = req.headers.origin;
      if ((auth === 'cookie' && origin !== this.backend.origin()) || (origin && origin !== this.backend.origin())) {
        return sendJson(res, 403, { error: 'Forbidden: a state-changing request must come from the panel itself.' }), true;
      }
    }
    try {
      await this.api(req, res, path, auth);
    } catch (error) {
      if (error instanceof BodyAnswered) return true;
      const status = isHubError(error) || error instanceof z.ZodError ? 400 : 500;
      sendJson(res, status, { error: error instanceof z.ZodError ? `Invalid request: ${error.issues[0]?.message}` : describeError(error) });
    }
    return true;
  }

  private authenticate(req: IncomingMessage): 'cookie' | 'token' | null {
    const token = bearerToken(req.headers.authorization);
    if (token && this.backend.tokens().verify(token)?.kind === 'admin') return 'token';
    return this.sessions.verifyCookie(readCookie(req.headers.cookie, this.sessions.cookie)) ? 'cookie' : null;
  }

  /**
   * `/login?code=…[&view=pending/ID]`: the cookie, then the panel, opened at `view` when one is
   * given (the tray app opens a pending call or the welcome page this way). A view is a panel
   * route, never a URL: anything else is dropped, so the redirect cannot leave the panel.
   */
  private login(req: IncomingMessage, res: ServerResponse): void {
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    const cookie = this.sessions.redeem(params.get('code') ?? '');
    if (!cookie) {
      if (this.throttled(req, res, '/login')) return;
      return sendMessagePage(res, 401, {
        title: 'This login link is not valid',
        lines: ['A panel link works once, for two minutes: this one was already used, has expired, or was cut short when it was copied.', 'For a fresh link, run `inlet panel` in a terminal and open the link it prints:'],
        command: this.panelCommand(),
      });
    }
    const view = params.get('view') ?? '';
    const location = PANEL_VIEW.test(view) ? `/#${view}` : '/';
    res.writeHead(303, { 'Set-Cookie': this.sessions.cookieHeader(cookie), Location: location, 'Cache-Control': 'no-store' });
    res.end();
  }

  /** Records a failed login; past the limit answers 429 itself and returns true. */
  private throttled(req: IncomingMessage, res: ServerResponse, surface: string): boolean {
    const retryAfter = this.backend.throttle.fail(req.socket.remoteAddress, surface);
    if (!retryAfter) return false;
    res.setHeader('Retry-After', String(retryAfter));
    sendJson(res, 429, { error: 'Too many failed logins from this address: wait and try again.' });
    return true;
  }

  /** `inlet panel` for this hub, ready to paste (with --data-dir when the hub's is not the default). */
  private panelCommand(): string {
    return `${inletShellLine(this.backend.inlet())} panel`;
  }

  private async panel(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const isIndex = path === '/' || path === '/index.html';
    if (isIndex && !this.sessions.verifyCookie(readCookie(req.headers.cookie, this.sessions.cookie))) {
      return sendMessagePage(res, 401, {
        title: 'Not logged in',
        lines: ['This Inlet panel opens through a one-time login link: `inlet serve` prints one when the hub starts, and `inlet panel` prints a fresh one at any time.', 'Run this in a terminal and open the link it prints:'],
        command: this.panelCommand(),
        hint: 'A login stays valid in this browser for hours, across hub restarts; rotating the install secret ends it.',
      });
    }
    const file = normalize(join(PANEL_DIR, isIndex ? 'index.html' : path));
    if (!file.startsWith(PANEL_DIR)) return sendText(res, 404, 'Not found.');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return sendText(res, isIndex ? 503 : 404, isIndex ? 'The panel is not built: run `npm run build`.' : 'Not found.');
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': isIndex ? 'no-store' : 'max-age=3600' });
    res.end(body);
  }

  private async api(req: IncomingMessage, res: ServerResponse, path: string, auth: 'cookie' | 'token'): Promise<void> {
    const method = req.method ?? 'GET';
    // An empty body reads as {} (a bare POST /approve); invalid JSON has been answered with 400.
    const body = async () => {
      const parsed = await readJsonBody(req, res, 1024 * 1024, {});
      if (parsed === null) throw new BodyAnswered();
      return parsed;
    };
    if (method === 'GET' && path === '/api/status') return sendJson(res, 200, this.backend.status());
    if (method === 'GET' && path === '/api/state') return sendJson(res, 200, this.state());
    if (method === 'GET' && path === '/api/events') return this.events(req, res);
    if (method === 'GET' && path === '/api/approvals') return sendJson(res, 200, this.backend.queue.list());
    const decision = /^\/api\/approvals\/([^/]+)\/(approve|deny)$/.exec(path);
    if (method === 'POST' && decision) {
      const input = DecisionBody.parse((await body()) ?? {});
      const by = input.by ?? (auth === 'cookie' ? 'panel' : 'cli');
      const result = this.backend.queue.decide(decodeURIComponent(decision[1]!), decision[2] === 'approve', by, input);
      // Let the approved call go on to its provider before this answer is written.
      await new Promise((resolve) => setImmediate(resolve));
      return sendJson(res, result.ok ? 200 : 409, result.ok ? ({ ok: true, id: result.pending.id } satisfies DecisionAnswer) : { error: result.message });
    }
    if (method === 'GET' && path === '/api/policy') return sendJson(res, 200, this.backend.config().approvals);
    if (method === 'PUT' && path === '/api/policy') {
      // Only the keys sent change: a settings form that leaves out `rules` cannot drop a rule
      // that "always allow" added a moment ago.
      const raw = (await body()) as object;
      const changes = ApprovalSettingsSchema.partial().parse(raw);
      const given = Object.fromEntries(Object.entries(changes).filter(([key]) => key in raw));
      const config = await this.backend.configStore.updateApprovals((a) => ({ ...a, ...given }));
      return sendJson(res, 200, config.approvals);
    }
    if (method === 'POST' && path === '/api/policy/rules') {
      const rule = RuleSchema.parse(await body());
      const config = await this.backend.configStore.updateApprovals((a) => ({ ...a, rules: [...((a.rules as unknown[]) ?? []), rule] }));
      return sendJson(res, 200, config.approvals);
    }
    const ruleIndex = /^\/api\/policy\/rules\/(\d+)$/.exec(path);
    if (method === 'DELETE' && ruleIndex) {
      const index = Number(ruleIndex[1]);
      // With {rule} in the body, the rule at `index` must still be that one (the list may have
      // changed since the page drew it): otherwise 409 rather than deleting the wrong rule.
      const expected = z.strictObject({ rule: RuleSchema.optional() }).parse(await body()).rule;
      let mismatch = false;
      const config = await this.backend.configStore.updateApprovals((a) => {
        const rules = (a.rules as unknown[]) ?? [];
        if (expected && !sameRule(rules[index], expected)) {
          mismatch = true;
          return a;
        }
        return { ...a, rules: rules.filter((_, i) => i !== index) };
      });
      if (mismatch) return sendJson(res, 409, { error: 'The rules changed since the page was drawn; nothing was deleted.' });
      return sendJson(res, 200, config.approvals);
    }
    if (method === 'POST' && path === '/api/pause') {
      const { paused } = z.strictObject({ paused: z.boolean() }).parse(await body());
      const config = await this.backend.configStore.updateApprovals((a) => ({ ...a, paused }));
      return sendJson(res, 200, config.approvals);
    }
    if (method === 'POST' && path === '/api/tokens') {
      const { client } = z.strictObject({ client: z.string() }).parse(await body());
      assertClientId(client);
      if (this.backend.tokens().isRevoked(client)) return sendJson(res, 409, { error: `${client} was revoked; pick another name.` });
      return sendJson(res, 200, { client, token: this.backend.tokens().mint(client) } satisfies TokenCreated);
    }
    const revocation = /^\/api\/tokens\/(revoke|allow)$/.exec(path);
    if (method === 'POST' && revocation) {
      const { client } = z.strictObject({ client: z.string() }).parse(await body());
      const revoke = revocation[1] === 'revoke';
      // Whatever stands in the revoked list can be taken out of it (a hand-edited typo too).
      if (revoke || !this.backend.tokens().isRevoked(client)) assertClientId(client);
      const answer = await this.setRevoked(client, revoke);
      return sendJson(res, 200, answer satisfies RevokeAnswer | AllowAnswer);
    }
    if (method === 'POST' && path === '/api/secret/rotate') {
      z.strictObject({ confirm: z.literal('rotate') }).parse(await body());
      await this.backend.rotateSecret();
      return sendJson(res, 200, { ok: true, message: 'The install secret was rotated: every token, and this login, stopped working.' } satisfies RotateAnswer);
    }
    if (method === 'POST' && path === '/api/login-code') return sendJson(res, 200, { url: this.loginUrl() } satisfies LoginCodeAnswer);
    if (method === 'GET' && path === '/api/audit/verify') return sendJson(res, 200, this.backend.verifyAudit());
    sendJson(res, 404, { error: `No such API: ${method} ${path}.` });
  }

  /**
   * Adds the client to `tokens.revoked` or takes it out, in one atomic edit, so two changes at
   * once (the panel, `inlet token`) both hold; the hub applies it at once (a revoked provider is
   * disconnected). `already` says the client was in that state before.
   */
  private async setRevoked(client: string, revoked: boolean): Promise<{ ok: true; already: boolean; revoked: string[] }> {
    let already = false;
    const config = await this.backend.configStore.update((raw, current) => {
      const list = current.tokens.revoked;
      already = list.includes(client) === revoked;
      if (already) return raw;
      return { ...raw, tokens: { ...(raw.tokens as object), revoked: revoked ? [...list, client] : list.filter((id) => id !== client) } };
    });
    return { ok: true, already, revoked: config.tokens.revoked };
  }

  /** Everything the panel shows, in one object. */
  state(): PanelState {
    const config = this.backend.config();
    return {
      now: Date.now(),
      inlet: { ...this.backend.inlet(), line: inletShellLine(this.backend.inlet()) },
      extensionDir: companionExtensionDir(),
      status: this.backend.status(),
      pending: this.backend.queue.list(),
      activity: this.backend.activity().slice(-100).reverse(),
      approvals: config.approvals,
      revoked: config.tokens.revoked,
    };
  }

  /** The live event stream: a `state` event now and after every change (coalesced). */
  private events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    this.streams.add(res);
    // A broken stream is retried by the browser after 1 s (the panel shows the hub as lost after that).
    res.write('retry: 1000\n\n');
    const send = () => res.write(`event: state\ndata: ${JSON.stringify(this.state())}\n\n`);
    send();
    let scheduled: NodeJS.Timeout | undefined;
    const unsubscribe = this.backend.onChange(() => {
      scheduled ??= setTimeout(() => {
        scheduled = undefined;
        send();
      }, 25);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      this.streams.delete(res);
      unsubscribe();
      clearInterval(keepAlive);
      if (scheduled) clearTimeout(scheduled);
    });
  }
}

/** The same rule, whatever order its keys were written in (config.json is the user's file too). */
function sameRule(stored: unknown, rule: z.infer<typeof RuleSchema>): boolean {
  const parsed = RuleSchema.safeParse(stored);
  if (!parsed.success) return false;
  const keys = ['provider', 'tool', 'caller', 'policy'] as const;
  return keys.every((key) => parsed.data[key] === rule[key]);
}
