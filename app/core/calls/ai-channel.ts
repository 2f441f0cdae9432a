import type { LoggingLevel } from '@modelcontextprotocol/server';

/**
 * The way back from a provider to the AI client that made one tool call: what a provider may
 * ask of that client during the call (a sampling, an elicitation, its roots) and the log lines
 * it sends meanwhile. Each AI surface builds one per call in its revision's form (a request on
 * the 2025 session, an `input_required` round for 2026-07-28); the provider side uses it
 * without knowing which (docs/provider-protocol.md, "Requests to the AI client").
 */

/** The requests a provider may send to the calling AI client, and the capability each needs. */
export const RELAYED_REQUESTS = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
} as const;

export type RelayedMethod = keyof typeof RELAYED_REQUESTS;
export type RelayedCapability = (typeof RELAYED_REQUESTS)[RelayedMethod];

export function isRelayedMethod(method: string): method is RelayedMethod {
  return Object.hasOwn(RELAYED_REQUESTS, method);
}

export interface AiChannel {
  /** The AI client's id (from its token), e.g. "ai:claude". */
  caller: string;
  /**
   * Which AI client connection the call came from (a 2025 session; for 2026-07-28, the caller and
   * the client's name): calls of one origin may share a provider's requests (provider-relay.ts).
   */
  origin: string;
  /** The client capabilities the AI client declared (initialize, or the 2026 request envelope). */
  capabilities: Record<string, unknown> | undefined;
  /** Asks the AI client; resolves with its result, rejects with its JSON-RPC error. */
  ask(method: RelayedMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** A provider's `notifications/message` params, forwarded as they came. */
  log(params: Record<string, unknown>): void;
}

/** A provider's `notifications/message` params, as the SDK's `ctx.mcpReq.log` takes them. */
export function logArguments(params: Record<string, unknown>): [level: LoggingLevel, data: unknown, logger: string | undefined] {
  return [params.level as LoggingLevel, params.data, typeof params.logger === 'string' ? params.logger : undefined];
}

/** Whether the AI client declared the capability a relayed request needs. */
export function declares(channel: AiChannel, method: RelayedMethod): boolean {
  const capability = channel.capabilities?.[RELAYED_REQUESTS[method]];
  return capability !== undefined && capability !== null && capability !== false;
}
