import type { JSONRPCMessage } from '@modelcontextprotocol/client';

/**
 * MCP's stdio framing (one JSON-RPC message per line) on this process's stdin and stdout, for
 * `inlet stdio`. It only frames: the relay passes messages on unchanged and the hub checks them,
 * so a line is parsed, not validated, and the SDK's server bundle is not loaded at all (start-up
 * time an AI client waits for, and CPU on every message).
 */
/** A line longer than this (no newline in sight) is dropped with an error rather than buffered forever. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export class StdioLines {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private buffered = '';
  private closed = false;
  /** After an oversized line: the rest of it, up to its newline, is thrown away too. */
  private skipping = false;

  start(): void {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => this.receive(chunk));
    process.stdin.once('end', () => this.close());
    process.stdin.once('error', (error) => this.onerror?.(error));
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(JSON.stringify(message) + '\n', (error) => (error ? reject(error) : resolve())));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    if (this.buffered.indexOf('\n') < 0 && this.buffered.length > MAX_LINE_BYTES) {
      this.onerror?.(new Error(`a line of more than ${MAX_LINE_BYTES / 1024 / 1024} MiB without a newline: dropped`));
      this.buffered = '';
      this.skipping = true;
      return;
    }
    if (this.skipping) {
      const end = this.buffered.indexOf('\n');
      if (end < 0) return void (this.buffered = '');
      this.buffered = this.buffered.slice(end + 1);
      this.skipping = false;
    }
    let end: number;
    while ((end = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, end).replace(/\r$/, '');
      this.buffered = this.buffered.slice(end + 1);
      if (line.trim() === '') continue;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        this.onerror?.(new Error(`not JSON: ${line.slice(0, 80)}`));
        continue;
      }
      if (!message || typeof message !== 'object' || (message as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
        this.onerror?.(new Error(`not a JSON-RPC 2.0 message: ${line.slice(0, 80)}`));
        continue;
      }
      this.onmessage?.(message as JSONRPCMessage);
    }
  }
}
