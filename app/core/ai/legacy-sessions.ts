import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isInitializeRequest, WebStandardStreamableHTTPServerTransport, type AuthInfo, type Server } from '@modelcontextprotocol/server';
import type { Logger } from '../base/log.js';
import { sendJson } from '../http/http-util.js';
import { toWebRequest, writeWebResponse, type WriteMode } from './web-bridge.js';
import type { ToolsListSplice } from './tools-list-splice.js';

/** What the SDK writes on a 2025 GET stream for `server.sendToolListChanged()`. */
const LIST_CHANGED_FRAME = Buffer.from('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n\n');

/** One 2025-era (2025-06-18 / 2025-11-25) session: an SDK server and the SDK's session transport. */
interface LegacySession {
  id: string;
  caller: string;
  /** The token the session was opened with: the same string later skips the HMAC. */
  token: string | undefined;
  since: number;
  server: Server;
  transport: WebStandardStreamableHTTPServerTransport;
  /** Requests whose answers are still being written (the GET stream not included). */
  active: number;
  /** The client's GET stream (where list changes are pushed) while it is open. */
  stream: ServerResponse | undefined;
  /** The client closed its GET stream: from then on a quiet session is over after `graceMs`. */
  streamGone: boolean;
  lastSeen: number;
  graceTimer: NodeJS.Timeout | undefined;
}

export interface LegacySessionOptions {
  createServer: () => Server;
  log: Logger;
  mode: WriteMode;
  splice: ToolsListSplice | undefined;
  /** A session with no stream, nothing in flight and no request for this long is ended. */
  idleMs: () => number;
  /** A session whose client closed its GET stream and then went quiet is ended after this long. */
  graceMs: number;
  /** A session opened or ended (the panel's list of AI clients). */
  onChange: () => void;
}

export interface SessionRequest {
  req: IncomingMessage;
  res: ServerResponse;
  caller: string;
  token: string | undefined;
  raw: string | undefined;
  body: unknown;
}

/**
 * The 2025-era sessions of `/mcp`, served the way the SDK documents for legacy clients: one SDK
 * `Server` and one `WebStandardStreamableHTTPServerTransport` per session, so each session gets
 * its `tools/list_changed` pushes on its GET stream. No session outlives its client: `DELETE`
 * ends it, a client that closed its GET stream and sends nothing more is gone after a few
 * seconds, and a session quiet for the idle timeout (`ai.idle_timeout_min`) is ended.
 */
