import { connect as netConnect, createServer } from 'node:net';
import { join } from 'node:path';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { httpClient, stdioClient, wsClient, type BenchClient } from '../clients.js';
import { startHub, type RunningHub } from '../hub.js';
import { BENCH_DIST, childEnv, childPids, INLET_BIN, MCP_PROXY_BIN, sleep, spawnNode, stopChild, type Child } from '../procs.js';

export type ScenarioKey = 'a' | 'b' | 'b0' | 'c' | 'd' | 'e' | 'f';

export const SCENARIOS: Record<ScenarioKey, string> = {
  a: '(a) SDK client -> provider over WebSocket',
  b: '(b) AI client -> hub /mcp -> provider',
  b0: "(b') as (b), audit log off",
  c: '(c) AI client -> inlet stdio -> hub -> provider',
  d: '(d) AI client -> mcp-proxy -> stdio echo',
  e: '(e) AI client -> SDK Streamable HTTP server',
  f: '(f) SDK client -> stdio echo',
};

const ECHO_PROVIDER = join(BENCH_DIST, 'echo-provider.js');
const ECHO_STDIO = join(BENCH_DIST, 'echo-stdio.js');
const ECHO_HTTP = join(BENCH_DIST, 'echo-http.js');

export interface Setup {
  client: BenchClient;
  tool: string;
  children: Child[];
  /** The processes on the call path besides this one, by role. */
  pids: Record<string, number>;
}

export interface HubSide {
  hub: RunningHub;
  provider: Child;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForPort(port: number, child: Child, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = netConnect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (child.proc.exitCode !== null || Date.now() > deadline) throw new Error(`port ${port} never opened\n  ${child.tail()}`);
    await sleep(50);
  }
}

/** Waits until the AI client sees `tool` (the hub lists a provider once it answered tools/list). */
export async function waitForTool(bench: BenchClient, tool: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await bench.client.listTools()).tools.some((t) => t.name === tool)) {
    if (Date.now() > deadline) throw new Error(`${tool} did not appear in tools/list within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Starts what scenario `key` needs and connects its client; (b) and (c) share one hub. */
export async function setup(key: ScenarioKey, hubs: { main: () => Promise<HubSide>; noAudit: () => Promise<HubSide> }): Promise<Setup> {
  switch (key) {
    case 'a': {
      const server = spawnNode([ECHO_PROVIDER, '--listen'], { label: 'echo provider (ws server)' });
      const url = (await server.waitFor(/^listening /)).slice('listening '.length);
      return { client: await wsClient(url), tool: 'echo', children: [server], pids: { provider: server.proc.pid! } };
    }
    case 'b':
    case 'b0': {
      const { hub, provider } = await (key === 'b' ? hubs.main() : hubs.noAudit());
      const client = await httpClient(hub.urls.mcp, hub.mint('ai:bench'));
      await waitForTool(client, 'echo__echo');
      return { client, tool: 'echo__echo', children: [], pids: { hub: hub.pid, provider: provider.proc.pid! } };
    }
    case 'c': {
      const { hub, provider } = await hubs.main();
      const client = await stdioClient([INLET_BIN, 'stdio'], { INLET_HOME: hub.home });
      await waitForTool(client, 'echo__echo');
      const stdio = (client.transport as StdioClientTransport).pid!;
      return { client, tool: 'echo__echo', children: [], pids: { 'inlet stdio': stdio, hub: hub.pid, provider: provider.proc.pid! } };
    }
    case 'd': {
      const port = await freePort();
      const proxy = spawnNode([MCP_PROXY_BIN, '--host', '127.0.0.1', '--port', String(port), '--', process.execPath, ECHO_STDIO], {
        label: 'mcp-proxy',
      });
      await waitForPort(port, proxy);
      const client = await httpClient(`http://127.0.0.1:${port}/mcp`);
      const pids: Record<string, number> = { 'mcp-proxy': proxy.proc.pid! };
      childPids(proxy.proc.pid!).forEach((pid, i) => (pids[i ? `echo stdio ${i + 1}` : 'echo stdio'] = pid));
      return { client, tool: 'echo', children: [proxy], pids };
    }
    case 'e': {
      const server = spawnNode([ECHO_HTTP], { label: 'SDK HTTP echo server' });
      const url = (await server.waitFor(/^listening /)).slice('listening '.length);
      return { client: await httpClient(url), tool: 'echo', children: [server], pids: { 'http server': server.proc.pid! } };
    }
    case 'f': {
      const client = await stdioClient([ECHO_STDIO]);
      return { client, tool: 'echo', children: [], pids: { 'echo stdio': (client.transport as StdioClientTransport).pid! } };
    }
  }
}

/**
 * One hub (`inlet serve` in its own process) with one echo provider process dialled in. The
 * config allows the echo provider's calls (the default approval policy is "ask").
 */
export function sharedHub(audit: boolean, nodeArgs: string[] = []): { get: () => Promise<HubSide>; stop: () => Promise<void> } {
  let running: Promise<HubSide> | undefined;
  const config = { approvals: { rules: [{ provider: 'echo', policy: 'allow' }] }, audit: { enabled: audit } };
  const start = async (): Promise<HubSide> => {
    const hub = await startHub(audit ? 'latency' : 'latency-noaudit', { config, nodeArgs });
    const provider = spawnNode([ECHO_PROVIDER, '--hub', hub.urls.ws, '--name', 'echo'], {
      label: 'echo provider (dialling the hub)',
      env: childEnv({ INLET_HOME: hub.home }),
    });
    await provider.waitFor(/^connected /);
    return { hub, provider };
  };
  return {
    get: () => (running ??= start()),
    stop: async () => {
      const side = await running?.catch(() => undefined);
      if (!side) return;
      await stopChild(side.provider.proc);
      await side.hub.stop();
    },
  };
}
