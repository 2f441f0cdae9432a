import { RpcError, RPC } from '../base/rpc-error.js';

/**
 * Long lists reach AI clients in pages (resources, templates and prompts; tools/list answers
 * whole, docs/decisions.md). The cursor is opaque to clients: the offset of the next page.
 * When the list changed between pages, the next page starts at the same offset of the new list
 * (the client also hears list_changed and lists again).
 */
export const PAGE_SIZE = 500;

export function page<T>(list: readonly T[], cursor: string | undefined, size = PAGE_SIZE): { items: T[]; nextCursor?: string } {
  const start = cursor === undefined ? 0 : readCursor(cursor);
  const items = list.slice(start, start + size);
  const next = start + size;
  return next < list.length ? { items, nextCursor: Buffer.from(`inlet:${next}`).toString('base64url') } : { items };
}

function readCursor(cursor: string): number {
  const match = /^inlet:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new RpcError(RPC.INVALID_PARAMS, 'Invalid cursor: pass back the nextCursor of an earlier page.');
  return Number(match[1]);
}
