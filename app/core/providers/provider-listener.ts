import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { checkHostAndOrigin } from '../security/http-guard.js';
import type { Logger } from '../base/log.js';
import { bearerToken, type TokenIdentity, type TokenService } from '../security/tokens.js';

export interface ProviderCredentials {
  name: string | undefined;
  token: string | undefined;
}

export const BEARER_SUBPROTOCOL = 'inlet.bearer.';

/**
 * Reads the provider's name and token from every place DESIGN §5 allows: the query
 * (`server_name`, `token`), the headers (`X-MCP-Server-Name`, `Authorization`, Bearer or raw),
 * or the subprotocol `inlet.bearer.<token>` (browsers can set neither headers nor, for
 * characters like ":", a raw token there, so a base64url-encoded token is accepted too).
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

export interface ProviderListenerOptions {
  tokens: TokenService;
  maxFrameBytes: number;
  boundHost: string;
  log: Logger;
  onConnection: (socket: WebSocket, name: string, identity: TokenIdentity, req: IncomingMessage) => void;
}

/**
 * The gate in front of `/ws` (and `/`): a missing name gets 400 and a bad token 401, both
 * before the upgrade, so nothing is registered for a refused peer.
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

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, boundHost = this.options.boundHost): void {
    const refused = checkHostAndOrigin(req, boundHost, true);
    if (refused) return reject(socket, 403, 'Forbidden', `${refused}.`);
    const { name, token } = readProviderCredentials(req);
    if (!name) {
      return reject(socket, 400, 'Bad Request', 'Server name required: pass X-MCP-Server-Name or ?server_name=.');
    }
    const identity = this.options.tokens.authorizeProvider(name, token);
    if (!identity) {
      this.options.log.info('provider refused', { provider: name, reason: token ? 'token not valid for this name' : 'no token' });
      return reject(socket, 401, 'Unauthorized', token ? `Unauthorized: the token is not valid for provider "${name}".` : 'Unauthorized: a token is required.');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.options.onConnection(ws, name, identity, req));
  }

  close(): void {
    this.wss.close();
  }
}

function reject(socket: Duplex, status: number, statusText: string, body: string): void {
  const payload = Buffer.from(body + '\n');
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n` +
      payload.toString(),
  );
  setTimeout(() => socket.destroy(), 1_000).unref();
}
