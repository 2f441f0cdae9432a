import { join } from 'node:path';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { httpClient, type BenchClient } from './clients.js';
import { startHub, type HubStartOptions, type RunningHub } from './hub.js';
import { listFloor, resultOf } from './list-floor.js';
import { BENCH_DIST, childEnv, cpuMs, rssKb, sleep, spawnNode, stopChild, type Child } from './procs.js';
import { startRunner } from './runner.js';
import { pool, runLoad, type LoadResult } from './stats.js';

export interface ManyPlan {
  providers: number;
  toolsEach: number;
  processes: number;
  listCalls: number;
}

export interface ManyResults {
  providers: number;
  toolsEach: number;
  processes: number;
  /** From "go" until every provider socket is open. */
  socketsOpenMs: number;
  /** From "go" until the AI client's tools/list shows every tool. */
  connectAllMs: number;
  toolsListed: number;
  /** tools/list through the SDK client (request, SSE, JSON parse, schema validation). */
  toolsList: LoadResult;
  /** The same request as raw HTTP: the hub's share without the SDK client's parsing (2025 session). */
  toolsListRaw: LoadResult;
  /** The same as a 2026-07-28 request (no session). */
  toolsListRaw26: LoadResult;
  /** Another client's calls (4 callers), alone and while a third client loops tools/list. */
  interference: { alone: LoadResult; loaded: LoadResult };
  /** The SDK client against a static server giving the same answer: the client's share. */
  toolsListFloor: LoadResult;
  /** CPU time the hub, and the provider processes, spent from "go" until every tool was listed. */
  hubCpuConnectMs: number;
  providersCpuConnectMs: number;
  listBytes: number;
  rssBeforeKb: number;
  rssAfterConnectKb: number;
  rssAfterListKb: number;
  rssPerProviderBytes: number;
}

/** Posts tools/list on the client's session with fetch and reads the whole answer (JSON or SSE). */
function rawList(url: string, token: string, bench: BenchClient): () => Promise<string> {
  const transport = bench.transport as StreamableHTTPClientTransport;
  const headers = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    'mcp-session-id': transport.sessionId ?? '',
    'mcp-protocol-version': transport.protocolVersion ?? '2025-06-18',
  };
  let id = 1_000_000;
  return async () => {
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/list' }) });
    const text = await response.text();
    if (!response.ok || !text.includes('"tools"')) throw new Error(`tools/list answered ${response.status}`);
    return text;
  };
}

/** tools/list as a 2026-07-28 request by raw HTTP: one POST, the whole answer read. */
function rawList26(url: string, token: string): () => Promise<string> {
  const headers = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    'MCP-Protocol-Version': '2026-07-28',
    'Mcp-Method': 'tools/list',
  };
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'bench-raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
  let id = 1;
  return async () => {
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/list', params: { _meta: meta } }) });
    const text = await response.text();
    if (!response.ok || !text.includes('"tools"')) throw new Error(`tools/list answered ${response.status}`);
    return text;
  };
}

/** Other clients' calls alone, then while a client loops tools/list (each client its own process). */
async function interference(hub: RunningHub, calls: number): Promise<{ alone: LoadResult; loaded: LoadResult }> {
  const runner = await startRunner({ label: 'AI client (calls beside tools/list)', sdk: 'v1', tool: 'p0-0000__tool0', http: hub.urls.mcp, token: hub.mint('ai:bench-caller') });
  try {
    const callers = 4;
    const each = Math.ceil(calls / callers);
    await runner.run(callers, each);
    const alone = pool([await runner.run(callers, each)]);
    const loop = spawnNode([join(BENCH_DIST, 'list-loop.js'), '--url', hub.urls.mcp, '--token', hub.mint('ai:bench-lister')], { label: 'tools/list loop' });
    await loop.waitFor(/^looping$/);
    await sleep(200);
    const loaded = pool([await runner.run(callers, each)]);
    await stopChild(loop.proc);
    return { alone, loaded };
  } finally {
    await runner.close();
  }
}

/**
 * 1,000 providers × 10 tools dialling one hub from `processes` child processes (so the hub's
 * RSS is its own): time to connect them all, tools/list with 10,000 tools, hub RSS.
 */
