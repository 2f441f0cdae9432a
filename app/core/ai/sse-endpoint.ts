import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJSONRPCRequest, parseJSONRPCMessage, type JSONRPCMessage, type Server } from '@modelcontextprotocol/server';
import type { Catalog } from '../catalog/catalog.js';
import { readJsonBody, sendJson } from '../http/http-util.js';
import type { Registrants } from '../remote/registrants.js';
import type { RegistrantSession } from '../remote/registered-tool.js';
import { REMOTE_TOOL, REMOTE_TOOL_NAME } from '../remote/remote-tool.js';
import { isObject } from '../base/json-rpc.js';
import { clientKind } from '../security/roles.js';
import { bearerToken, type TokenIdentity } from '../security/tokens.js';
import { authorizeIdentity, type CallerAuth } from './caller-auth.js';
import { SseServerTransport } from './sse-transport.js';
import type { LiveSession } from '../../shared/admin-types.js';

/** What the native host names a program that launched it without naming itself (every MCP-Link client). */
const UNNAMED_ADDIN = 'addin:addin';

interface SseSession {
  /** The token's identity; POSTs must carry a token of the same identity. */
  identity: TokenIdentity;
  /** Who the session's calls come from: the token's id, or `addin:<tool>` once an unnamed add-in registered. */
  caller: string;
  since: number;
  server: Server;
  transport: SseServerTransport;
  registrant: RegistrantSession;
  /** Ids of `tools/list` requests in flight: their answers get `remote` added. */
  listIds: Set<string | number>;
}

export interface SseEndpointOptions extends CallerAuth {
  catalog: Catalog;
  registrants: Registrants;
  createServer: () => Server;
  maxBodyBytes: number;
  /** Between keep-alive comments (sse-transport.ts; shorter only in tests). */
  keepAliveMs?: number;
  /** A stream opened or closed (the panel's list of AI clients). */
  onClientsChanged: () => void;
}

/**
 * The legacy HTTP+SSE surface (`GET /sse`, `POST /messages/?session_id=…`), for older AI clients
 * and MCP-Link clients (docs/mcp-link.md): ai: and admin tokens, and ext:/addin: tokens, whose
 * calls the policy asks about by default (roles.ts). Each stream carries the same SDK server as
 * `/mcp`, plus what MCP-Link clients need: `tools/list` and `tools/call` without `initialize`,
 * the `remote` tool in this surface's tool list, `remote` calls and `tools/reply` answered here
 * (they belong to the session, not to the catalog), and calls to registered tools pushed on the
 * registrant's own stream.
 */
export class SseEndpoint {
  private readonly sessions = new Map<string, SseSession>();

  constructor(private readonly options: SseEndpointOptions) {
    options.catalog.onChange((kind) => this.notifyListChanged(kind));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    // MCP-Link's Python clients drop the query string: the header is what they send.
    const token = bearerToken(req.headers.authorization) ?? (url.searchParams.get('token') || undefined);
    const identity = authorizeIdentity(this.options, req, res, token, 'sse', (message) => ({ error: message }));
    if (!identity) return;
    if (req.method === 'GET' && url.pathname === '/sse') return this.open(req, res, identity);
    if (req.method === 'POST' && url.pathname.startsWith('/messages')) {
      const id = url.searchParams.get('session_id') ?? url.searchParams.get('sessionId') ?? '';
      const session = this.sessions.get(id);
      if (!session || session.identity.clientId !== identity.clientId) return sendJson(res, 404, { error: 'Session not found.' });
      const body = await readJsonBody(req, res, this.options.maxBodyBytes);
      if (body === null) return;
      const messages = parseMessages(body);
      if (!messages) return sendJson(res, 400, { error: 'Bad Request: the body is not a JSON-RPC message.' });
      // Closed, as MCP-Link's server answers: reverse_mcp.js never reads this answer, so a kept-alive
      // connection would stay open on both sides for every message it sends.
      res.writeHead(202, { 'Content-Length': 0, Connection: 'close' }).end();
      for (const message of messages) this.receive(session, message);
      return;
    }
    sendJson(res, 405, { error: 'Use GET /sse and POST /messages/.' });
  }

