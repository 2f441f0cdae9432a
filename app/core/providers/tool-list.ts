import type { Tool } from '@modelcontextprotocol/client';
import { ToolSchema } from '@modelcontextprotocol/core';
import { HubError } from '../base/errors.js';

/**
 * Reading one provider's whole tool list (`tools/list`, following `nextCursor`) under bounds:
 * pages, tools and bytes (docs/provider-protocol.md). Past a bound, or when a page is not a tools/list result
 * at all, the list is refused with a HubError whose message is one clause a provider can read
 * in a close reason. One bad tool never takes the others down: it is left out, and why is
 * returned for the hub's log.
 */
export interface ListBounds {
  maxPages: number;
  maxTools: number;
  maxBytes: number;
}

/** Asks the provider for one page; `cursor` is undefined for the first. */
export type FetchPage = (cursor: string | undefined) => Promise<unknown>;

export interface ToolList {
  tools: Tool[];
  /** One phrase per tool left out, e.g. `tools/list result: tools[3] has no name`. */
  leftOut: string[];
}

/** The MCP spec's bound for tool names (SEP-986: 1 to 128 characters). */
export const MAX_TOOL_NAME = 128;
/** A cursor is opaque but is sent back as is: a huge one would be echoed page after page. */
const MAX_CURSOR = 4096;

export async function fetchToolList(fetchPage: FetchPage, bounds: ListBounds): Promise<ToolList> {
  const tools: Tool[] = [];
  const leftOut: string[] = [];
  let entries = 0;
  let bytes = 0;
  let cursor: string | undefined;
  for (let page = 1; ; page++) {
    const result = await fetchPage(cursor);
    bytes += Buffer.byteLength(JSON.stringify(result) ?? '');
    if (bytes > bounds.maxBytes) throw refused(`tools/list went past ${formatBytes(bounds.maxBytes)} (list_max_bytes)`);
    const where = page === 1 ? 'tools/list result' : `tools/list page ${page}`;
    const { list, next } = readPage(result, where);
    entries += list.length;
    if (entries > bounds.maxTools) throw refused(`tools/list went past ${bounds.maxTools} tools (list_max_tools)`);
    list.forEach((entry, index) => {
      const checked = checkTool(entry, index);
      if (typeof checked === 'string') leftOut.push(`${where}: ${checked}`);
      else tools.push(checked);
    });
    if (!next) return { tools, leftOut };
    if (page >= bounds.maxPages) throw refused(`tools/list did not end within ${bounds.maxPages} pages (list_max_pages)`);
    cursor = next;
  }
}

function readPage(result: unknown, where: string): { list: unknown[]; next: string | undefined } {
  if (!isObject(result)) throw refused(`the ${where} is not an object`);
  if (!Array.isArray(result.tools)) throw refused(`the ${where} has no "tools" array`);
  const next = result.nextCursor;
  if (next !== undefined && next !== null && typeof next !== 'string') throw refused(`the ${where} has a nextCursor that is not a string`);
  if (typeof next === 'string' && next.length > MAX_CURSOR) throw refused(`the ${where} has a nextCursor longer than ${MAX_CURSOR} characters`);
  return { list: result.tools, next: next ?? undefined };
}

/**
 * The tool as the provider sent it (checked, never reshaped: fields the schema does not know
 * reach AI clients too), or why it is left out.
 */
export function checkTool(entry: unknown, index: number): Tool | string {
  const at = `tools[${index}]`;
  if (!isObject(entry)) return `${at} is not an object`;
  const name = entry.name;
  if (typeof name !== 'string') return `${at} has no name`;
  if (name.trim() === '') return `${at} has an empty name`;
  if (name.length > MAX_TOOL_NAME) return `${at} has a name longer than ${MAX_TOOL_NAME} characters`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return `${at} has a name with control characters`;
  const parsed = ToolSchema.safeParse(entry);
  if (!parsed.success) return `${at} (${JSON.stringify(name.slice(0, 64))}) is not a valid tool: ${describeIssue(parsed.error.issues[0])}`;
  return entry as Tool;
}

/** The first problem zod found, as "inputSchema.type: expected "object"". */
export function describeIssue(issue: { path: readonly PropertyKey[]; message: string } | undefined): string {
  if (!issue) return 'invalid';
  const message = issue.message.replace(/^Invalid input: /, '');
  return issue.path.length ? `${issue.path.map(String).join('.')}: ${message}` : message;
}

function refused(clause: string): HubError {
  return new HubError('PROVIDER_REFUSED', clause);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (mib >= 1 && Number.isInteger(mib)) return `${mib} MiB`;
  const kib = bytes / 1024;
  return Number.isInteger(kib) ? `${kib} KiB` : `${bytes} bytes`;
}