export async function runManyProviders(plan: ManyPlan, say: (line: string) => void, hubOptions: HubStartOptions = {}): Promise<ManyResults> {
  // The calls timed beside tools/list go to one provider, allowed by a rule (the default policy asks).
  const hub = await startHub('many', { config: { approvals: { rules: [{ provider: 'p0-0000', policy: 'allow' }] } }, ...hubOptions });
  const children: Child[] = [];
  let bench: BenchClient | undefined;
  try {
    const token = hub.mint('ai:bench');
    bench = await httpClient(hub.urls.mcp, token);
    await bench.client.listTools();
    await sleep(1_000);
    const rssBeforeKb = rssKb(hub.pid);
    const each = Math.ceil(plan.providers / plan.processes);
    for (let p = 0; p < plan.processes; p++) {
      const count = Math.min(each, plan.providers - p * each);
      const args = [join(BENCH_DIST, 'echo-provider.js'), '--hub', hub.urls.ws, '--name', `p${p}-`];
      args.push('--count', String(count), '--tools', String(plan.toolsEach), '--parallel', '32', '--wait-go');
      children.push(spawnNode(args, { label: `providers #${p}`, env: childEnv({ INLET_HOME: hub.home }) }));
    }
    await Promise.all(children.map((c) => c.waitFor(/^ready$/)));
    say(`  ${plan.providers} providers x ${plan.toolsEach} tools from ${plan.processes} processes: go`);
    const providerPids = children.map((c) => c.proc.pid!);
    const cpuBefore = { hub: cpuMs(hub.pid), providers: providerPids.reduce((sum, pid) => sum + cpuMs(pid), 0) };
    const started = performance.now();
    for (const c of children) c.proc.stdin?.write('go\n');
    await Promise.all(children.map((c) => c.waitFor(/^connected /, 120_000)));
    const socketsOpenMs = performance.now() - started;
    await Promise.all(children.map((c) => c.waitFor(/^listed /, 120_000)));
    const target = plan.providers * plan.toolsEach;
    let toolsListed = 0;
    const ours = /^p\d+-\d{4}__tool\d+$/; // the hub may list built-in tools too
    for (let i = 0; i < 2_000 && toolsListed < target; i++) {
      toolsListed = (await bench.client.listTools()).tools.filter((t) => ours.test(t.name)).length;
      if (toolsListed < target) await sleep(5);
    }
    const connectAllMs = performance.now() - started;
    const hubCpuConnectMs = cpuMs(hub.pid) - cpuBefore.hub;
    const providersCpuConnectMs = providerPids.reduce((sum, pid) => sum + cpuMs(pid), 0) - cpuBefore.providers;
    if (toolsListed < target) throw new Error(`tools/list shows ${toolsListed} of ${target} tools`);
    say(`  all connected in ${connectAllMs.toFixed(0)} ms (sockets open after ${socketsOpenMs.toFixed(0)} ms)`);
    await sleep(2_000);
    const rssAfterConnectKb = rssKb(hub.pid);

    const list = () => bench!.client.listTools();
    const raw = rawList(hub.urls.mcp, token, bench);
    const answer = await raw();
    const listBytes = Buffer.byteLength(answer);
    const warm = Math.max(3, Math.ceil(plan.listCalls / 10));
    await runLoad(list, 1, warm);
    const toolsList = await runLoad(list, 1, plan.listCalls);
    await runLoad(raw, 1, warm);
    const toolsListRaw = await runLoad(raw, 1, plan.listCalls);
    const raw26 = rawList26(hub.urls.mcp, token);
    await runLoad(raw26, 1, warm);
    const toolsListRaw26 = await runLoad(raw26, 1, plan.listCalls);
    const rssAfterListKb = rssKb(hub.pid);
    const toolsListFloor = await listFloor(resultOf(answer), plan.listCalls);
    say(`  tools/list p50 ${toolsList.p50.toFixed(1)} ms (raw HTTP ${toolsListRaw.p50.toFixed(1)} ms, 2026 ${toolsListRaw26.p50.toFixed(1)} ms, ${listBytes} bytes; static server ${toolsListFloor.p50.toFixed(1)} ms)`);
    const calls = await interference(hub, plan.listCalls * 4);
    say(`  other clients' call p99 ${calls.alone.p99.toFixed(2)} ms alone, ${calls.loaded.p99.toFixed(2)} ms beside a tools/list loop`);
    return {
      providers: plan.providers,
      toolsEach: plan.toolsEach,
      processes: plan.processes,
      socketsOpenMs,
      connectAllMs,
      toolsListed,
      toolsList,
      toolsListRaw,
      toolsListRaw26,
      interference: calls,
      toolsListFloor,
      listBytes,
      hubCpuConnectMs,
      providersCpuConnectMs,
      rssBeforeKb,
      rssAfterConnectKb,
      rssAfterListKb,
      rssPerProviderBytes: ((rssAfterConnectKb - rssBeforeKb) * 1024) / plan.providers,
    };
  } finally {
    await bench?.close();
    await Promise.all(children.map((c) => stopChild(c.proc)));
    await hub.stop();
  }
}
