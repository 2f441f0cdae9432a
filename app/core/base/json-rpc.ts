import type { JSONRPCMessage } from '@modelcontextprotocol/client';

/**
 * A cheap structural check of one JSON-RPC 2.0 message, run on every frame a peer sends.
 * It is deliberately hand-written rather than a zod parse: it runs on the hot path and only
 * needs to tell "a JSON-RPC message the SDK can route" from garbage; the SDK's own schemas then
 * validate params and results of the methods it handles.
 */
export function asJsonRpcMessage(value: unknown): JSONRPCMessage | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== '2.0') return null;
  const id = message.id;
  const hasId = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  if (typeof message.method === 'string') {
    if ('id' in message && !hasId) return null;
    if (message.params !== undefined && (message.params === null || typeof message.params !== 'object')) return null;
    return message as unknown as JSONRPCMessage;
  }
  if (!hasId && !(id === null && 'error' in message)) return null;
  if ('result' in message) {
    return message.result !== null && typeof message.result === 'object' ? (message as unknown as JSONRPCMessage) : null;
  }
  if ('error' in message) {
    const error = message.error as Record<string, unknown> | null;
    return error && typeof error === 'object' && typeof error.code === 'number' && typeof error.message === 'string'
      ? (message as unknown as JSONRPCMessage)
      : null;
  }
  return null;
}

/**
 * Splits one frame into messages. CleverChatty's peers (mcp-go) end every frame with "\n" and
 * would accept several newline-separated messages in one frame; we accept the same.
 */
export function parseFrame(text: string): { messages: JSONRPCMessage[] } | { error: string } {
  const parts = text.includes('\n') ? text.split('\n').filter((part) => part.trim() !== '') : [text];
  const messages: JSONRPCMessage[] = [];
  for (const part of parts) {
    let value: unknown;
    try {
      value = JSON.parse(part);
    } catch {
      return { error: 'malformed JSON' };
    }
    const message = asJsonRpcMessage(value);
    if (!message) return { error: 'not a JSON-RPC 2.0 message' };
    messages.push(message);
  }
  if (messages.length === 0) return { error: 'empty frame' };
  return { messages };
}

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
