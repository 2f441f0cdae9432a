import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HubError } from '../base/errors.js';
import { SECRET_BYTES, type SecretStore } from './secret-store.js';
import type { Config } from '../config/config.js';
import { clientKind, mayCall, providerNameFor, type CallerSurface, type ClientKind } from './roles.js';

export { clientKind, type ClientKind } from './roles.js';

/**
 * Tokens (docs/config.md, Tokens): `inlet1.<client-id>.<mac>`, the MAC being HMAC-SHA256 of the client id
 * under the install secret, base64url. Validation is stateless and constant-time; the off
 * switches are the revoked list in config and rotating the secret.
 */
export const TOKEN_PREFIX = 'inlet1.';

const CLIENT_ID = /^(ai|provider|ext|addin):[A-Za-z0-9._@{}+-]{1,128}$|^admin$/;

export function assertClientId(clientId: string): void {
  if (!CLIENT_ID.test(clientId)) {
    throw new HubError(
      'CLIENT_ID_INVALID',
      `"${clientId}" is not a client id: use ai:NAME, provider:NAME, ext:EXTENSION-ID, addin:NAME or admin (NAME of letters, digits and . _ @ + -).`,
    );
  }
}

/** What an authenticated token says about its bearer. */
export interface TokenIdentity {
  clientId: string;
  kind: ClientKind | 'static';
  /** For static tokens: the only provider name they may use. */
  staticFor?: string;
  /** For static tokens: a digest of the token, so a changed config can tell if it still holds. */
  staticDigest?: string;
}

/** Loads the install secret, creating one on first use. */
export async function loadOrCreateSecret(store: SecretStore): Promise<Buffer> {
  const existing = await store.get();
  if (existing) return existing;
  const secret = randomBytes(SECRET_BYTES);
  await store.set(secret);
  const readBack = await store.get();
  if (!readBack || !readBack.equals(secret)) {
    throw new HubError('SECRET_UNAVAILABLE', `The install secret could not be stored in the ${store.description}.`);
  }
  return secret;
}

export class TokenService {
  private revoked: Set<string>;
  private staticTokens: Map<string, Buffer>;
  private noAuthNames: Set<string>;
  private disabledNames: Set<string>;

  constructor(
    private secret: Buffer,
    config: Config,
  ) {
    this.revoked = new Set();
    this.staticTokens = new Map();
    this.noAuthNames = new Set();
    this.disabledNames = new Set();
    this.applyConfig(config);
  }

  /** After a rotation: every token minted under the old secret stops working. */
  setSecret(secret: Buffer): void {
    this.secret = secret;
  }

  get currentSecret(): Buffer {
    return this.secret;
  }

  /** Takes the revoked list and static tokens from (re)loaded config. */
  applyConfig(config: Config): void {
    this.revoked = new Set(config.tokens.revoked);
    this.staticTokens = new Map();
    this.noAuthNames = new Set();
    this.disabledNames = new Set();
    for (const [name, server] of Object.entries(config.tools_servers)) {
      if (server.transport && server.transport !== 'reverse_mcp') continue;
      if (server.disabled) {
        this.disabledNames.add(name);
        continue;
      }
      if (server.auth_token === undefined) continue;
      if (server.auth_token === '') this.noAuthNames.add(name);
      else this.staticTokens.set(name, digest(server.auth_token));
    }
  }

  /** Provider names that CleverChatty-style config lets in without any token. */
  get unauthenticatedNames(): ReadonlySet<string> {
    return this.noAuthNames;
  }

  isRevoked(clientId: string): boolean {
    return this.revoked.has(clientId);
  }

  mint(clientId: string): string {
    assertClientId(clientId);
    return TOKEN_PREFIX + clientId + '.' + this.mac(clientId);
  }

