import type { CallToolResult } from '@modelcontextprotocol/server';
import { isObject } from '../base/json-rpc.js';

/** MCP-Link's reply deadline: 60 s unless the caller passes `_timeout_seconds` (1 to 3600). */
export const DEFAULT_REPLY_S = 60;
const MIN_REPLY_S = 1;
const MAX_REPLY_S = 3_600;

export interface UnwrappedCall {
  arguments: Record<string, unknown>;
  /** The reply deadline for this call. */
  timeoutMs: number;
}

/** The part of a JSON Schema read here; anything else in it is ignored. */
interface Schema {
  properties?: Record<string, unknown>;
}

/**
 * The arguments a registrant receives, derived from the AI client's as MCP-Link 1.3 does
 * (docs/mcp-link.md, Pushed calls): `{"input": {…}}` is unwrapped (repeatedly) unless the
 * registrant's schema declares `input` itself; `handler_info` is dropped; `_timeout_seconds` is
 * taken out and becomes the reply deadline; `operation: "execute"` is dropped unless the schema
 * declares `operation`. Everything else (`tool_unlock_token` included) is passed on as it is.
 */
export function unwrapArguments(args: Record<string, unknown> | undefined, schema: Schema, defaultTimeoutMs: number): UnwrappedCall {
  const declared = schema.properties ?? {};
  let out: Record<string, unknown> = { ...(args ?? {}) };
  while (!('input' in declared) && isObject(out.input)) {
    const { input, ...rest } = out;
    out = { ...rest, ...(input as Record<string, unknown>) };
  }
  delete out.handler_info;
  let timeoutMs = defaultTimeoutMs;
  if ('_timeout_seconds' in out) {
    const seconds = Number(out._timeout_seconds);
    if (Number.isFinite(seconds)) timeoutMs = Math.round(Math.min(MAX_REPLY_S, Math.max(MIN_REPLY_S, seconds)) * 1000);
    delete out._timeout_seconds;
  }
  if (out.operation === 'execute' && !('operation' in declared)) delete out.operation;
  return { arguments: out, timeoutMs };
}

/**
 * Checks the declared types of the arguments present (not `required`, and unknown keys pass), as
 * MCP-Link does before it pushes a call; returns the first mismatch as one sentence.
 */
export function typeMismatch(tool: string, args: Record<string, unknown>, schema: Schema): string | undefined {
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (!(key in args) || !isObject(property)) continue;
    const wanted = property.type;
    const types = Array.isArray(wanted) ? wanted : [wanted];
    if (types.some((t) => typeof t !== 'string') || types.some((t) => matches(t as string, args[key]))) continue;
    return `Invalid arguments for ${tool}: '${key}' must be ${article(types.join(' or '))}, got ${typeName(args[key])}`;
  }
  return undefined;
}

function matches(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/**
 * The result a `tools/reply` carries, as the AI client will get it: a missing result is an
 * error, a result that is not an object is wrapped as text, and a `{see readme}` placeholder in
 * an error's text becomes the registrant's documentation (MCP-Link's reply rules).
 */
export function replyResult(params: unknown, readme: string): CallToolResult {
  const result = isObject(params) ? params.result : undefined;
  if (result === undefined) return { content: [{ type: 'text', text: '(no result provided)' }], isError: true };
  if (!isObject(result)) return { content: [{ type: 'text', text: typeof result === 'string' ? result : JSON.stringify(result) }] };
  const shaped = result as CallToolResult;
  if (shaped.isError !== true || !Array.isArray(shaped.content)) return shaped;
  return {
    ...shaped,
    content: shaped.content.map((item) =>
      item.type === 'text' && item.text.includes('{see readme}') ? { ...item, text: item.text.replaceAll('{see readme}', `\n\nDocumentation:\n${readme}`) } : item,
    ),
  };
}
