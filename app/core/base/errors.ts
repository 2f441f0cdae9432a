/**
 * The one local error type of the hub. `code` is stable and meant for programs; `message` is one
 * sentence meant for people (it ends up in CLI output, tool errors and logs).
 */
export type HubErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'CONFIG_LOCKED'
  | 'TOKEN_INVALID'
  | 'TOKEN_REVOKED'
  | 'CLIENT_ID_INVALID'
  | 'SECRET_UNAVAILABLE'
  | 'HUB_NOT_RUNNING'
  | 'HUB_UNREACHABLE'
  | 'PROVIDER_GONE'
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_REFUSED'
  | 'TOOL_UNKNOWN'
  | 'USAGE'
  | 'LISTEN_FAILED'
  | 'SERVICE_FAILED';

export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    readonly code: HubErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isHubError(error: unknown, code?: HubErrorCode): error is HubError {
  return error instanceof HubError && (code === undefined || error.code === code);
}

/** A readable one-line description of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
