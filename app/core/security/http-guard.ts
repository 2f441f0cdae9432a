import type { IncomingMessage } from 'node:http';

/**
 * DNS-rebinding and cross-site guards shared by every HTTP surface (DESIGN §2). A hub bound to
 * loopback answers only to loopback Host names; a request carrying a web page's Origin is refused
 * everywhere; browser-extension origins are accepted on the provider socket only.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const EXTENSION_ORIGIN = /^(chrome-extension|moz-extension|safari-web-extension|ms-browser-extension):\/\//;

export function isLoopbackAddress(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase();
}

/** Returns a reason to refuse, or null. `boundHost` is the address the server listens on. */
export function checkHostAndOrigin(req: IncomingMessage, boundHost: string, allowExtensions: boolean): string | null {
  if (isLoopbackAddress(boundHost)) {
    const host = req.headers.host;
    if (!host || !isLoopbackAddress(hostName(host))) return `Host "${host ?? ''}" is not a loopback name`;
  }
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return null;
  if (allowExtensions && EXTENSION_ORIGIN.test(origin)) return null;
  try {
    const url = new URL(origin);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackAddress(url.hostname === '::1' ? '::1' : url.hostname)) {
      return null;
    }
    if (url.hostname === '[::1]') return null;
  } catch {
    return `Origin "${origin}" is not a valid origin`;
  }
  return `Origin "${origin}" is not allowed`;
}
