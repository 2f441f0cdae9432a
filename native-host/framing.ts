/**
 * Native-messaging framing (Chrome and Firefox alike): a 4-byte little-endian length, then
 * that many bytes of UTF-8 JSON. The browsers use native byte order; every platform Inlet
 * ships on is little-endian, and MCP-Link's clients read it as little-endian explicitly.
 */

/** Chrome refuses host-to-browser messages over 1 MB. */
export const MAX_OUTBOUND_BYTES = 1024 * 1024;
/** The host only ever receives small requests; anything larger is treated as garbage. */
export const MAX_INBOUND_BYTES = 64 * 1024;

const HEADER_BYTES = 4;

export type FrameErrorCode = 'GARBAGE' | 'ZERO_LENGTH' | 'TOO_LARGE' | 'TRUNCATED';

export type FrameEvent =
  | { kind: 'frame'; value: unknown }
  | { kind: 'error'; code: FrameErrorCode; message: string };

/** Encodes one message. Throws if it would exceed what a browser accepts. */
export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > MAX_OUTBOUND_BYTES) {
    throw new RangeError(`A native-messaging frame may hold at most ${MAX_OUTBOUND_BYTES} bytes (this one has ${body.length}).`);
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}

/**
 * Turns a byte stream into frames, whatever way the stream is chunked. After the first error
 * the reader stops: a length prefix cannot be trusted once the stream is out of step.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);
  private failed = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly maxBytes: number = MAX_INBOUND_BYTES) {}

  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const events: FrameEvent[] = [];
    while (this.buffered.length >= HEADER_BYTES) {
      const length = this.buffered.readUInt32LE(0);
      if (length === 0) return this.fail(events, 'ZERO_LENGTH', 'A frame declared a length of zero.');
      if (length > this.maxBytes) {
        return this.fail(events, 'TOO_LARGE', `A frame declared ${length} bytes; at most ${this.maxBytes} are accepted.`);
      }
      if (this.buffered.length < HEADER_BYTES + length) break;
      const body = this.buffered.subarray(HEADER_BYTES, HEADER_BYTES + length);
      this.buffered = this.buffered.subarray(HEADER_BYTES + length);
      const value = this.decode(body);
      if (value === undefined) return this.fail(events, 'GARBAGE', 'A frame did not hold UTF-8 JSON.');
      events.push({ kind: 'frame', value });
    }
    return events;
  }

  /** Call at end of input: reports a frame cut off in the middle, if any. */
  end(): FrameEvent | null {
    if (this.failed || this.buffered.length === 0) return null;
    this.failed = true;
    return { kind: 'error', code: 'TRUNCATED', message: `The input ended in the middle of a frame (${this.buffered.length} bytes left over).` };
  }

  private decode(body: Buffer): unknown {
    try {
      return JSON.parse(this.decoder.decode(body)) as unknown;
    } catch {
      return undefined;
    }
  }

  private fail(events: FrameEvent[], code: FrameErrorCode, message: string): FrameEvent[] {
    this.failed = true;
    this.buffered = Buffer.alloc(0);
    events.push({ kind: 'error', code, message });
    return events;
  }
}
