import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FAIL_ERROR, rawProvider, type RawProvider } from './fixtures/raw-provider.js';
import { dialV1Provider } from './fixtures/v1-provider.js';
import { dialV2Provider, type DialledProvider } from './fixtures/v2-provider.js';
import {
  CLI,
  childEnv,
  connectAi,
  EVERYTHING,
  FIXTURES,
  hubStatus,
  names,
  startBridge,
  startHub,
  textOf,
  type AiClient,
  type BridgeProcess,
  type RunningHub,
} from './helpers/hub-process.js';

const MODERN = '2026-07-28';

/** Resolves once the bridge's output (its stderr carries the server's) matches. */
async function outputMatches(bridge: BridgeProcess, pattern: RegExp): Promise<void> {
  while (!pattern.test(bridge.output())) await once(bridge.process.stderr!, 'data');
}

describe('providers of either MCP revision are called alike', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let v2: DialledProvider;
  let v1: DialledProvider;
  let silent: DialledProvider & { ignored: string[] };
  let raw: RawProvider;
  let everything: BridgeProcess;
  let modern: BridgeProcess;
  const url = async (name: string) => `${hub.urls.ws}?server_name=${name}&token=${encodeURIComponent(await hub.mint(`provider:${name}`))}`;

  before(async () => {
    // 9 s for start-up gives the probe 3 s: the provider that ignores server/discover waits that long.
    hub = await startHub({ config: { reverse_mcp_settings: { startup_timeout_s: 9, relist_min_interval_s: 0 } } });
    ai = await connectAi(hub);
    [v2, v1, silent, raw] = await Promise.all([
      dialV2Provider(await url('v2')),
      dialV1Provider(await url('v1')),
      dialV1Provider(await url('silent'), { kind: 'silent', ignoreBeforeInitialize: true }),
      rawProvider(await url('raw')),
    ]);
    everything = startBridge(hub, 'everything', [process.execPath, EVERYTHING]);
    modern = startBridge(hub, 'modern', [process.execPath, join(FIXTURES, 'modern-stdio-server.js')]);
    const expected = ['v2__echo', 'v1__echo', 'silent__echo', 'raw__exec_cmd', 'everything__echo', 'modern__echo'];
    await ai.waitForTools((tools) => expected.every((name) => names(tools).includes(name)));
  });

  after(async () => {
    await ai?.close();
    for (const provider of [v2, v1, silent]) await provider?.close();
    raw?.socket.close();
    everything?.process.kill();
    modern?.process.kill();
    await hub?.stop();
  });

  it('each provider answers through /mcp, whatever revision it speaks', async () => {
    const call = async (name: string, args: Record<string, unknown>) => textOf((await ai.callTool({ name, arguments: args })) as CallToolResult);
    assert.equal(await call('v2__echo', { text: 'hi' }), 'v2:hi');
    assert.equal(await call('v1__echo', { text: 'hi' }), 'v1:hi');
    assert.equal(await call('silent__echo', { text: 'hi' }), 'silent:hi');
    assert.equal(await call('modern__echo', { text: 'hi' }), 'modern:hi');
    assert.equal(await call('raw__exec_cmd', { command: 'ls' }), 'ran: ls');
    assert.equal(await call('everything__echo', { message: 'hi' }), 'Echo: hi');
  });

  it('a provider\'s JSON-RPC error reaches the AI client with its code, message and data', async () => {
    await assert.rejects(ai.callTool({ name: 'raw__fail', arguments: {} }), (error: { code?: number; message?: string; data?: unknown }) => {
      assert.equal(error.code, FAIL_ERROR.code);
      assert.match(error.message ?? '', /the provider refused: custom failure/);
      assert.deepEqual(error.data, FAIL_ERROR.data);
      return true;
    });
  });

  it('/api/status and `inlet status` say which revision the hub speaks with each provider', async () => {
    const protocols = Object.fromEntries((await hubStatus(hub)).providers.map((p) => [p.name, p.protocol]));
    assert.deepEqual(protocols, {
      everything: '2025-11-25',
      modern: MODERN,
      raw: '2025-06-18',
      silent: '2025-11-25',
      v1: '2025-11-25',
      v2: MODERN,
    });
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'status'], { env: childEnv(hub.dataDir) });
    for (const [name, protocol] of Object.entries(protocols)) {
      assert.match(stdout, new RegExp(`^  ${name}  \\[ready\\]  socket  MCP ${protocol}  \\d+ tools?, \\d+ resources?.*, \\d+ prompts?  since`, 'm'));
    }
  });

  it('a provider that never answers server/discover is asked initialize on the same socket', () => {
    assert.deepEqual(silent.ignored, ['server/discover']);
    const methods = raw.received.map((m) => m.method);
    assert.deepEqual(methods.slice(0, 4), ['server/discover', 'initialize', 'notifications/initialized', 'tools/list'], 'mcp-go answers -32601, then initialize');
  });

  it('progress of a call reaches the AI client from each kind of provider', async () => {
    for (const name of ['v2__count', 'v1__count', 'silent__count', 'raw__count', 'modern__count']) {
      const progress: number[] = [];
      const result = await ai.callTool({ name, arguments: { steps: 5 } }, CallToolResultSchema, { onprogress: (p) => progress.push(p.progress) });
      assert.equal(textOf(result as CallToolResult), 'counted 5', name);
      assert.deepEqual(progress, [1, 2, 3, 4, 5], `${name}: every progress, the last one too`);
    }
    const progress: number[] = [];
    await ai.callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, CallToolResultSchema, {
      onprogress: (p) => progress.push(p.progress),
    });
    assert.deepEqual(progress, [1, 2, 3]);
  });

  it('the AI client\'s cancellation reaches each kind of provider', async () => {
    const cancel = async (name: string, cancelled: Promise<unknown>) => {
      const controller = new AbortController();
      const call = ai.callTool({ name, arguments: {} }, CallToolResultSchema, {
        signal: controller.signal,
        onprogress: () => controller.abort('the user pressed stop'),
      });
      await assert.rejects(call);
      await cancelled;
    };
    await cancel('v2__wait', v2.nextCancel());
    await cancel('v1__wait', v1.nextCancel());
    await cancel('silent__wait', silent.nextCancel());
    await cancel('raw__wait', raw.next('notifications/cancelled'));
    await cancel('modern__wait', outputMatches(modern, /CANCELLED/));
  });

  it('a provider that changes its tool list is re-listed on both revisions (2026 through a bridge too)', async () => {
    for (const name of ['v2', 'v1', 'modern']) {
      await ai.callTool({ name: `${name}__flip`, arguments: {} });
      await ai.waitForTools((tools) => names(tools).includes(`${name}__extra`));
      assert.equal(textOf((await ai.callTool({ name: `${name}__extra`, arguments: {} })) as CallToolResult), `${name}:extra`);
      await ai.callTool({ name: `${name}__flip`, arguments: {} });
      await ai.waitForTools((tools) => !names(tools).includes(`${name}__extra`));
    }
  });

  it('a provider name that spoke 2025 is asked initialize at once when it reconnects', async () => {
    await silent.close();
    await ai.waitForTools((tools) => !names(tools).includes('silent__echo'));
    silent = await dialV1Provider(await url('silent'), { kind: 'silent', ignoreBeforeInitialize: true });
    await ai.waitForTools((tools) => names(tools).includes('silent__echo'));
    assert.deepEqual(silent.ignored, [], 'no server/discover this time');
    assert.equal(textOf((await ai.callTool({ name: 'silent__echo', arguments: { text: 'back' } })) as CallToolResult), 'silent:back');
  });
});
