import { createInterface } from 'node:readline';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as V1HttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import WebSocket from 'ws';
import { WebSocketTransport } from '../app/core/providers/ws-transport.js';
import { flag } from './echo-server.js';
import { runRaw } from './stats.js';

/**
 * A stock SDK client in its own process, as an AI client runs: the bench drives it over
 * stdin/stdout (one JSON object a line) and reads its latencies, and counts its CPU apart from
 * the processes it talks to.
 *   --sdk v1       the v1 client (MCP 2025-11-25; a session)
 *   --sdk v2       the v2 client with version negotiation on (MCP 2026-07-28; no session)
 *   --http URL [--token T] | --stdio "node args…" (spawns the server) | --ws URL
 *   --tool NAME    what `run` calls, with {"message": "hello from the bench"}
 * Commands: {"op":"run","callers":C,"each":N} -> {"samples":[ms…],"wallMs":W}
 *           {"op":"tools"} -> {"tools":[names…]}
 * On start it prints {"ready":true,"protocol":…,"serverPid":…} (serverPid: the stdio child).
 */
interface BenchClient {
  call(args: Record<string, unknown>): Promise<{ isError?: unknown; content?: unknown }>;
  tools(): Promise<string[]>;
  protocol: string | undefined;
  serverPid?: number | null;
  close(): Promise<void>;
}

const argv = process.argv.slice(2);
const sdk = flag(argv, 'sdk') ?? 'v1';
const tool = flag(argv, 'tool') ?? 'echo';
const token = flag(argv, 'token');
const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
const ARGS = { message: 'hello from the bench' };

async function connectV1(): Promise<BenchClient> {
  const client = new V1Client({ name: 'inlet-bench-v1', version: '1.0.0' }, { capabilities: {} });
  let serverPid: number | null | undefined;
  let protocol: () => string | undefined = () => '2025-11-25';
  if (flag(argv, 'http')) {
    const transport = new V1HttpTransport(new URL(flag(argv, 'http')!), { requestInit: { headers } });
    await client.connect(transport, { timeout: 30_000 });
    protocol = () => transport.protocolVersion;
  } else if (flag(argv, 'stdio')) {
    const [command, ...args] = flag(argv, 'stdio')!.split(' ');
    const transport = new V1StdioClientTransport({ command: command!, args, env: process.env as Record<string, string>, stderr: 'ignore' });
    await client.connect(transport, { timeout: 30_000 });
    serverPid = transport.pid;
  } else {
    const socket = new WebSocket(flag(argv, 'ws')!, { perMessageDeflate: false });
    const transport = new WebSocketTransport(socket);
    await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
    await client.connect(transport, { timeout: 30_000 });
  }
  return {
    call: async (args) => (await client.callTool({ name: tool, arguments: args }, undefined, { timeout: 15_000 })) as { isError?: unknown; content?: unknown },
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    protocol: protocol(),
    serverPid,
    close: () => client.close(),
  };
}

async function connectV2(): Promise<BenchClient> {
  const client = new Client({ name: 'inlet-bench-v2', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  let serverPid: number | null | undefined;
  if (flag(argv, 'http')) {
    await client.connect(new StreamableHTTPClientTransport(new URL(flag(argv, 'http')!), { requestInit: { headers } }));
  } else {
    const [command, ...args] = flag(argv, 'stdio')!.split(' ');
    const transport = new StdioClientTransport({ command: command!, args, env: process.env as Record<string, string>, stderr: 'ignore' });
    await client.connect(transport);
    serverPid = transport.pid;
  }
  return {
    call: (args) => client.callTool({ name: tool, arguments: args }, { timeout: 15_000 }),
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    protocol: client.getNegotiatedProtocolVersion(),
    serverPid,
    close: () => client.close(),
  };
}

const client = sdk === 'v2' ? await connectV2() : await connectV1();
const write = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n');
const call = async () => {
  const result = await client.call(ARGS);
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
};
write({ ready: true, protocol: client.protocol, serverPid: client.serverPid ?? null });

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = JSON.parse(line) as { op: string; callers?: number; each?: number };
  try {
    if (command.op === 'run') write(await runRaw(call, command.callers ?? 1, command.each ?? 1));
    else if (command.op === 'tools') write({ tools: await client.tools() });
    else write({ error: `unknown op ${command.op}` });
  } catch (error) {
    write({ error: String(error instanceof Error ? error.message : error) });
  }
}
await client.close().catch(() => undefined);
process.exit(0);
