import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { describeError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { AdminApi } from '../admin/admin-api.js';
import type { McpEndpoint } from '../ai/mcp-endpoint.js';
import type { SseEndpoint } from '../ai/sse-endpoint.js';
import type { ProviderListener } from '../providers/provider-listener.js';
import type { ListenerInfo, RequestGuard } from '../security/http-guard.js';
import { applyCors } from './cors.js';
import { sendJson, sendText } from './http-util.js';

export interface HubRoutes {
  guard: RequestGuard;
  /** The main listener (its port is known once it listens). */
  listener: ListenerInfo;
  endpoint: McpEndpoint;
  sse: SseEndpoint;
  admin: AdminApi;
  providers: ProviderListener;
  log: Logger;
}

/**
 * Which surface answers a request on the hub's server (docs/config.md lists them): `/healthz`,
 * `/mcp`, `/sse` + `/messages/`, and the admin API and panel for the rest, each behind the Host
 * and Origin guard. A surface that fails answers 500 and is logged.
 */
export function routeRequest(routes: HubRoutes, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  if (path === '/healthz' || path === '/health') return sendText(res, 200, 'ok');
  const ai = path === '/mcp' || path === '/sse' || path.startsWith('/messages');
  const refused = routes.guard.check(req, routes.listener, ai ? 'ai' : 'admin');
  if (refused) return sendText(res, 403, `Forbidden: ${refused}.`);
  if (ai && applyCors(req, res)) return;
  const failed = (what: string, body: unknown) => (error: unknown) => {
    routes.log.error(`${what} failed`, { error: describeError(error) });
    if (!res.headersSent) sendJson(res, 500, body);
    else res.end();
  };
  if (path === '/mcp') {
    routes.endpoint.handle(req, res).catch(failed('AI endpoint', { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }));
    return;
  }
  if (path === '/sse' || path.startsWith('/messages')) {
    routes.sse.handle(req, res).catch(failed('SSE endpoint', { error: 'Internal error' }));
    return;
  }
  routes.admin.handle(req, res, path).then((handled) => {
    if (!handled) sendText(res, 404, 'Not found.');
  }, failed('admin API', { error: 'Internal error' }));
}

/** A WebSocket upgrade: providers on `/ws` (and `/`, as CleverChatty allows); 404 elsewhere. */
export function routeUpgrade(providers: ProviderListener, req: IncomingMessage, socket: Duplex, head: Buffer, listener: ListenerInfo): void {
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  if (path !== '/ws' && path !== '/') {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  providers.handleUpgrade(req, socket, head, listener);
}
