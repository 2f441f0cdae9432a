import type { IncomingMessage, ServerResponse } from 'node:http';
import { classifyInboundRequest, createMcpHandler, type McpHttpHandler, type Server } from '@modelcontextprotocol/server';
import { describeError } from '../base/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ResourceSubscriptions, Subscriber } from '../catalog/resource-subscriptions.js';
import type { ListKind } from '../providers/provider.js';
import type { ToolRouter } from '../calls/tool-router.js';
import { bearerToken } from '../security/tokens.js';
import { readBodyText } from '../http/http-util.js';
import { authorizeIdentity, type CallerAuth } from './caller-auth.js';
import { createAiServer } from './ai-server.js';
import { LegacySessions, rpcError } from './legacy-sessions.js';
import { ModernClients } from './modern-clients.js';
import { InputRounds } from './input-rounds.js';
import { ToolsListSplice } from './tools-list-splice.js';
import { toWebRequest, writeWebResponse, type WriteMode } from './web-bridge.js';
import type { LiveSession } from '../../shared/admin-types.js';

/** A client counts as live this long after its last request (docs/decisions.md). */
export const RECENT_MS = 60_000;
/** A 2025 session whose client closed its GET stream and went quiet ends after this long. */
const STREAM_GONE_GRACE_MS = 5_000;
/** A person may take long to answer what a provider asks: as long as the SDK gives one round. */
const INPUT_EXPIRY_MS = 600_000;

export interface McpEndpointOptions extends CallerAuth {
  catalog: Catalog;
  subscriptions: ResourceSubscriptions;
  router: ToolRouter;
  maxBodyBytes: number;
  /** Quiet 2025 sessions end after this long (config `ai_sessions.idle_timeout_min`). */
  idleMs: () => number;
  /** The faster writer and the tools/list splice (docs/performance.md); off = the plain path. */
  fastPath: boolean;
  /** The list of live AI clients changed (for the panel). */
  onClientsChanged: () => void;
  /** How long a 2026 call waits for its client's answers to its provider's requests (default 10 min). */
  inputExpiryMs?: () => number;
}

/**
 * The AI endpoint `/mcp`: both protocol revisions on one URL, routed as the SDK documents for
 * legacy clients. A request the SDK classifies as 2026-07-28 goes to its stateless handler
 * (`createMcpHandler`, `legacy: 'reject'`); a 2025-era one to the session it belongs to
 * (legacy-sessions.ts). One server factory (ai-server.ts) serves both; tool-list changes reach
 * 2026 clients on their `subscriptions/listen` streams and 2025 sessions on their GET streams.
 */
export class McpEndpoint {
  private modern: McpHttpHandler;
  private readonly legacy: LegacySessions;
  private readonly clients: ModernClients;
  private readonly mode: WriteMode;
  private readonly splice: ToolsListSplice | undefined;
  /** 2026 `subscriptions/listen` streams that asked for tool-list changes, with their frame. */
  private readonly listeners = new Map<ServerResponse, Buffer>();
  private readonly createModern: () => McpHttpHandler;
  private readonly modernSubscriber: Subscriber;
  /** The server factory every AI surface shares (`/sse` too). */
  readonly createServer: () => Server;

  constructor(private readonly options: McpEndpointOptions) {
    const { catalog, router, subscriptions, log } = options;
    this.mode = { fast: options.fastPath };
    this.clients = new ModernClients(options.onClientsChanged);
    this.splice = options.fastPath ? new ToolsListSplice(catalog) : undefined;
    const rounds = new InputRounds(options.inputExpiryMs ?? (() => INPUT_EXPIRY_MS));
    const createServer = (this.createServer = () => createAiServer({ catalog, router, subscriptions, log, splice: this.splice, rounds }));
    this.createModern = () =>
      createMcpHandler(createServer, { legacy: 'reject', onerror: (error) => log.debug('2026-07-28 request refused or failed', { error: describeError(error) }) });
    this.modern = this.createModern();
    this.legacy = new LegacySessions({ createServer, log, mode: this.mode, splice: this.splice, idleMs: options.idleMs, graceMs: STREAM_GONE_GRACE_MS, onChange: options.onClientsChanged });
    catalog.onChange((kind) => this.notifyListChanged(kind));
    // 2026 clients' resource subscriptions ride on their listen streams: the SDK's listen router
    // sends each stream the updates of the URIs it named.
    this.modernSubscriber = { send: (uri) => this.modern.notify.resourceUpdated(uri) };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = bearerToken(req.headers.authorization);
    const sessionId = req.headers['mcp-session-id'];
    // A request on a 2025 session with the very token that opened it needs no new HMAC: the
    // token was checked then, and revocation is checked here on every request (a set lookup).
    const known = typeof sessionId === 'string' ? this.legacy.byToken(sessionId, token) : undefined;
    const caller =
      known && !this.options.tokens.isRevoked(known.caller)
        ? known.caller
        : authorizeIdentity(this.options, req, res, token, 'mcp', (message) =>
            rpcError(-32001, message.startsWith('Unauthorized') ? `${message} Create one with \`inlet token create --client ai:NAME\`.` : message),
          )?.clientId;
    if (!caller) return;
    if (req.method !== 'POST') {
      // GET and DELETE exist only for 2025 sessions; without one the SDK answers 405.
      if (typeof sessionId === 'string') return this.legacy.handle({ req, res, caller, token, raw: undefined, body: undefined });
      return this.serveModern(req, res, caller, undefined, undefined);
    }
    const raw = await readBodyText(req, res, this.options.maxBodyBytes);
    if (raw === null) return;
    const body = parseJson(raw);
    const route =
      body === undefined
        ? undefined
        : classifyInboundRequest({
            httpMethod: 'POST',
            protocolVersionHeader: header(req, 'mcp-protocol-version'),
            mcpMethodHeader: header(req, 'mcp-method'),
            mcpNameHeader: header(req, 'mcp-name'),
            body,
          });
    if (route?.kind === 'legacy') return this.legacy.handle({ req, res, caller, token, raw, body });
    return this.serveModern(req, res, caller, raw, body);
  }

