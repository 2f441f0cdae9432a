import { closeSync, openSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import WebSocket from 'ws';
import { WebSocketTransport } from '../app/core/providers/ws-transport.js';
import { childEnv, logDir, trackPid } from './procs.js';

/** The AI client of every scenario: the real SDK Client over one of three transports. */
export interface BenchClient {
  client: Client;
  transport: Transport;
  close(): Promise<void>;
}

async function connect(transport: Transport): Promise<BenchClient> {
  const client = new Client({ name: 'inlet-bench', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport, { timeout: 30_000 });
  return { client, transport, close: () => client.close().catch(() => undefined) };
}

/**
 * The transport hands one AbortSignal to every fetch; undici hangs a listener on it per request
 * and drops it only when the request is garbage-collected, so past 1,500 calls every call prints
 * a MaxListenersExceededWarning (and pays for it). POSTs end by themselves: they go without it.
 */
const postWithoutSignal: typeof fetch = (input, init) => fetch(input, init?.method === 'POST' ? { ...init, signal: null } : init);

/** Streamable HTTP, as Claude Code or Cursor connect to /mcp. */
export function httpClient(url: string, token?: string): Promise<BenchClient> {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: postWithoutSignal }));
}

/** The SDK client over a `ws` client socket (the hub's own WebSocketTransport). */
export async function wsClient(url: string): Promise<BenchClient> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const transport = new WebSocketTransport(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return connect(transport);
}

/** A stdio server spawned by the SDK client (as Claude Desktop runs `inlet stdio`). */
export async function stdioClient(args: string[], env: Record<string, string> = {}): Promise<BenchClient> {
  const stderr = openSync(join(logDir(), `stdio-${basename(args[0] ?? 'server')}-${Date.now()}.log`), 'a');
  const transport = new StdioClientTransport({ command: process.execPath, args, env: childEnv(env), stderr });
  try {
    const bench = await connect(transport);
    trackPid(transport.pid);
    return bench;
  } finally {
    closeSync(stderr);
  }
}

/** One echo call through `tool` (an exposed name like echo__echo, or plain echo). */
export function echoCall(bench: BenchClient, tool: string): () => Promise<unknown> {
  const args = { message: 'hello from the bench' };
  return async () => {
    const result = await bench.client.callTool({ name: tool, arguments: args }, undefined, { timeout: 15_000 });
    if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
    return result;
  };
}
