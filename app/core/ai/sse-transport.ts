import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { AuthInfo, JSONRPCMessage, Transport } from '@modelcontextprotocol/server';

/**
 * A comment line every this often keeps a quiet stream open: proxies and idle timers, and
 * MCP-Link's Python clients, which give up on a stream silent for 30 s (docs/mcp-link.md).
 */
export const KEEP_ALIVE_MS = 15_000;

/** MCP-Link's Go clients read the stream with bufio.Scanner, which gives up on a longer line (its newline counted). */
const GO_LINE_LIMIT = 64 * 1024;

/**
 * A message's JSON with every non-ASCII character written as a `\uXXXX` escape: MCP-Link's
 * reverse_mcp.js decodes each chunk of the stream on its own, so a character split between two
 * reads would reach it garbled (docs/mcp-link.md). Plain UTF-8 only where the escapes would make a
 * line the Go clients can read too long for them.
 */
function dataLine(message: object): string {
  const json = JSON.stringify(message);
  const ascii = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const fits = (text: string) => Buffer.byteLength(`data: ${text}\n`) <= GO_LINE_LIMIT;
  return fits(ascii) || !fits(json) ? ascii : json;
}

/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05), owned by the hub because the SDK's v2 server
 * has none. The GET `/sse` response carries everything the server sends; the client POSTs its
 * messages to the endpoint announced first (`/messages/?session_id=…`, relative, as MCP-Link
 * clients expect), and each POST is answered 202. One `data:` line holds one whole JSON message.
 */
export class SseServerTransport implements Transport {
  /** 32 hex characters, the form MCP-Link clients know. */
  readonly sessionId = randomBytes(16).toString('hex');
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  /** Lets the owner amend an outgoing message (the `/sse` surface adds `remote` to tools/list). */
  beforeSend?: (message: JSONRPCMessage) => JSONRPCMessage;
  private keepAlive: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly endpointPath: string,
    private readonly authInfo: AuthInfo,
    private readonly keepAliveMs = KEEP_ALIVE_MS,
  ) {}

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Who the session's later messages come from (an add-in's name is learned when it registers). */
  setCaller(clientId: string): void {
    this.authInfo.clientId = clientId;
  }

  async start(): Promise<void> {
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.res.write(`event: endpoint\ndata: ${this.endpointPath}?session_id=${this.sessionId}\n\n`);
    this.keepAlive = setInterval(() => this.res.write(': keepalive\n\n'), this.keepAliveMs);
    this.keepAlive.unref();
    this.res.on('close', () => this.finish());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('the SSE stream is closed');
    this.write(this.beforeSend ? this.beforeSend(message) : message);
  }

  /**
   * Writes any JSON object as one `data:` line, including what is not JSON-RPC (MCP-Link's
   * `reverse` push). JSON.stringify never emits a raw newline, so one line holds one message.
   */
  write(message: object): boolean {
    if (this.closed) return false;
    this.res.write(`event: message\ndata: ${dataLine(message)}\n\n`);
    return true;
  }

  /** A message POSTed to this session's endpoint. */
  receive(message: JSONRPCMessage): void {
    this.onmessage?.(message, { authInfo: this.authInfo });
  }

  async close(): Promise<void> {
    this.res.end();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    this.onclose?.();
  }
}