  /** The SDK's 2026-07-28 handler; it also answers what neither revision accepts (its own errors). */
  private async serveModern(req: IncomingMessage, res: ServerResponse, caller: string, raw: string | undefined, body: unknown): Promise<void> {
    const request = toWebRequest(req, res, raw);
    const done = this.clients.begin(caller, body);
    const frame = this.mode.fast ? listChangedFrame(body) : undefined;
    const watched = resourceSubscriptions(body);
    const subscribed = watched.map((uri) =>
      this.options.subscriptions.subscribe(this.modernSubscriber, uri).then(
        () => true,
        (error: unknown) => (this.options.log.info('a 2026 client subscribed to a resource that cannot be watched', { caller, uri, error: describeError(error) }), false),
      ),
    );
    try {
      const response = await this.modern.fetch(request, { authInfo: { token: '', clientId: caller, scopes: [] }, parsedBody: body });
      // A listen stream hears list changes from the fast path once the SDK has acknowledged it.
      const listening = frame && response.status === 200 ? () => this.listeners.set(res, frame) : undefined;
      await writeWebResponse(res, response, this.mode, this.splice?.jobFor(request), listening);
    } finally {
      this.listeners.delete(res);
      done();
      watched.forEach((uri, index) => void subscribed[index]!.then((ok) => ok && this.options.subscriptions.unsubscribe(this.modernSubscriber, uri)));
    }
  }

  /**
   * Tells every AI client the tool list changed. The fast path writes the SDK's own frames
   * itself, each encoded once per stream (the same bytes: test/mcp-wire.test.ts); the plain
   * path asks the SDK (its listen router, and each 2025 session's server).
   */
  notifyToolsChanged(): void {
    if (this.mode.fast) for (const [res, frame] of this.listeners) res.write(frame);
    else this.modern.notify.toolsChanged();
    this.legacy.notifyToolsChanged();
  }

  /** One kind of list changed: every AI client that listens for it hears so. */
  notifyListChanged(kind: ListKind): void {
    if (kind === 'tools') return this.notifyToolsChanged();
    if (kind === 'resources') this.modern.notify.resourcesChanged();
    else this.modern.notify.promptsChanged();
    this.legacy.notifyListChanged(kind);
  }

  /** Live AI clients: 2025 sessions and 2026 clients (docs/decisions.md says what counts as live). */
  listSessions(): LiveSession[] {
    return [...this.legacy.live(RECENT_MS), ...this.clients.live(RECENT_MS)].sort((a, b) => a.since - b.since);
  }

  /** Ends every 2025 session and every 2026 listen stream (secret rotation). */
  async closeAll(): Promise<void> {
    const previous = this.modern;
    this.modern = this.createModern();
    await Promise.all([this.legacy.closeAll(), previous.close()]);
  }

  /** Shutdown: everything closes and nothing new is served. */
  async stop(): Promise<void> {
    this.legacy.stop();
    await Promise.all([this.legacy.closeAll(), this.modern.close()]);
  }
}

/**
 * The frame the SDK's listen router writes on a `subscriptions/listen` stream for a tool-list
 * change (the stream's subscription id is its request id), or undefined when `body` is not a
 * listen request that asked for tool-list changes.
 */
function listChangedFrame(body: unknown): Buffer | undefined {
  const message = body as { id?: unknown; method?: unknown; params?: { notifications?: { toolsListChanged?: unknown } } } | undefined;
  if (message?.method !== 'subscriptions/listen' || message.params?.notifications?.toolsListChanged !== true) return undefined;
  const meta = { 'io.modelcontextprotocol/subscriptionId': message.id };
  return Buffer.from(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: meta } })}\n\n`);
}

/** The resource URIs a `subscriptions/listen` request asks to hear about. */
function resourceSubscriptions(body: unknown): string[] {
  const message = body as { method?: unknown; params?: { notifications?: { resourceSubscriptions?: unknown } } } | undefined;
  if (message?.method !== 'subscriptions/listen') return [];
  const uris = message.params?.notifications?.resourceSubscriptions;
  return Array.isArray(uris) ? [...new Set(uris.filter((uri): uri is string => typeof uri === 'string'))].slice(0, 100) : [];
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function parseJson(raw: string): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
