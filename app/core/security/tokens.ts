import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HubError } from '../base/errors.js';
import { SECRET_BYTES, type SecretStore } from './secret-store.js';
import type { Config } from '../config/config.js';

/**
 * Tokens (DESIGN §4): `inlet1.<client-id>.<mac>`, the MAC being HMAC-SHA256 of the client id
 * under the install secret, base64url. Validation is stateless and constant-time; the off
 * switches are the revoked list in config and rotating the secret.
 */
export const TOKEN_PREFIX = 'inlet1.';

const CLIENT_ID = /^(ai|provider|ext|addin):[A-Za-z0-9._@{}+-]{1,128}$|^admin$/;

export type ClientKind = 'ai' | 'provider' | 'ext' | 'addin' | 'admin';

export function clientKind(clientId: string): ClientKind {
  return clientId === 'admin' ? 'admin' : (clientId.slice(0, clientId.indexOf(':')) as ClientKind);
}

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

  /** Verifies an Inlet token. Returns null for anything that is not a valid, unrevoked token. */
  verify(token: string): TokenIdentity | null {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const dot = token.lastIndexOf('.');
    if (dot <= TOKEN_PREFIX.length) return null;
    const clientId = token.slice(TOKEN_PREFIX.length, dot);
    if (!CLIENT_ID.test(clientId)) return null;
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(clientId), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    if (this.revoked.has(clientId)) return null;
    return { clientId, kind: clientKind(clientId) };
  }

  /**
   * May a provider connect under `name` with `token`? Provider tokens name their provider;
   * static tokens from `tools_servers` serve their server name only; ext:/addin: tokens (the
   * native host hands them out) may offer tools under any name; admin may too.
   */
  authorizeProvider(name: string, token: string | undefined): TokenIdentity | null {
    if (this.disabledNames.has(name)) return null;
    if (token) {
      const identity = this.verify(token);
      if (identity) {
        if (identity.kind === 'provider') return identity.clientId === `provider:${name}` ? identity : null;
        if (identity.kind === 'ext' || identity.kind === 'addin' || identity.kind === 'admin') return identity;
        return null;
      }
      const expected = this.staticTokens.get(name);
      if (expected && timingSafeEqual(digest(token), expected)) {
        return { clientId: `provider:${name}`, kind: 'static', staticFor: name, staticDigest: expected.toString('hex') };
      }
    }
    if (this.noAuthNames.has(name)) return { clientId: `provider:${name}`, kind: 'static', staticFor: name };
    return null;
  }

  /** Does a connection admitted earlier still hold under the current config (after a reload)? */
  stillValid(identity: TokenIdentity, name: string): boolean {
    if (this.disabledNames.has(name)) return false;
    if (identity.kind !== 'static') return !this.revoked.has(identity.clientId);
    if (this.noAuthNames.has(name)) return true;
    return identity.staticDigest !== undefined && this.staticTokens.get(name)?.toString('hex') === identity.staticDigest;
  }

  /** May this token use the AI endpoint? ai: and admin tokens may. */
  authorizeAi(token: string | undefined): TokenIdentity | null {
    if (!token) return null;
    const identity = this.verify(token);
    return identity && (identity.kind === 'ai' || identity.kind === 'admin') ? identity : null;
  }

  private mac(clientId: string): string {
    return createHmac('sha256', this.secret).update(clientId).digest('base64url');
  }
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
