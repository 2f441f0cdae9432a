import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Panel logins (docs/config.md, Host and Origin): a one-time code in a URL turns into an HttpOnly, SameSite=Strict
 * cookie. Codes live in memory for two minutes and work once. The cookie is signed with the
 * install secret, so it survives a hub restart and dies with a secret rotation.
 */
/**
 * Browsers do not scope cookies by port, so the name carries it: two hubs (two data dirs) on
 * one machine keep their logins apart.
 */
export function cookieName(port: string | number): string {
  return `inlet_admin_${port}`;
}
const CODE_TTL_MS = 2 * 60_000;
const SESSION_TTL_MS = 12 * 3600_000;

export class AdminSessions {
  private readonly codes = new Map<string, number>();

  constructor(
    private secret: () => Buffer,
    private readonly name: () => string,
  ) {}

  get cookie(): string {
    return this.name();
  }

  createCode(): string {
    const code = randomBytes(24).toString('base64url');
    const now = Date.now();
    for (const [c, expires] of this.codes) if (expires < now) this.codes.delete(c);
    this.codes.set(code, now + CODE_TTL_MS);
    return code;
  }

  /** Consumes a one-time code; returns a cookie value, or null if the code is unknown, used or expired. */
  redeem(code: string): string | null {
    const expires = this.codes.get(code);
    if (expires === undefined) return null;
    this.codes.delete(code);
    if (expires < Date.now()) return null;
    const body = `s1.${Date.now() + SESSION_TTL_MS}.${randomBytes(12).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  verifyCookie(value: string | undefined): boolean {
    if (!value) return false;
    const dot = value.lastIndexOf('.');
    const body = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (dot < 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const expires = Number(body.split('.')[1]);
    return Number.isFinite(expires) && expires > Date.now();
  }

  cookieHeader(value: string): string {
    return `${this.name()}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret()).update('admin-session\0' + body).digest('base64url');
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
