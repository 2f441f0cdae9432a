// Generated from app/shared by scripts/gen-extension-wire.mjs (npm run build); do not edit.
// The companion extension reads these values; the hub and the native host import the same ones.

/** WebSocket close codes the hub sends a provider on /ws (app/shared/close-codes.ts). */
export const CLOSE = Object.freeze({
  "NORMAL": 1000,
  "GOING_AWAY": 1001,
  "INVALID_PAYLOAD": 1007,
  "POLICY": 1008,
  "TOO_BIG": 1009,
  "REPLACED": 4000,
  "REVOKED": 4003
});

/** The native-messaging host to connectNative() (app/shared/native-messaging.ts). */
export const NATIVE_HOST_NAME = "com.inlet.hub";

/** The `type` of the frames the native host writes. */
export const FRAME_TYPE = Object.freeze({
  "DISCOVERY": "inlet.discovery",
  "ERROR": "inlet.error"
});

/** The discovery frame's format version. */
export const DISCOVERY_VERSION = 1;

/** Error frame codes of the host itself. */
export const HOST_ERROR = Object.freeze({
  "HUB_NOT_RUNNING": "HUB_NOT_RUNNING",
  "HUB_UNREACHABLE": "HUB_UNREACHABLE",
  "HOST_FAILED": "HOST_FAILED",
  "BAD_FRAME": "BAD_FRAME"
});

/** Error frame codes the host passes on from the hub (app/shared/control-protocol.ts). */
export const CONTROL_ERROR = Object.freeze({
  "FORBIDDEN": "FORBIDDEN",
  "CLIENT_ID_INVALID": "CLIENT_ID_INVALID",
  "REVOKED": "REVOKED",
  "INTERNAL": "INTERNAL",
  "BUSY": "BUSY",
  "IDLE": "IDLE",
  "TOO_LARGE": "TOO_LARGE",
  "BAD_REQUEST": "BAD_REQUEST"
});

/** Codes the extension reports itself when the host cannot be asked. */
export const CALLER_ERROR = Object.freeze({
  "NOT_PAIRED": "NOT_PAIRED",
  "HOST_TIMEOUT": "HOST_TIMEOUT"
});
