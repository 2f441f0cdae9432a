import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJSONRPCMessage, type JSONRPCMessage, type Server } from '@modelcontextprotocol/server';
import type { Catalog } from '../catalog/catalog.js';
import { readJsonBody, sendJson } from '../http/http-util.js';
import { bearerToken } from '../security/tokens.js';
import { authorizeCaller, type CallerAuth } from './caller-auth.js';
import { SseServerTransport } from './sse-transport.js';

interface SseSession {
  caller: string;
  since: number;
  server: Server;
  transport: SseServerTransport;
}

export interface SseEndpointOptions extends CallerAuth {
  catalog: Catalog;
  createServer: () => Server;
  maxBodyBytes: number;
  /** A stream opened or closed (the panel's list of AI clients). */
  onClientsChanged: () => void;
}

/**
 * The legacy HTTP+SSE surface (`GET /sse`, `POST /messages/`), for MCP-Link-style clients and
 * older AI clients: ai: and admin tokens, and ext:/addin: tokens (MCP-Link registrants), whose
 * calls the policy asks about by default (roles.ts). Each stream carries the same SDK server as
 * `/mcp`. MCP-Link clients never
 * send `initialize`: `tools/list` and `tools/call` are answered regardless.
 */
export class SseEndpoint {
  private readonly sessions = new Map<string, SseSession>();

  constructor(private readonly options: SseEndpointOptions) {
    options.catalog.onChange((kind) => this.notifyListChanged(kind));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const token = bearerToken(req.headers.authorization) ?? (url.searchParams.get('token') || undefined);
    const caller = authorizeCaller(this.options, req, res, token, 'sse', (message) => ({ error: message }));
    if (!caller) return;
    if (req.method === 'GET' && url.pathname === '/sse') return this.open(res, caller);
    if (req.method === 'POST' && url.pathname.startsWith('/messages')) {
      const id = url.searchParams.get('session_id') ?? url.searchParams.get('sessionId') ?? '';
      const session = this.sessions.get(id);
      if (!session || session.caller !== caller) return sendJson(res, 404, { error: 'Session not found.' });
      const body = await readJsonBody(req, res, this.options.maxBodyBytes);
      if (body === null) return;
      const messages = parseMessages(body);
      if (!messages) return sendJson(res, 400, { error: 'Bad Request: the body is not a JSON-RPC message.' });
      res.writeHead(202, { 'Content-Length': 0 }).end();
      for (const message of messages) session.transport.receive(message);
      return;
    }
    sendJson(res, 405, { error: 'Use GET /sse and POST /messages/.' });
  }

  private async open(res: ServerResponse, caller: string): Promise<void> {
    const transport = new SseServerTransport(res, '/messages/', { token: '', clientId: caller, scopes: [] });
    const session: SseSession = { caller, since: Date.now(), server: this.options.createServer(), transport };
    this.sessions.set(transport.sessionId, session);
    transport.onclose = () => {
      if (!this.sessions.delete(transport.sessionId)) return;
      this.options.log.info('legacy SSE session ended', { caller });
      this.options.onClientsChanged();
    };
    await session.server.connect(transport);
    this.options.log.info('legacy SSE session opened', { caller });
    this.options.onClientsChanged();
  }

  notifyListChanged(kind: 'tools' | 'resources' | 'prompts'): void {
    for (const session of this.sessions.values()) {
      const { server } = session;
      const sent = kind === 'tools' ? server.sendToolListChanged() : kind === 'resources' ? server.sendResourceListChanged() : server.sendPromptListChanged();
      sent.catch(() => undefined);
    }
  }

  /** Every open stream is a live client. */
  list(): Array<{ caller: string; client?: string; since: number; protocol: string }> {
    return [...this.sessions.values()].map((s) => ({ caller: s.caller, client: s.server.getClientVersion()?.name, since: s.since, protocol: 'sse' }));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.transport.close()));
    this.sessions.clear();
  }
}

function parseMessages(body: unknown): JSONRPCMessage[] | null {
  try {
    return Array.isArray(body) ? body.map((m) => parseJSONRPCMessage(m)) : [parseJSONRPCMessage(body)];
  } catch {
    return null;
  }
}
