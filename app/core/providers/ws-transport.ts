import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import type { RawData, WebSocket } from 'ws';
import { parseFrame } from '../base/json-rpc.js';
import { CLOSE } from '../../shared/close-codes.js';

/** The close codes live in app/shared (the bridge and the companion extension read them too). */
export { CLOSE };

/**
 * The MCP SDK `Transport` over one accepted (or dialled) `ws` socket: one JSON-RPC message per
 * text frame. A frame that is not JSON, or not JSON-RPC, closes the socket with 1007 and
 * reports why through `onerror`; nothing a peer sends throws out of here.
 */
export class WebSocketTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /**
   * Sees every message before `onmessage`; returning true consumes it. The hub uses it for
   * progress notifications: the SDK dispatches notifications a microtask late but drops a
   * request's progress handler as soon as its response arrives, so the last progress before a
   * result would be lost.
   */
  intercept?: (message: JSONRPCMessage) => boolean;
  /**
   * When set, `close()` (the SDK ending its session) leaves the socket open to the owner and only
   * lets go of it: it stops listening and reports itself closed. The owner then closes the socket
   * with a code and a reason that say why, or hands it to a new transport. The SDK's
   * `Client.connect` calls `close()` the moment a handshake fails, before its caller sees the
   * error: without this the peer would get a bare 1000 and never the 1008 and the reason, and a
   * provider that never answered `server/discover` could not be asked `initialize` on the same
   * socket (see ProviderConnection.start).
   */
  ownerCloses = false;
  private closed = false;
  private listening = false;
  /** Why the socket closed, for messages to users ("closed by the provider", "malformed JSON"). */
  closeReason = '';

  constructor(readonly socket: WebSocket) {}

  private readonly onSocketMessage = (data: RawData, isBinary: boolean) => this.receive(data, isBinary);
  private readonly onSocketClose = (code: number, reason: Buffer) => {
    if (!this.closeReason) this.closeReason = describeClose(code, reason.toString());
    this.finish();
  };
  private readonly onSocketError = (error: Error) => {
    if (!this.closeReason) this.closeReason = error.message;
    this.onerror?.(error);
  };

  async start(): Promise<void> {
    if (this.listening || this.closed) return;
    this.listening = true;
    this.socket.on('message', this.onSocketMessage);
    this.socket.on('close', this.onSocketClose);
    this.socket.on('error', this.onSocketError);
    if (this.socket.readyState >= 2) this.finish();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.socket.readyState !== 1) throw new Error('the connection is closed');
    this.socket.send(JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.ownerCloses) this.release();
    else if (this.socket.readyState < 2) this.socket.close(CLOSE.NORMAL);
    this.finish();
  }

  /** Stops listening to the socket, which stays as it is. */
  private release(): void {
    if (!this.listening) return;
    this.listening = false;
    this.socket.off('message', this.onSocketMessage);
    this.socket.off('close', this.onSocketClose);
    this.socket.off('error', this.onSocketError);
  }

  /** Closes with a code and reason the peer can read, and records the reason locally. */
  closeWith(code: number, reason: string): void {
    if (!this.closeReason) this.closeReason = reason;
    if (this.socket.readyState < 2) this.socket.close(code, fitCloseReason(reason));
  }

  private receive(data: RawData, _isBinary: boolean): void {
    const text = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data).toString('utf8');
    const parsed = parseFrame(text);
    if ('error' in parsed) {
      this.onerror?.(new Error(`closed the connection: the peer sent ${parsed.error}`));
      this.closeWith(CLOSE.INVALID_PAYLOAD, parsed.error);
      return;
    }
    for (const message of parsed.messages) {
      if (this.intercept?.(message)) continue;
      this.onmessage?.(message);
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}

/** RFC 6455 allows a close reason of at most 123 bytes of UTF-8. */
export const MAX_CLOSE_REASON_BYTES = 123;

/** The reason cut to what a close frame carries, on a character boundary, marked "…" when cut. */
export function fitCloseReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let cut = '';
  for (const char of reason) {
    if (Buffer.byteLength(cut + char) > MAX_CLOSE_REASON_BYTES - 3) break;
    cut += char;
  }
  return cut + '…';
}

function describeClose(code: number, reason: string): string {
  if (code === CLOSE.TOO_BIG) return 'a frame exceeded the size limit';
  if (code === 1006) return 'the connection dropped';
  return reason ? `closed (${code}: ${reason})` : `closed (${code})`;
}
