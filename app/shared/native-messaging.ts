import type { ControlErrorCode } from './control-protocol.js';

/**
 * The frames the native-messaging host hands to extensions and add-ins (docs/discovery.md, How
 * it works, step 4), defined once for the host (native-host/), the manifests it is registered
 * with (app/os/manifests.ts), and the companion extension, which gets these values as plain
 * JavaScript generated at build time (clients/browser-extension/wire.js). Imports nothing but
 * app/shared.
 */

/** The name browsers know the host by (`connectNative("com.inlet.hub")`). */
export const NATIVE_HOST_NAME = 'com.inlet.hub';

/** The `type` of every frame. */
export const FRAME_TYPE = {
  DISCOVERY: 'inlet.discovery',
  ERROR: 'inlet.error',
} as const;

/** The frame's format version; a reader that knows another one should ask the user to update. */
export const DISCOVERY_VERSION = 1;

/**
 * Where the hub is, and a token for this caller. `mcpServers` is the shape MCP-Link add-ins
 * read: they use only the first server's `url` and `headers.Authorization`.
 */
export interface DiscoveryFrame {
  type: typeof FRAME_TYPE.DISCOVERY;
  version: typeof DISCOVERY_VERSION;
  ws: string;
  mcp: string;
  token: string;
  /** The client id the token is for (`ext:<id>`, `addin:<name>`). */
  name: string;
  mcpServers: { inlet: { url: string; headers: { Authorization: string } } };
}

/**
 * Codes of an error frame beyond the hub's own refusals (CONTROL_ERROR), which the host passes
 * on as they are.
 */
export const HOST_ERROR = {
  /** No hub answers on any control socket (the tray app is started where one is installed). */
  HUB_NOT_RUNNING: 'HUB_NOT_RUNNING',
  /** A hub answered with something the host does not understand (versions out of step). */
  HUB_UNREACHABLE: 'HUB_UNREACHABLE',
  /** The host itself failed; the message says how. */
  HOST_FAILED: 'HOST_FAILED',
  /** The caller sent a frame the host cannot read; the host exits after saying so. */
  BAD_FRAME: 'BAD_FRAME',
} as const;

/**
 * Codes an extension reports itself when the host cannot be asked (the companion's popup shows
 * them): the browser did not find or would not start the host, or it did not answer.
 */
export const CALLER_ERROR = {
  NOT_PAIRED: 'NOT_PAIRED',
  HOST_TIMEOUT: 'HOST_TIMEOUT',
} as const;

export type HostErrorCode = (typeof HOST_ERROR)[keyof typeof HOST_ERROR];

export interface ErrorFrame {
  type: typeof FRAME_TYPE.ERROR;
  /**
   * A HOST_ERROR or a CONTROL_ERROR code. A string, not the union: the host passes on what a
   * hub answered, and a newer hub may refuse with a code this build does not know yet.
   */
  code: HostErrorCode | ControlErrorCode | (string & {});
  /** One sentence for the user. */
  message: string;
}

export type HostFrame = DiscoveryFrame | ErrorFrame;