export class LegacySessions {
  private readonly sessions = new Map<string, LegacySession>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: LegacySessionOptions) {
    this.scheduleSweep();
  }

  /** Looks for idle sessions a few times per idle timeout (at least every 15 s). */
  private scheduleSweep(): void {
    this.sweeper = setTimeout(() => {
      this.sweep();
      this.scheduleSweep();
    }, Math.min(15_000, this.options.idleMs() / 4));
    this.sweeper.unref();
  }

  /** The open session `id` if it belongs to this token (the HMAC was checked when it opened). */
  byToken(id: string, token: string | undefined): { caller: string } | undefined {
    const session = this.sessions.get(id);
    return session && token !== undefined && session.token === token ? session : undefined;
  }

  async handle(request: SessionRequest): Promise<void> {
    const { req, res, caller } = request;
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const session = this.sessions.get(id);
      // A session belongs to the client that opened it; anyone else gets "not found".
      if (!session || session.caller !== caller) return sendJson(res, 404, rpcError(-32001, 'Session not found'));
      return this.serve(session, request);
    }
    if (req.method === 'POST' && isInitializeRequest(request.body)) return this.open(request);
    sendJson(res, 400, rpcError(-32000, 'Bad Request: Mcp-Session-Id header is required (initialize a session first)'));
  }

  private async open(request: SessionRequest): Promise<void> {
    const server = this.options.createServer();
    const session: LegacySession = {
      id: '',
      caller: request.caller,
      token: request.token,
      since: Date.now(),
      server,
      transport: new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          session.id = id;
          this.sessions.set(id, session);
        },
      }),
      active: 0,
      stream: undefined,
      streamGone: false,
      lastSeen: Date.now(),
      graceTimer: undefined,
    };
    session.transport.onclose = () => {
      clearTimeout(session.graceTimer);
      if (!session.id || !this.sessions.delete(session.id)) return;
      this.options.log.info('AI session ended', { caller: session.caller, client: clientName(session) });
      this.options.onChange();
    };
    server.oninitialized = () => {
      this.options.log.info('AI session opened', { caller: session.caller, client: clientName(session), protocol: server.getNegotiatedProtocolVersion() });
      this.options.onChange();
    };
    await server.connect(session.transport);
    await this.serve(session, request);
  }

  private async serve(session: LegacySession, { req, res, raw, body }: SessionRequest): Promise<void> {
    const isStream = req.method === 'GET';
    clearTimeout(session.graceTimer);
    session.lastSeen = Date.now();
    if (!isStream) session.active++;
    const request = toWebRequest(req, res, raw);
    const auth: AuthInfo = { token: '', clientId: session.caller, scopes: [] };
    try {
      const response = await session.transport.handleRequest(request, { parsedBody: body, authInfo: auth });
      const opened = isStream && response.status === 200;
      if (opened) session.stream = res;
      const clientLeft = await writeWebResponse(res, response, this.options.mode, this.options.splice?.jobFor(request));
      if (opened) {
        if (session.stream === res) session.stream = undefined;
        if (clientLeft) session.streamGone = true;
      }
    } finally {
      if (!isStream) session.active--;
      session.lastSeen = Date.now();
      if (session.streamGone && !session.stream && session.active === 0) this.armGrace(session);
    }
  }

  /** The client dropped its stream: unless it comes back within the grace period, it is gone. */
  private armGrace(session: LegacySession): void {
    clearTimeout(session.graceTimer);
    session.graceTimer = setTimeout(() => {
      if (session.stream || session.active > 0) return;
      this.options.log.info('AI session ended: its client closed the stream and went quiet', { caller: session.caller, session: shortId(session) });
      void session.transport.close();
    }, this.options.graceMs);
    session.graceTimer.unref();
  }

  private sweep(): void {
    const quietSince = Date.now() - this.options.idleMs();
    for (const session of this.sessions.values()) {
      if (session.stream || session.active > 0 || session.lastSeen > quietSince) continue;
      this.options.log.info('AI session expired after the idle timeout', { caller: session.caller, session: shortId(session) });
      void session.transport.close();
    }
  }

  /**
   * Pushes `tools/list_changed` to every session that holds a stream to hear it on. The fast
   * path writes the SDK's own frame for it (the same bytes: test/mcp-wire.test.ts) straight to
   * each stream, once encoded: a change then costs a write per session, not a trip through
   * the SDK's protocol and Web streams (docs/performance.md).
   */
  notifyToolsChanged(): void {
    for (const session of this.sessions.values()) {
      if (!session.stream) continue;
      if (this.options.mode.fast) session.stream.write(LIST_CHANGED_FRAME);
      else session.server.sendToolListChanged().catch(() => undefined);
    }
  }

  /** Resources or prompts changed: each session with a stream hears it from its own server. */
  notifyListChanged(kind: 'resources' | 'prompts'): void {
    for (const session of this.sessions.values()) {
      if (!session.stream) continue;
      const sent = kind === 'resources' ? session.server.sendResourceListChanged() : session.server.sendPromptListChanged();
      sent.catch(() => undefined);
    }
  }

  /** Sessions whose client is live: a stream open, a request in flight, or one within `recentMs`. */
  live(recentMs: number): Array<{ caller: string; client?: string; since: number; protocol?: string }> {
    const after = Date.now() - recentMs;
    return [...this.sessions.values()]
      .filter((s) => s.stream || s.active > 0 || s.lastSeen > after)
      .map((s) => ({ caller: s.caller, client: clientName(s), since: s.since, protocol: s.server.getNegotiatedProtocolVersion() }));
  }

  get size(): number {
    return this.sessions.size;
  }

  stop(): void {
    clearTimeout(this.sweeper);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.transport.close().catch(() => undefined)));
    this.sessions.clear();
  }
}

/** Enough of a session id to tell sessions apart in a log (the id is no secret; the token is). */
function shortId(session: LegacySession): string {
  return session.id.slice(0, 8);
}

function clientName(session: LegacySession): string | undefined {
  return session.server.getClientVersion()?.name;
}

export function rpcError(code: number, message: string): { jsonrpc: '2.0'; error: { code: number; message: string }; id: null } {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}
