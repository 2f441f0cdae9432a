import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolRequestSchema,
  isInitializeRequest,
  ListToolsRequestSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { describeError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { ToolRegistry } from '../catalog/tool-registry.js';
import type { ToolRouter } from '../calls/tool-router.js';
import { bearerToken, type Authorization, type TokenService } from '../security/tokens.js';
import type { FailureThrottle } from '../security/failure-throttle.js';
import { VERSION } from '../base/version.js';
import { NO_VALIDATION } from '../base/no-validation.js';
import { McpFastPath } from './mcp-fast-path.js';
import { readJsonBody, sendJson } from '../http/http-util.js';

interface AiSession {
  id: string;
  clientId: string;
  /** The token the session was opened with: the same string later skips the HMAC. */
  token?: string;
  since: number;
  server: Server;
  transport: Transport;
  clientInfo?: { name: string; version: string };
}

const INSTRUCTIONS =
  'Inlet hub: tools offered by providers that connected to this hub (browser extensions, add-ins, remote services). ' +
  'Tool names are <provider>__<tool>.';

/**
 * The AI endpoint `/mcp` (MCP Streamable HTTP). One SDK `Server` per session, all answering
 * from the shared registry; every session hears `tools/list_changed` when providers come and go.
 */
export class McpEndpoint {
  private readonly sessions = new Map<string, AiSession>();
  private readonly legacy = new Map<string, AiSession>();
  private readonly fast: McpFastPath;

  constructor(
    private readonly registry: ToolRegistry,
    private readonly router: ToolRouter,
    private readonly tokens: TokenService,
    private readonly log: Logger,
    private readonly maxBodyBytes: number,
    private readonly throttle: FailureThrottle,
  ) {
    registry.onChange(() => this.notifyToolsChanged());
    this.fast = new McpFastPath(registry, router, log);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = bearerToken(req.headers.authorization);
    const known = this.sessionFor(req, token);
    let clientId = known?.clientId;
    if (clientId === undefined) {
      const auth = this.tokens.authorizeCaller(token, 'mcp');
      if (!auth.ok) {
        const hint = auth.status === 401 ? ' Create one with `inlet token create --client ai:NAME`.' : '';
        return this.refuse(req, res, auth, '/mcp', (message) => rpcError(-32001, message + hint));
      }
      clientId = auth.identity.clientId;
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      // A session belongs to the client that opened it; anyone else gets "not found".
      if (!session || session.clientId !== clientId) {
        return sendJson(res, 404, rpcError(-32001, 'Session not found: initialize a new session.'));
      }
      const body = req.method === 'POST' ? await readJsonBody(req, res, this.maxBodyBytes) : undefined;
      if (body === null) return;
      if (req.method === 'POST' && this.fast.handle(session.id, session.clientId, req, res, body)) return;
      await (session.transport as StreamableHTTPServerTransport).handleRequest(req, res, body);
      return;
    }
    if (req.method !== 'POST') {
      return sendJson(res, req.method === 'GET' || req.method === 'DELETE' ? 400 : 405, rpcError(-32000, 'Bad Request: no session id; POST an initialize request first.'));
    }
    const body = await readJsonBody(req, res, this.maxBodyBytes);
    if (body === null) return;
    if (!isInitializeRequest(body)) {
      return sendJson(res, 400, rpcError(-32000, 'Bad Request: no session id; the first request must be initialize.'));
    }
    const server = this.createServer(clientId);
    const session: AiSession = { id: '', clientId: clientId, token, since: Date.now(), server, transport: undefined as unknown as Transport };
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session.id = id;
        this.sessions.set(id, session);
        session.clientInfo = server.getClientVersion();
        this.log.info('AI session opened', { caller: session.clientId, client: session.clientInfo?.name });
      },
    });
    session.transport = transport;
    transport.onclose = () => {
      this.fast.closeSession(session.id);
      if (session.id && this.sessions.delete(session.id)) this.log.info('AI session closed', { caller: session.clientId });
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  /**
   * A request on an open session with the very token that opened it needs no new HMAC: the
   * token was verified then, and revocation is checked here on every request (a set lookup).
   * A secret rotation closes every session.
   */
  private sessionFor(req: IncomingMessage, token: string | undefined): AiSession | undefined {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string' || token === undefined) return undefined;
    const session = this.sessions.get(id);
    if (!session || session.token !== token || this.tokens.isRevoked(session.clientId)) return undefined;
    return session;
  }

  /**
   * The legacy HTTP+SSE transport (`GET /sse`, `POST /messages/`), for MCP-Link-style clients
   * and older AI clients: ai: and admin tokens, and ext:/addin: tokens (MCP-Link registrants),
   * whose calls the policy asks about by default (roles.ts). MCP-Link clients never send
   * initialize; the SDK server answers tools/* regardless.
   */
  async handleSse(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = bearerToken(req.headers.authorization) ?? (new URL(req.url ?? '/', 'http://x').searchParams.get('token') || undefined);
    const auth = this.tokens.authorizeCaller(token, 'sse');
    if (!auth.ok) return this.refuse(req, res, auth, '/sse', (message) => ({ error: message }));
    const identity = auth.identity;
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (req.method === 'GET' && path === '/sse') {
      const transport = new SSEServerTransport('/messages/', res);
      const server = this.createServer(identity.clientId);
      const session: AiSession = { id: transport.sessionId, clientId: identity.clientId, since: Date.now(), server, transport };
      this.legacy.set(session.id, session);
      transport.onclose = () => this.legacy.delete(session.id);
      await server.connect(transport);
      this.log.info('legacy SSE session opened', { caller: identity.clientId });
      return;
    }
    if (req.method === 'POST' && path.startsWith('/messages')) {
      const url = new URL(req.url ?? '/', 'http://x');
      const id = url.searchParams.get('sessionId') ?? url.searchParams.get('session_id') ?? '';
      const session = this.legacy.get(id);
      if (!session || session.clientId !== identity.clientId) return sendJson(res, 404, { error: 'Session not found.' });
      const body = await readJsonBody(req, res, this.maxBodyBytes);
      if (body === null) return;
      await (session.transport as SSEServerTransport).handlePostMessage(req, res, body);
      return;
    }
    sendJson(res, 405, { error: 'Use GET /sse and POST /messages/.' });
  }

  /** 401 (bad or missing token; throttled to 429 per address) or 403 (a token of another role). */
  private refuse(req: IncomingMessage, res: ServerResponse, auth: Extract<Authorization, { ok: false }>, surface: string, body: (message: string) => unknown): void {
    if (auth.status === 401) {
      const retryAfter = this.throttle.fail(req.socket.remoteAddress, surface);
      if (retryAfter) {
        res.setHeader('Retry-After', String(retryAfter));
        return sendJson(res, 429, body('Too many failed attempts from this address: wait and try again.'));
      }
      res.setHeader('WWW-Authenticate', 'Bearer realm="inlet"');
    }
    this.log.info('AI client refused', { surface, reason: auth.reason });
    sendJson(res, auth.status, body(`${auth.status === 401 ? 'Unauthorized' : 'Forbidden'}: ${auth.message}`));
  }

  private createServer(clientId: string): Server {
    const server = new Server(
      { name: 'inlet', version: VERSION },
      { capabilities: { tools: { listChanged: true } }, instructions: INSTRUCTIONS, jsonSchemaValidator: NO_VALIDATION },
    );
    server.onerror = (error) => this.log.debug('AI session protocol error', { caller: clientId, error: describeError(error) });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: this.registry.list() }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { progressToken, ...meta } = request.params._meta ?? {};
      // Progress notifications are sent in order, and all of them before the result: the SDK
      // client stops listening for progress once the result arrives.
      let progressSent: Promise<void> = Promise.resolve();
      const result = await this.router.call(request.params, {
        caller: clientId,
        signal: extra.signal,
        meta,
        onprogress:
          progressToken === undefined
            ? undefined
            : (progress) => {
                progressSent = progressSent
                  .then(() => extra.sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken } }))
                  .catch(() => undefined);
              },
      });
      await progressSent;
      return result;
    });
    return server;
  }

  notifyToolsChanged(): void {
    for (const session of [...this.sessions.values(), ...this.legacy.values()]) {
      session.server.sendToolListChanged().catch(() => undefined);
    }
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  listSessions(): Array<{ caller: string; client?: string; since: number }> {
    return [...this.sessions.values(), ...this.legacy.values()].map((s) => ({ caller: s.clientId, client: s.clientInfo?.name ?? s.server.getClientVersion()?.name, since: s.since }));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values(), ...this.legacy.values()].map((s) => s.transport.close().catch(() => undefined)));
    this.sessions.clear();
    this.legacy.clear();
  }
}

function rpcError(code: number, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', error: { code, message }, id: null } as unknown as JSONRPCMessage;
}
