/**
 * The WebSocket close codes the hub sends a provider on `/ws` (docs/provider-protocol.md, Close
 * codes), defined once for every program that reads or sends them: the hub, `inlet bridge`, and
 * the companion extension, which gets them as plain JavaScript generated at build time
 * (scripts/gen-extension-wire.mjs writes clients/browser-extension/wire.js). Imports nothing.
 */
export const CLOSE = {
  /** The socket's own end (a bridge stopping, a transport closed by its owner). */
  NORMAL: 1000,
  /** The hub is shutting down. */
  GOING_AWAY: 1001,
  /** A frame that is not JSON, or not JSON-RPC. */
  INVALID_PAYLOAD: 1007,
  /** Initialization failed, a tool list was refused, or the name is held by another identity. */
  POLICY: 1008,
  /** A frame larger than the hub accepts. */
  TOO_BIG: 1009,
  /** Another connection with the same name and identity took over: do not reconnect in a loop. */
  REPLACED: 4000,
  /** The provider's token was revoked, or the install secret rotated. */
  REVOKED: 4003,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];
