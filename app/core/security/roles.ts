/**
 * What each kind of token may do, on every surface (docs/config.md, Host and Origin; docs/config.md, Tokens). One table, so `/ws`,
 * `/mcp`, `/sse` and the policy read the same rules:
 *
 * | kind              | offers tools on /ws            | calls tools on         |
 * |-------------------|--------------------------------|------------------------|
 * | `provider:NAME`   | as NAME                        | nowhere                |
 * | static token      | as its tools_servers name      | nowhere                |
 * | `ext:ID`          | as its own provider name       | /sse, asked by default |
 * | `addin:NAME`      | as NAME                        | /sse, asked by default |
 * | `ai:NAME`         | never                          | /mcp, /sse             |
 * | `admin`           | never                          | /mcp, /sse (and the admin API) |
 */
export type ClientKind = 'ai' | 'provider' | 'ext' | 'addin' | 'admin';

/** The AI surfaces: `/mcp` (Streamable HTTP) and `/sse` + `/messages/` (legacy HTTP+SSE). */
export type CallerSurface = 'mcp' | 'sse';

const CALLERS: Record<CallerSurface, ReadonlySet<ClientKind>> = {
  mcp: new Set(['ai', 'admin']),
  sse: new Set(['ai', 'admin', 'ext', 'addin']),
};

/** Inlet's companion extension (clients/browser-extension): its Chromium and Firefox ids. */
export const COMPANION_EXTENSION_ID = 'mgbjihcelpipgklojhllekfmcnnjocca';
export const COMPANION_FIREFOX_ID = 'companion@inlet.dev';
/** The provider name the companion dials in under, so its tools appear as `browser__…`. */
export const COMPANION_PROVIDER_NAME = 'browser';

const EXTENSION_NAMES: ReadonlyMap<string, string> = new Map([
  [COMPANION_EXTENSION_ID, COMPANION_PROVIDER_NAME],
  [COMPANION_FIREFOX_ID, COMPANION_PROVIDER_NAME],
]);

export function clientKind(clientId: string): ClientKind {
  return clientId === 'admin' ? 'admin' : (clientId.slice(0, clientId.indexOf(':')) as ClientKind);
}

export function mayCall(kind: ClientKind, surface: CallerSurface): boolean {
  return CALLERS[surface].has(kind);
}

/**
 * The one provider name a token may offer tools under, or undefined for tokens that offer none
 * (`ai:`, `admin`). `provider:NAME` and `addin:NAME` serve NAME; `ext:ID` serves ID, except the
 * companion extension, which serves `browser` from Chromium and Firefox alike. The name is a
 * function of the client id, so no extension can pick another's name and nothing needs storing.
 */
export function providerNameFor(clientId: string): string | undefined {
  const kind = clientKind(clientId);
  if (kind === 'ai' || kind === 'admin') return undefined;
  const rest = clientId.slice(clientId.indexOf(':') + 1);
  return kind === 'ext' ? (EXTENSION_NAMES.get(rest) ?? rest) : rest;
}

/**
 * Extensions and add-ins (MCP-Link registrants) that call other providers' tools are asked
 * about by default, even when the default policy is `allow`, unless a rule names the caller.
 */
export function asksByDefault(caller: string): boolean {
  return caller.startsWith('ext:') || caller.startsWith('addin:');
}
