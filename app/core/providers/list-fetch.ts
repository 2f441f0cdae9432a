import type { Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/client';
import { PromptSchema, ResourceSchema, ResourceTemplateSchema, ToolSchema } from '@modelcontextprotocol/core';
import { HubError } from '../base/errors.js';
import { isObject } from '../base/json-rpc.js';

/**
 * Reading one of a provider's whole lists (`tools/list`, `resources/list`,
 * `resources/templates/list`, `prompts/list`, following `nextCursor`) under bounds: pages,
 * entries and bytes (docs/provider-protocol.md). Past a bound, or when a page is not a result of
 * that list at all, the list is refused with a HubError whose message is one clause a provider
 * can read in a close reason. One bad entry never takes the others down: it is left out, and
 * why is returned for the hub's log.
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

/** What each list holds, and where. */
export interface ListEntries {
  tools: Tool;
  resources: Resource;
  resourceTemplates: ResourceTemplateType;
  prompts: Prompt;
}
export type ListName = keyof ListEntries;

interface ListSpec {
  method: string;
  /** The result's array key. */
  key: string;
  /** What `list_max_tools` counts, in a refusal. */
  noun: string;
  check: (entry: unknown, index: number) => unknown;
}

const LISTS: Record<ListName, ListSpec> = {
  tools: { method: 'tools/list', key: 'tools', noun: 'tools', check: (entry, index) => checkTool(entry, index) },
  resources: { method: 'resources/list', key: 'resources', noun: 'resources', check: (entry, index) => checkEntry(ResourceSchema, 'resources', 'uri', entry, index) },
  resourceTemplates: {
    method: 'resources/templates/list',
    key: 'resourceTemplates',
    noun: 'resource templates',
    check: (entry, index) => checkEntry(ResourceTemplateSchema, 'resourceTemplates', 'uriTemplate', entry, index),
  },
  prompts: { method: 'prompts/list', key: 'prompts', noun: 'prompts', check: (entry, index) => checkEntry(PromptSchema, 'prompts', 'name', entry, index) },
};

export function listMethod(list: ListName): string {
  return LISTS[list].method;
}

/** The MCP spec's bound for tool names (SEP-986: 1 to 128 characters). */
export const MAX_TOOL_NAME = 128;
/** A cursor is opaque but is sent back as is: a huge one would be echoed page after page. */
const MAX_CURSOR = 4096;
/** The longest URI, URI template or prompt name taken from a provider. */
const MAX_ENTRY_ID = 2048;

export async function fetchToolList(fetchPage: FetchPage, bounds: ListBounds): Promise<ToolList> {
  const { entries, leftOut } = await fetchList('tools', fetchPage, bounds);
  return { tools: entries, leftOut };
}

/** One whole list; `entries` as the provider sent them, the bad ones left out. */
export async function fetchList<K extends ListName>(list: K, fetchPage: FetchPage, bounds: ListBounds): Promise<{ entries: Array<ListEntries[K]>; leftOut: string[] }> {
  const spec = LISTS[list];
  const entries: Array<ListEntries[K]> = [];
  const leftOut: string[] = [];
  let count = 0;
  let bytes = 0;
  let cursor: string | undefined;
  for (let page = 1; ; page++) {
    const result = await fetchPage(cursor);
    bytes += Buffer.byteLength(JSON.stringify(result) ?? '');
    if (bytes > bounds.maxBytes) throw refused(`${spec.method} went past ${formatBytes(bounds.maxBytes)} (list_max_bytes)`);
    const where = page === 1 ? `${spec.method} result` : `${spec.method} page ${page}`;
    const { list: items, next } = readPage(result, where, spec.key);
    count += items.length;
    if (count > bounds.maxTools) throw refused(`${spec.method} went past ${bounds.maxTools} ${spec.noun} (list_max_tools)`);
    items.forEach((entry, index) => {
      const checked = spec.check(entry, index);
      if (typeof checked === 'string') leftOut.push(`${where}: ${checked}`);
      else entries.push(checked as ListEntries[K]);
    });
    if (!next) return { entries, leftOut };
    if (page >= bounds.maxPages) throw refused(`${spec.method} did not end within ${bounds.maxPages} pages (list_max_pages)`);
    cursor = next;
  }
}

function readPage(result: unknown, where: string, key: string): { list: unknown[]; next: string | undefined } {
  if (!isObject(result)) throw refused(`the ${where} is not an object`);
  if (!Array.isArray(result[key])) throw refused(`the ${where} has no "${key}" array`);
  const next = result.nextCursor;
  if (next !== undefined && next !== null && typeof next !== 'string') throw refused(`the ${where} has a nextCursor that is not a string`);
  if (typeof next === 'string' && next.length > MAX_CURSOR) throw refused(`the ${where} has a nextCursor longer than ${MAX_CURSOR} characters`);
  return { list: result[key] as unknown[], next: next ?? undefined };
}

/** A resource, template or prompt as the provider sent it (checked, never reshaped), or why it is left out. */
function checkEntry(schema: typeof ResourceSchema | typeof ResourceTemplateSchema | typeof PromptSchema, key: string, id: string, entry: unknown, index: number): unknown {
  const at = `${key}[${index}]`;
  if (!isObject(entry)) return `${at} is not an object`;
  const value = entry[id];
  if (typeof value !== 'string' || value.trim() === '') return `${at} has no ${id}`;
  if (value.length > MAX_ENTRY_ID) return `${at} has a ${id} longer than ${MAX_ENTRY_ID} characters`;
  if (/[\u0000-\u001f\u007f]/.test(value)) return `${at} has a ${id} with control characters`;
  const parsed = schema.safeParse(entry);
  if (!parsed.success) return `${at} (${JSON.stringify(value.slice(0, 64))}) is not valid: ${describeIssue(parsed.error.issues[0])}`;
  return entry;
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


function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (mib >= 1 && Number.isInteger(mib)) return `${mib} MiB`;
  const kib = bytes / 1024;
  return Number.isInteger(kib) ? `${kib} KiB` : `${bytes} bytes`;
}
