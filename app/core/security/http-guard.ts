import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Logger } from '../base/log.js';

/**
 * DNS-rebinding and cross-site guards shared by every HTTP surface (docs/config.md, Host and Origin).
 *
 * Host: a listener answers to the exact loopback names `127.0.0.1`, `localhost` and `[::1]`
 * with its own port (no port only where that port is the scheme's default, as browsers send
 * it), and to the names in `reverse_mcp_settings.allowed_hosts`. A listener bound to a
 * non-loopback address also answers to IP literals: a page can only send an IP as Host when it
 * was loaded from that IP, so they cannot be rebound. Any other name is refused: a rebinding
 * attack needs a name the attacker's DNS controls.
 *
 * Origin: no Origin (programs) passes everywhere; a browser origin passes only where it belongs:
 * browser-extension origins on the provider socket, the origins in `ai.allowed_origins` on the
 * AI endpoints, the panel's own origin on the panel and admin API. `null` and other localhost
 * ports are web pages like any other.
 */
export type Surface = 'provider' | 'ai' | 'admin';

/** The listener a request arrived on: its bound address, its port and whether it speaks TLS. */
export interface ListenerInfo {
  host: string;
  port: number;
  tls: boolean;
}

export interface GuardSettings {
  allowedHosts: readonly string[];
  aiOrigins: readonly string[];
  panelOrigin: string;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const EXTENSION_ORIGIN = /^(chrome-extension|moz-extension|safari-web-extension|ms-browser-extension):\/\/[^/]+$/;
/** Distinct refused values logged before the guard goes quiet (a scan must not fill the log). */
const MAX_LOGGED = 100;

export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Splits a Host header (or an allowed_hosts entry) into a lower-case name and an optional port. */
export function splitHost(value: string): { name: string; port?: number } | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!match) return null;
  return { name: match[1]!.toLowerCase(), port: match[2] === undefined ? undefined : Number(match[2]) };
}

export function hostAllowed(value: string | undefined, listener: ListenerInfo, allowedHosts: readonly string[]): boolean {
  const host = value === undefined ? null : splitHost(value);
  if (!host) return false;
  const ownPort = host.port === undefined ? listener.port === (listener.tls ? 443 : 80) : host.port === listener.port;
  if (LOOPBACK_NAMES.has(host.name) && ownPort) return true;
  if (!isLoopbackAddress(listener.host) && isIP(host.name.replace(/^\[|\]$/g, '')) !== 0) return true;
  return allowedHosts.some((entry) => {
    const allowed = splitHost(entry);
    return allowed !== null && allowed.name === host.name && (allowed.port === undefined || allowed.port === host.port);
  });
}

export function originAllowed(origin: string | undefined, surface: Surface, settings: GuardSettings): boolean {
  if (origin === undefined) return true;
  if (surface === 'provider') return EXTENSION_ORIGIN.test(origin);
  if (surface === 'ai') return settings.aiOrigins.includes(origin);
  return origin === settings.panelOrigin;
}

export class RequestGuard {
  private readonly logged = new Set<string>();

  constructor(
    private readonly settings: () => GuardSettings,
    private readonly log: Logger,
  ) {}

  /** Returns a reason to refuse (one sentence without the final stop), or null. */
  check(req: IncomingMessage, listener: ListenerInfo, surface: Surface): string | null {
    const settings = this.settings();
    const host = req.headers.host;
    if (!hostAllowed(host, listener, settings.allowedHosts)) {
      this.refused('Host', host ?? '', { hint: 'add the name to reverse_mcp_settings.allowed_hosts if this hub should answer to it' });
      return `Host "${host ?? ''}" is not a name this hub answers to`;
    }
    const origin = req.headers.origin;
    if (!originAllowed(origin, surface, settings)) {
      this.refused('Origin', origin!, { surface, hint: surface === 'ai' ? 'add it to ai.allowed_origins to let that page call tools' : undefined });
      return `Origin "${origin}" is not allowed here`;
    }
    return null;
  }

  /** Warns once per distinct refused value, up to MAX_LOGGED values in all. */
  private refused(header: 'Host' | 'Origin', value: string, fields: Record<string, unknown>): void {
    const key = `${header}\0${value}`;
    if (this.logged.has(key) || this.logged.size > MAX_LOGGED) return;
    this.logged.add(key);
    if (this.logged.size > MAX_LOGGED) {
      this.log.warn(`more than ${MAX_LOGGED} distinct Host/Origin values refused; further ones are not logged`);
      return;
    }
    this.log.warn(`request refused: ${header} not allowed`, { [header.toLowerCase()]: value.slice(0, 200), ...fields });
  }
}