  /**
   * Checks an Inlet token and says what is wrong with it. The MAC must be exactly the string
   * minted (43 base64url characters): a decoder would also take a trailing "=" or other
   * non-canonical spellings of the same bytes, which would make one token many.
   */
  check(token: string): TokenCheck {
    if (!token.startsWith(TOKEN_PREFIX)) return { ok: false, reason: 'not an Inlet token' };
    const dot = token.lastIndexOf('.');
    const clientId = dot > TOKEN_PREFIX.length ? token.slice(TOKEN_PREFIX.length, dot) : '';
    if (!CLIENT_ID.test(clientId)) return { ok: false, reason: 'malformed token' };
    const given = Buffer.from(token.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.mac(clientId), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad MAC', clientId };
    if (this.revoked.has(clientId)) return { ok: false, reason: 'revoked', clientId };
    return { ok: true, identity: { clientId, kind: clientKind(clientId) } };
  }

  /** Verifies an Inlet token. Returns null for anything that is not a valid, unrevoked token. */
  verify(token: string): TokenIdentity | null {
    const checked = this.check(token);
    return checked.ok ? checked.identity : null;
  }

  /**
   * May a provider connect under `name` with `token`? Every token that offers tools serves one
   * name (roles.ts `providerNameFor`): `provider:NAME` and `addin:NAME` serve NAME, `ext:ID` its
   * extension's name; static tokens from `tools_servers` serve their server name. `ai:` and
   * `admin` tokens offer no tools. A refusal says why, for the log.
   */
  authorizeProvider(name: string, token: string | undefined): Authorization {
    if (this.disabledNames.has(name)) return refuse(401, 'name disabled in tools_servers', `provider "${name}" is disabled in this hub's config.`);
    if (token) {
      const checked = this.check(token);
      if (checked.ok) {
        const own = providerNameFor(checked.identity.clientId);
        if (own === undefined) return refuse(401, `wrong kind (${checked.identity.clientId} offers no tools)`, `${checked.identity.clientId} may not offer tools (ai: and admin tokens only call); use a provider:NAME token.`);
        if (own !== name) return refuse(401, `wrong name (${checked.identity.clientId} serves "${own}")`, `this token serves provider "${own}" only, not "${name}".`);
        return { ok: true, identity: checked.identity };
      }
      const expected = this.staticTokens.get(name);
      if (expected && timingSafeEqual(digest(token), expected)) {
        return { ok: true, identity: { clientId: `provider:${name}`, kind: 'static', staticFor: name, staticDigest: expected.toString('hex') } };
      }
      if (!this.noAuthNames.has(name)) {
        return refusal(checked.reason === 'not an Inlet token' ? { ok: false, reason: `neither an Inlet token nor the static token of "${name}"` } : checked, name);
      }
    }
    if (this.noAuthNames.has(name)) return { ok: true, identity: { clientId: `provider:${name}`, kind: 'static', staticFor: name } };
    return refuse(401, 'no token', 'a token is required.');
  }

  /** Does a connection admitted earlier still hold under the current config (after a reload)? */
  stillValid(identity: TokenIdentity, name: string): boolean {
    if (this.disabledNames.has(name)) return false;
    if (identity.kind !== 'static') return !this.revoked.has(identity.clientId);
    if (this.noAuthNames.has(name)) return true;
    return identity.staticDigest !== undefined && this.staticTokens.get(name)?.toString('hex') === identity.staticDigest;
  }

  /**
   * May this token call tools on an AI surface? `/mcp`: ai: and admin; `/sse`: those plus ext:
   * and addin: (MCP-Link registrants). A missing or invalid token is 401, a valid token of
   * another role 403.
   */
  authorizeCaller(token: string | undefined, surface: CallerSurface): Authorization {
    if (!token) return refuse(401, 'no token', 'send an Inlet token as "Authorization: Bearer <token>".');
    const checked = this.check(token);
    if (!checked.ok) return refusal(checked);
    if (!mayCall(checked.identity.kind, surface)) {
      const what = surface === 'mcp' ? 'only ai: and admin tokens may call tools on /mcp' : 'only ai:, ext:, addin: and admin tokens may call tools on /sse';
      return refuse(403, `wrong kind (${checked.identity.clientId})`, `${what}; ${checked.identity.clientId} may not.`);
    }
    return { ok: true, identity: checked.identity };
  }

  private mac(clientId: string): string {
    return createHmac('sha256', this.secret).update(clientId).digest('base64url');
  }
}

export type TokenCheck =
  | { ok: true; identity: { clientId: string; kind: ClientKind } }
  | { ok: false; reason: 'not an Inlet token' | 'malformed token' | 'bad MAC' | 'revoked'; clientId?: string };

/** The answer of an authorization: who, or the HTTP status, why (for the log) and what to tell the peer. */
export type Authorization = { ok: true; identity: TokenIdentity } | { ok: false; status: 401 | 403; reason: string; message: string };

function refuse(status: 401 | 403, reason: string, message: string): Authorization {
  return { ok: false, status, reason, message };
}

/** A failed check as an authorization; the peer learns only "revoked" or "not valid". */
function refusal(checked: { ok: false; reason: string; clientId?: string }, name?: string): Authorization {
  const reason = checked.clientId ? `${checked.reason} (${checked.clientId})` : checked.reason;
  if (checked.reason === 'revoked') return refuse(401, reason, `the token of ${checked.clientId} was revoked.`);
  return refuse(401, reason, name === undefined ? 'the token is not valid.' : `the token is not valid for provider "${name}".`);
}

/** Fixed-length digest so static tokens of any length compare in constant time. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Reads a bearer token from an Authorization header value ("Bearer X", or the raw token). */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const match = /^Bearer\s+(.+)$/i.exec(value);
  return (match ? match[1]! : value).trim() || undefined;
}
