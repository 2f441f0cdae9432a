/**
 * The control socket's messages (docs/discovery.md, The control socket): newline-delimited JSON
 * between the hub (app/core/discovery/control-server.ts, which validates each request with zod)
 * and the native host (native-host/discovery.ts), which asks it for a token. Imports nothing.
 */

/** Longest request line the hub reads; a longer one is answered TOO_LARGE and closed. */
export const MAX_CONTROL_LINE_BYTES = 64 * 1024;
/** Longest client id a `token` request may name. */
export const MAX_CONTROL_CLIENT_CHARS = 256;

/** Host → hub, one per line. */
export type ControlRequest = { op: 'token'; client: string } | { op: 'ping' };

/** Where the hub listens, for the frame the host hands to an extension or add-in. */
export interface ControlUrls {
  ws: string;
  mcp: string;
  sse: string;
}

/** Why the hub refused a request; the `message` beside it is one sentence for the user. */
export const CONTROL_ERROR = {
  /** Only ext: and addin: tokens are handed out here. */
  FORBIDDEN: 'FORBIDDEN',
  /** The client id is malformed (docs/config.md, Tokens). */
  CLIENT_ID_INVALID: 'CLIENT_ID_INVALID',
  /** The client was revoked; `inlet token allow` lets it in again. */
  REVOKED: 'REVOKED',
  /** The hub failed to mint a token. */
  INTERNAL: 'INTERNAL',
  /** Too many control connections are open at once. */
  BUSY: 'BUSY',
  /** No complete request arrived in time. */
  IDLE: 'IDLE',
  /** A request line longer than MAX_CONTROL_LINE_BYTES. */
  TOO_LARGE: 'TOO_LARGE',
  /** A line that is not one of the requests above. */
  BAD_REQUEST: 'BAD_REQUEST',
} as const;

export type ControlErrorCode = (typeof CONTROL_ERROR)[keyof typeof CONTROL_ERROR];

/** Hub → host, one line per request line. */
export type ControlResponse =
  | { ok: true; token?: string; clientId?: string; urls?: ControlUrls }
  | { ok: false; code: ControlErrorCode; message: string };
