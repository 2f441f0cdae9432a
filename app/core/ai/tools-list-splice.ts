import type { Tool } from '@modelcontextprotocol/server';
import type { Catalog } from '../catalog/catalog.js';

const EMPTY: Tool[] = Object.freeze([]) as unknown as Tool[];
const PLACEHOLDER = Buffer.from('"tools":[]');
/** Where the list goes inside the placeholder: after `"tools":[`. */
const INSERT_AT = PLACEHOLDER.length - 1;

/** What the HTTP writer does with one answer to tools/list. */
export interface SpliceJob {
  /** The list's bytes to put into the placeholder. */
  insert?: Buffer;
  /** Offered the chunks of the SDK's own answer, to learn the list's bytes; true once it has. */
  capture?: (chunk: Uint8Array) => boolean;
}

interface Encoded {
  revision: number;
  /** The list as the SDK encodes it for one protocol version, without the outer brackets. */
  inner: Buffer;
}

/**
 * The fast part of `tools/list` (docs/performance.md). The SDK encodes a tool list per protocol
 * revision (2026-07-28 drops fields it removed; 2025 wraps non-object output schemas), so the
 * first answer after a change goes through the SDK with the whole list, and its bytes are kept
 * per protocol version. Later answers carry an empty list that the HTTP writer replaces with
 * those bytes: the SDK still builds, stamps and frames each answer, but a 10,000-tool list is
 * not serialized and encoded again per request. The answer is byte for byte what the SDK sends
 * (test/mcp-wire.test.ts compares both paths).
 */
export class ToolsListSplice {
  private readonly jobs = new WeakMap<Request, SpliceJob>();
  private readonly encoded = new Map<string, Encoded>();

  constructor(private readonly registry: Catalog) {}

  /** The tools/list handler's answer for `request`, served to a client speaking `protocol`. */
  listFor(request: Request, protocol: string): Tool[] {
    const revision = this.registry.revision;
    const known = this.encoded.get(protocol);
    if (known && known.revision === revision) {
      this.jobs.set(request, { insert: known.inner });
      return EMPTY;
    }
    this.jobs.set(request, { capture: (chunk) => this.learn(protocol, revision, chunk) });
    return this.registry.list();
  }

  jobFor(request: Request): SpliceJob | undefined {
    return this.jobs.get(request);
  }

  private learn(protocol: string, revision: number, chunk: Uint8Array): boolean {
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
    let tools: unknown;
    try {
      // A JSON body, or one SSE event (`event: message\ndata: {…}\n\n`): the message is the braces.
      tools = (JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as { result?: { tools?: unknown } }).result?.tools;
    } catch {
      return false;
    }
    if (!Array.isArray(tools)) return false;
    // JSON.stringify of parsed JSON.stringify output is the same text: these are the SDK's bytes.
    const bytes = Buffer.from(JSON.stringify(tools));
    this.encoded.set(protocol, { revision, inner: bytes.subarray(1, bytes.length - 1) });
    return true;
  }
}

/**
 * `chunk` with `inner` put into its first `"tools":[]`, as parts to write in order; null when
 * the chunk holds no placeholder. JSON strings escape `"`, so the sequence can only be the key.
 */
export function spliceParts(chunk: Uint8Array, inner: Buffer): Buffer[] | null {
  const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const at = buffer.indexOf(PLACEHOLDER);
  if (at < 0) return null;
  return [buffer.subarray(0, at + INSERT_AT), inner, buffer.subarray(at + INSERT_AT)];
}
