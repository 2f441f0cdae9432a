import { spawn, type ChildProcess } from 'node:child_process';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { asJsonRpcMessage } from '../core/base/json-rpc.js';

/**
 * A stdio MCP server run as a child process: newline-delimited JSON-RPC on its stdin/stdout,
 * its stderr passed through to ours. Lines that are not JSON-RPC are reported, not forwarded.
 */
export class ChildServer {
  onmessage?: (message: JSONRPCMessage) => void;
  onexit?: (description: string, code: number) => void;
  onnoise?: (line: string) => void;
  private child: ChildProcess | undefined;
  private buffer = '';
  private exited = false;

  constructor(
    readonly command: string,
    readonly args: string[],
  ) {}

  start(): void {
    this.exited = false;
    this.buffer = '';
    const child = spawn(this.command, this.args, { stdio: ['pipe', 'pipe', 'inherit'], shell: process.platform === 'win32' });
    this.child = child;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.receive(chunk));
    child.stdin!.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'command not found' : error.message;
      this.finish(`could not be started (${why})`, 127);
    });
    child.on('exit', (code, signal) => {
      this.finish(signal ? `was killed by ${signal}` : `exited with code ${code}`, code ?? 1);
    });
  }

  send(message: JSONRPCMessage): void {
    if (this.exited || !this.child?.stdin?.writable) return;
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  stop(): void {
    if (this.child && !this.exited) this.child.kill('SIGTERM');
  }

  get running(): boolean {
    return !!this.child && !this.exited;
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (!line) continue;
      let message: JSONRPCMessage | null = null;
      try {
        message = asJsonRpcMessage(JSON.parse(line));
      } catch {
        message = null;
      }
      if (message) this.onmessage?.(message);
      else this.onnoise?.(line);
    }
  }

  private finish(description: string, code: number): void {
    if (this.exited) return;
    this.exited = true;
    this.onexit?.(description, code);
  }
}
