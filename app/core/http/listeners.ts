import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseListenHost, type ReverseMcpSettings } from '../config/config.js';
import { describeError, HubError } from '../base/errors.js';
import { sendText } from './http-util.js';
import type { ListenerInfo } from '../security/http-guard.js';

/** Listens, turning "port in use" and friends into one sentence. Resolves with the bound port. */
export function listen(server: HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the port is in use (pick another with --port, or 0 for any free port)' : error.message;
      reject(new HubError('LISTEN_FAILED', `Cannot listen on ${host}:${port}: ${reason}.`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: HttpServer | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A host as it goes into a URL: wildcard binds are reached on loopback, IPv6 in brackets. */
export function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, listener: ListenerInfo) => void;

/**
 * The optional second, provider-only listener (CleverChatty's `reverse_mcp_settings.listen_host`,
 * with `wss://` when `tls.enabled`): WebSocket upgrades on /ws and /, and /health.
 */
export async function startProviderListener(settings: ReverseMcpSettings, onUpgrade: UpgradeHandler): Promise<{ server: HttpServer; url: string; listener: ListenerInfo }> {
  const { host, port } = parseListenHost(settings.listen_host);
  let server: HttpServer;
  let scheme = 'ws';
  if (settings.tls.enabled) {
    let cert: Buffer, key: Buffer;
    try {
      [cert, key] = await Promise.all([readFile(settings.tls.cert_file), readFile(settings.tls.key_file)]);
    } catch (error) {
      throw new HubError('CONFIG_INVALID', `reverse_mcp_settings.tls: the certificate or key cannot be read (${describeError(error)}).`);
    }
    server = createHttpsServer({ cert, key, minVersion: 'TLSv1.2' }) as unknown as HttpServer;
    scheme = 'wss';
  } else {
    server = createServer();
  }
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === '/health' || path === '/healthz') return sendText(res, 200, 'OK');
    sendText(res, 404, 'This listener serves providers only (WebSocket on /ws).');
  });
  const listener: ListenerInfo = { host, port, tls: settings.tls.enabled };
  server.on('upgrade', (req, socket, head) => onUpgrade(req, socket, head, listener));
  server.on('clientError', (_error, socket) => socket.destroy());
  listener.port = await listen(server, port, host);
  return { server, url: `${scheme}://${hostForUrl(host)}:${listener.port}/ws`, listener };
}
