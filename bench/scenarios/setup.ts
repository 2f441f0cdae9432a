import { connect as netConnect, createServer } from 'node:net';
import { join } from 'node:path';
import { startHub, type RunningHub } from '../hub.js';
import { BENCH_DIST, childEnv, childPids, INLET_BIN, MCP_PROXY_BIN, sleep, spawnNode, stopChild, type Child } from '../procs.js';
import { startRunner, waitForRunnerTool, type Runner } from '../runner.js';

export type ScenarioKey = 'a' | 'b' | 'b26' | 'b0' | 'c' | 'c26' | 'd' | 'e' | 'e26' | 'f';

/**
 * Every scenario's AI client is a stock SDK client in its own process (bench/ai-client.ts):
 * the v1 client for MCP 2025-11-25, the v2 client with version negotiation for 2026-07-28.
 */
export const SCENARIOS: Record<ScenarioKey, string> = {
  a: '(a) SDK client -> provider over WebSocket',
  b: '(b) 2025 AI client -> hub /mcp -> provider',
  b26: '(b26) 2026 AI client -> hub /mcp -> provider',
  b0: "(b') as (b), audit log off",
  c: '(c) 2025 AI client -> inlet stdio -> hub -> provider',
  c26: '(c26) 2026 AI client -> inlet stdio -> hub -> provider',
  d: '(d) 2025 AI client -> mcp-proxy -> stdio echo',
  e: '(e) 2025 AI client -> SDK server, JSON answers (floor)',
  e26: '(e26) 2026 AI client -> SDK createMcpHandler (floor)',
  f: '(f) SDK client -> stdio echo',
};

const ECHO_PROVIDER = join(BENCH_DIST, 'echo-provider.js');
const ECHO_STDIO = join(BENCH_DIST, 'echo-stdio.js');
const ECHO_HTTP = join(BENCH_DIST, 'echo-http.js');

export interface Setup {
  runner: Runner;
  children: Child[];
  /** The processes on the call path besides the AI client, by role. */
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

/** Starts what scenario `key` needs and its AI client; (b), (b26), (c), (c26) share one hub. */
export async function setup(key: ScenarioKey, hubs: { main: () => Promise<HubSide>; noAudit: () => Promise<HubSide> }): Promise<Setup> {
  const label = `AI client ${key}`;
  switch (key) {
    case 'a': {
      const server = spawnNode([ECHO_PROVIDER, '--listen'], { label: 'echo provider (ws server)' });
      const url = (await server.waitFor(/^listening /)).slice('listening '.length);
      const runner = await startRunner({ label, sdk: 'v1', tool: 'echo', ws: url });
      return { runner, children: [server], pids: { provider: server.proc.pid! } };
    }
    case 'b':
    case 'b26':
    case 'b0': {
      const { hub, provider } = await (key === 'b0' ? hubs.noAudit() : hubs.main());
      const runner = await startRunner({ label, sdk: key === 'b26' ? 'v2' : 'v1', tool: 'echo__echo', http: hub.urls.mcp, token: hub.mint(`ai:bench-${key}`) });
      await waitForRunnerTool(runner, 'echo__echo');
      return { runner, children: [], pids: { hub: hub.pid, provider: provider.proc.pid! } };
    }
    case 'c':
    case 'c26': {
      const { hub, provider } = await hubs.main();
      const runner = await startRunner({ label, sdk: key === 'c26' ? 'v2' : 'v1', tool: 'echo__echo', stdio: [INLET_BIN, 'stdio', '--name', `bench-${key}`], env: { INLET_HOME: hub.home } });
      await waitForRunnerTool(runner, 'echo__echo');
      return { runner, children: [], pids: { 'inlet stdio': runner.serverPid!, hub: hub.pid, provider: provider.proc.pid! } };
    }
    case 'd': {
      const port = await freePort();
      const proxy = spawnNode([MCP_PROXY_BIN, '--host', '127.0.0.1', '--port', String(port), '--', process.execPath, ECHO_STDIO], {
        label: 'mcp-proxy',
      });
      await waitForPort(port, proxy);
      const runner = await startRunner({ label, sdk: 'v1', tool: 'echo', http: `http://127.0.0.1:${port}/mcp` });
      const pids: Record<string, number> = { 'mcp-proxy': proxy.proc.pid! };
      childPids(proxy.proc.pid!).forEach((pid, i) => (pids[i ? `echo stdio ${i + 1}` : 'echo stdio'] = pid));
      return { runner, children: [proxy], pids };
    }
    case 'e':
    case 'e26': {
      const server = spawnNode(key === 'e26' ? [ECHO_HTTP, '--modern'] : [ECHO_HTTP], { label: `SDK HTTP echo server (${key})` });
      const url = (await server.waitFor(/^listening /)).slice('listening '.length);
      const runner = await startRunner({ label, sdk: key === 'e26' ? 'v2' : 'v1', tool: 'echo', http: url });
      return { runner, children: [server], pids: { 'http server': server.proc.pid! } };
    }
    case 'f': {
      const runner = await startRunner({ label, sdk: 'v1', tool: 'echo', stdio: [ECHO_STDIO] });
      return { runner, children: [], pids: { 'echo stdio': runner.serverPid! } };
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