  /** One POSTed message: MCP-Link's own requests are answered here, the rest by the SDK server. */
  private receive(session: SseSession, message: JSONRPCMessage): void {
    if (!isJSONRPCRequest(message)) return session.transport.receive(message);
    const params = isObject(message.params) ? message.params : {};
    if (message.method === 'tools/reply') {
      const callId = String(message.id ?? params.call_id);
      const known = this.options.registrants.reply(callId, params);
      const text = known ? `Tool reply processed for call_id ${callId}` : `No pending call found for call_id: ${callId}`;
      session.transport.write({ jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text }], isError: !known } });
      return;
    }
    if (message.method === 'tools/call' && params.name === REMOTE_TOOL_NAME) {
      const args = isObject(params.arguments) ? params.arguments : undefined;
      const { result, registered } = this.options.registrants.handle(session.registrant, args);
      if (registered && session.identity.clientId === UNNAMED_ADDIN && session.caller === UNNAMED_ADDIN) {
        // An add-in that did not name itself is known by the first tool it registered.
        session.caller = `addin:${registered.name}`;
        session.transport.setCaller(session.caller);
        this.options.onClientsChanged();
      }
      session.transport.write({ jsonrpc: '2.0', id: message.id, result });
      return;
    }
    if (message.method === 'tools/list') session.listIds.add(message.id);
    session.transport.receive(message);
  }

  private async open(req: IncomingMessage, res: ServerResponse, identity: TokenIdentity): Promise<void> {
    const transport = new SseServerTransport(res, '/messages/', { token: '', clientId: identity.clientId, scopes: [] }, this.options.keepAliveMs);
    const session: SseSession = {
      identity,
      caller: identity.clientId,
      since: Date.now(),
      server: this.options.createServer(),
      transport,
      listIds: new Set(),
      registrant: {
        id: transport.sessionId,
        identity,
        remoteAddress: req.socket.remoteAddress ?? '',
        alive: () => transport.isOpen,
        push: (message) => transport.write(message),
      },
    };
    transport.beforeSend = (message) => withRemoteTool(session, message);
    this.sessions.set(transport.sessionId, session);
    transport.onclose = () => {
      if (!this.sessions.delete(transport.sessionId)) return;
      this.options.registrants.sessionClosed(transport.sessionId);
      this.options.log.info('legacy SSE session ended', { caller: session.caller });
      this.options.onClientsChanged();
    };
    await session.server.connect(transport);
    this.options.log.info('legacy SSE session opened', { caller: session.caller });
    this.options.onClientsChanged();
  }

  notifyListChanged(kind: 'tools' | 'resources' | 'prompts'): void {
    for (const session of this.sessions.values()) {
      const { server } = session;
      const sent = kind === 'tools' ? server.sendToolListChanged() : kind === 'resources' ? server.sendResourceListChanged() : server.sendPromptListChanged();
      sent.catch(() => undefined);
    }
  }

  /**
   * Every open stream is a live client; a registrant's says which tools it registered, and a
   * session that calls under another name than its token's (an unnamed add-in known by its
   * tool) names the token, which is what a revoke must name.
   */
  list(): LiveSession[] {
    return [...this.sessions.values()].map((s) => {
      const registered = this.options.registrants.namesOf(s.transport.sessionId);
      const token = s.identity.clientId;
      return {
        caller: s.caller,
        client: s.server.getClientVersion()?.name,
        since: s.since,
        protocol: 'sse',
        ...(registered.length ? { registered } : {}),
        ...(token !== s.caller ? { token } : {}),
      };
    });
  }

  /** After a config change: streams whose token was revoked end, and with them their registered tools. */
  closeRevoked(isRevoked: (clientId: string) => boolean): void {
    for (const session of this.sessions.values()) {
      if (!isRevoked(session.identity.clientId)) continue;
      this.options.log.info('legacy SSE session ended: its token was revoked', { caller: session.caller });
      void session.transport.close();
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.transport.close()));
    this.sessions.clear();
  }
}

/**
 * `remote` leads the tool list of a registrant's session (MCP-Link clients look for it before
 * registering): an extension's or add-in's, or any that skipped `initialize`, as MCP-Link
 * clients do. AI clients on /sse initialize and are not shown a tool that is not for them.
 */
function withRemoteTool(session: SseSession, message: JSONRPCMessage): JSONRPCMessage {
  if (!('id' in message) || !('result' in message) || !session.listIds.delete(message.id)) return message;
  const kind = clientKind(session.identity.clientId);
  if (kind !== 'ext' && kind !== 'addin' && session.server.getClientVersion()) return message;
  const result = message.result as { tools?: unknown };
  if (!Array.isArray(result.tools)) return message;
  return { ...message, result: { ...result, tools: [REMOTE_TOOL, ...result.tools] } } as JSONRPCMessage;
}

function parseMessages(body: unknown): JSONRPCMessage[] | null {
  try {
    return Array.isArray(body) ? body.map((m) => parseJSONRPCMessage(m)) : [parseJSONRPCMessage(body)];
  } catch {
    return null;
  }
}
