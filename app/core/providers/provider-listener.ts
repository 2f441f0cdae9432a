import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ListenerInfo, RequestGuard } from '../security/http-guard.js';
import type { FailureThrottle } from '../security/failure-throttle.js';
import type { Logger } from '../base/log.js';
import { bearerToken, type TokenIdentity, type TokenService } from '../security/tokens.js';

export interface ProviderCredentials {
  name: string | undefined;
  token: string | undefined;
}

export const BEARER_SUBPROTOCOL = 'inlet.bearer.';

/**
 * Reads the provider's name and token from every place docs/provider-protocol.md allows: the query
 * (`server_name`, `token`), the headers (`X-MCP-Server-Name`, `Authorization`, Bearer or raw),
 * or the subprotocol `inlet.bearer.<base64url(token)>` (browsers can set no headers, and no ":"
 * in a subprotocol, so they send the token encoded; a raw `inlet.bearer.<token>` is read too).
 */
export function readProviderCredentials(req: IncomingMessage): ProviderCredentials {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headerName = req.headers['x-mcp-server-name'];
  const name = (typeof headerName === 'string' && headerName.trim()) || url.searchParams.get('server_name')?.trim() || undefined;
  let token = bearerToken(req.headers.authorization) ?? (url.searchParams.get('token') || undefined);
  if (!token) {
    for (const protocol of subprotocols(req)) {
      if (!protocol.startsWith(BEARER_SUBPROTOCOL)) continue;
      const value = protocol.slice(BEARER_SUBPROTOCOL.length);
      token = value.startsWith('inlet1.') ? value : Buffer.from(value, 'base64url').toString('utf8');
      break;
    }
  }
  return { name, token };
}

function subprotocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return typeof header === 'string' ? header.split(',').map((p) => p.trim()).filter(Boolean) : [];
}

/** RFC 7230 token characters: what a subprotocol may consist of (ws refuses the header otherwise). */
const PROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Drops subprotocols that are not legal tokens (a raw `inlet.bearer.inlet1.provider:x.…` has a
 * ":") once the token has been read, so the WebSocket layer does not refuse the whole header.
 */
function dropIllegalSubprotocols(req: IncomingMessage): void {
  const offered = subprotocols(req);
  const legal = offered.filter((protocol) => PROTOCOL_TOKEN.test(protocol));
  if (legal.length === offered.length) return;
  if (legal.length === 0) delete req.headers['sec-websocket-protocol'];
  else req.headers['sec-websocket-protocol'] = legal.join(', ');
}

export interface ProviderListenerOptions {
  tokens: TokenService;
  maxFrameBytes: number;
  guard: RequestGuard;
  throttle: FailureThrottle;
  /** The client id of the live provider holding `name`, if one does. */
  holder: (name: string) => string | undefined;
  log: Logger;
  onConnection: (socket: WebSocket, name: string, identity: TokenIdentity, req: IncomingMessage) => void;
}

/**
 * The gate in front of `/ws` (and `/`): a missing name gets 400, a bad token or a name the
 * token does not serve 401, a live name held by another client 409, all before the upgrade, so
 * nothing is registered for a refused peer.
 */
export class ProviderListener {
  readonly wss: WebSocketServer;

  constructor(private readonly options: ProviderListenerOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
      // Never echo a bearer subprotocol (it carries the token); prefer the neutral ones.
      handleProtocols: (protocols) => {
        for (const preferred of ['mcp', 'inlet']) if (protocols.has(preferred)) return preferred;
        for (const protocol of protocols) if (!protocol.startsWith(BEARER_SUBPROTOCOL)) return protocol;
        return protocols.values().next().value ?? false;
      },
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, listener: ListenerInfo): void {
    const refused = this.options.guard.check(req, listener, 'provider');
    if (refused) return reject(socket, 403, 'Forbidden', `Forbidden: ${refused}.`);
    const { name, token } = readProviderCredentials(req);
    if (!name) {
      return reject(socket, 400, 'Bad Request', 'Server name required: pass X-MCP-Server-Name or ?server_name=.');
    }
    const auth = this.options.tokens.authorizeProvider(name, token);
    if (!auth.ok) {
      const retryAfter = this.options.throttle.fail(req.socket.remoteAddress, '/ws');
      if (retryAfter) return reject(socket, 429, 'Too Many Requests', 'Too many failed attempts from this address: wait and try again.', { 'Retry-After': String(retryAfter) });
      this.options.log.info('provider refused', { provider: name, reason: auth.reason });
      return reject(socket, 401, 'Unauthorized', `Unauthorized: ${auth.message}`);
    }
    const holder = this.options.holder(name);
    if (holder !== undefined && holder !== auth.identity.clientId) {
      // info, not warn: a second browser's companion retries this every 30 s while the first holds the name.
      this.options.log.info('provider refused: the name is held by another client', { provider: name, client: auth.identity.clientId, holder });
      return reject(socket, 409, 'Conflict', `Conflict: provider "${name}" is connected under another identity; only that client may replace it.`);
    }
    dropIllegalSubprotocols(req);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.options.onConnection(ws, name, auth.identity, req));
  }

  close(): void {
    this.wss.close();
  }
}

function reject(socket: Duplex, status: number, statusText: string, body: string, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(body + '\n');
  const extra = Object.entries(headers).map(([key, value]) => `${key}: ${value}\r\n`).join('');
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${payload.length}\r\n${extra}Connection: close\r\n\r\n` +
      payload.toString(),
  );
  setTimeout(() => socket.destroy(), 1_000).unref();
}
