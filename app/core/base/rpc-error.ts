/**
 * A JSON-RPC error that crosses the hub unchanged: a provider's `{code, message, data}` reaches
 * the AI client as it was sent, and the hub's own protocol refusals use the same shape.
 *
 * The SDK's v2 packages (`@modelcontextprotocol/client` and `/server`) each bundle their own
 * `ProtocolError` class, so an error thrown by the provider-side client is not `instanceof` the
 * server's. The two sides of the hub meet on this class instead: the provider side converts
 * what its client throws into an `RpcError`, and the AI side turns an `RpcError` into the
 * server's own error at its edge. No side reads codes out of message text.
 */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** JSON-RPC codes the hub itself answers with. */
export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
} as const;

/** Reads `{code, message, data}` from any error-shaped value (an SDK ProtocolError of either package). */
export function asRpcError(error: unknown): RpcError | undefined {
  if (error instanceof RpcError) return error;
  if (!error || typeof error !== 'object') return undefined;
  const { code, message, data } = error as { code?: unknown; message?: unknown; data?: unknown };
  if (typeof code !== 'number' || !Number.isInteger(code) || typeof message !== 'string') return undefined;
  return new RpcError(code, message, data);
}
