import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { scriptedProvider, tool, type ProviderScript } from './fixtures/scripted-provider.js';
import { connectAi, names, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';

/** Waits (on the hub's stderr, not a clock) until a line matches; returns that line. */
async function logLine(hub: RunningHub, pattern: RegExp): Promise<string> {
  for (;;) {
    const line = hub.stderr().split('\n').find((l) => pattern.test(l));
    if (line) return line;
    await once(hub.process.stderr!, 'data');
  }
}

/** Calls a tool and returns the text of its result. */
async function callText(ai: AiClient, name: string, args: Record<string, unknown> = {}): Promise<string> {
  return textOf((await ai.callTool({ name, arguments: args })) as CallToolResult);
}

async function provider(hub: RunningHub, name: string, script: ProviderScript) {
  const token = await hub.mint(`provider:${name}`);
  return scriptedProvider(`${hub.urls.ws}?server_name=${name}&token=${encodeURIComponent(token)}`, script);
}

/** A cursor that never ends: every page has one tool and points at the next. */
const endless: ProviderScript['toolsList'] = (_cursor, index) => ({ result: { tools: [tool(`t${index}`)], nextCursor: `page-${index + 1}` } });

describe('a provider past a listing bound is closed with 1008 and a reason it can read', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let bystander: Awaited<ReturnType<typeof dialProvider>>;

  before(async () => {
    hub = await startHub({ config: { reverse_mcp_settings: { list_max_pages: 5, list_max_tools: 20, list_max_bytes: 8192, relist_min_interval_s: 0 } } });
    ai = await connectAi(hub);
    bystander = await dialProvider(`${hub.urls.ws}?server_name=bystander&token=${encodeURIComponent(await hub.mint('provider:bystander'))}`, { tools: ['ok'] });
    await ai.waitForTools((tools) => names(tools).includes('bystander__ok'));
  });
  after(async () => {
    bystander?.socket.close();
    await ai?.close();
    await hub?.stop();
  });

  async function othersCarryOn(): Promise<void> {
    assert.equal(await callText(ai, 'bystander__ok', { text: 'fine' }), 'ok:fine');
  }

  it('a tools/list whose nextCursor never ends stops after list_max_pages pages', async () => {
    const p = await provider(hub, 'pages', { toolsList: endless });
    const { code, reason } = await p.closed;
    assert.equal(code, 1008);
    assert.equal(reason, 'Initialization failed: tools/list did not end within 5 pages (list_max_pages).');
    assert.equal(p.count('tools/list'), 5, 'not one page more');
    assert.match(await logLine(hub, /provider="pages"/), /WARN.*provider failed to start provider="pages" reason="Initialization failed: tools\/list did not end/);
    assert.ok(!names(await ai.waitForTools(() => true)).some((n) => n.startsWith('pages__')), 'no tool of a refused list is shown');
    await othersCarryOn();
  });

  it('pages that together hold more than list_max_tools tools are refused', async () => {
    const p = await provider(hub, 'many', {
      toolsList: (_cursor, index) => ({ result: { tools: Array.from({ length: 8 }, (_, i) => tool(`t${index}_${i}`)), nextCursor: `c${index + 1}` } }),
    });
    assert.deepEqual(await p.closed, { code: 1008, reason: 'Initialization failed: tools/list went past 20 tools (list_max_tools).' });
    assert.equal(p.count('tools/list'), 3);
    await othersCarryOn();
  });

  it('a tool list larger than list_max_bytes is refused', async () => {
    const big = Array.from({ length: 3 }, (_, i) => tool(`t${i}`, { description: 'x'.repeat(4000) }));
    const p = await provider(hub, 'bulky', { toolsList: () => ({ result: { tools: big } }) });
    assert.deepEqual(await p.closed, { code: 1008, reason: 'Initialization failed: tools/list went past 8 KiB (list_max_bytes).' });
    await othersCarryOn();
  });

  it('a re-listing after tools/list_changed has the same bounds, and the provider\'s tools leave', async () => {
    const p = await provider(hub, 'grows', { toolsList: (cursor, index) => (index === 0 ? { result: { tools: [tool('first')] } } : endless(cursor, index)) });
    await ai.waitForTools((tools) => names(tools).includes('grows__first'));
    p.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    assert.deepEqual(await p.closed, { code: 1008, reason: 'The tool list was refused: tools/list did not end within 5 pages (list_max_pages).' });
    assert.equal(p.count('tools/list'), 1 + 5);
    await ai.waitForTools((tools) => !names(tools).includes('grows__first'));
    assert.match(await logLine(hub, /provider closed provider="grows"/), /WARN/);
    await othersCarryOn();
  });

  it('a re-listing answered with an error closes that provider and nothing else', async () => {
    const p = await provider(hub, 'flaky', {
      toolsList: (_cursor, index) => (index === 0 ? { result: { tools: [tool('one')] } } : { error: { code: -32603, message: 'database down' } }),
    });
    await ai.waitForTools((tools) => names(tools).includes('flaky__one'));
    p.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    assert.deepEqual(await p.closed, {
      code: 1008,
      reason: 'The tool list was refused: the provider answered tools/list with error -32603 (database down).',
    });
    await othersCarryOn();
  });
});

describe('a provider whose start-up fails is told why (1008) and the hub says which one', () => {
  let hub: RunningHub;
  let ai: AiClient;

  before(async () => {
    hub = await startHub();
    ai = await connectAi(hub);
  });
  after(async () => {
    await ai?.close();
    await hub?.stop();
  });

  it('initialize answered with a JSON-RPC error', async () => {
    const p = await provider(hub, 'refuses', { initialize: { error: { code: -32603, message: 'not today' } } });
    assert.deepEqual(await p.closed, { code: 1008, reason: 'Initialization failed: the provider answered initialize with error -32603 (not today).' });
    assert.match(await logLine(hub, /provider="refuses"/), /WARN.*provider failed to start provider="refuses" reason="Initialization failed: the provider answered initialize/);
  });

  it('an initialize result that is not valid', async () => {
    const p = await provider(hub, 'noinfo', { initialize: { result: { protocolVersion: '2025-06-18', capabilities: {} } } });
    const { code, reason } = await p.closed;
    assert.equal(code, 1008);
    assert.match(reason, /^Initialization failed: the initialize result is not valid \(serverInfo: expected object, received undefined\)\.$/);
  });

  it('a protocol version the hub does not speak', async () => {
    const p = await provider(hub, 'future', { initialize: { result: { protocolVersion: '1999-01-01', capabilities: {}, serverInfo: { name: 'x', version: '1' } } } });
    assert.deepEqual(await p.closed, { code: 1008, reason: "Initialization failed: server's protocol version is not supported: 1999-01-01." });
  });

  it('a tools/list result without a tools array', async () => {
    const p = await provider(hub, 'notools', { toolsList: () => ({ result: { items: [] } }) });
    assert.deepEqual(await p.closed, { code: 1008, reason: 'Initialization failed: the tools/list result has no "tools" array.' });
    assert.match(await logLine(hub, /provider="notools"/), /WARN.*provider failed to start/);
  });

  it('a long reason in any script is cut to the 123 bytes a close frame carries', async () => {
    const p = await provider(hub, 'wordy', { initialize: { error: { code: -32000, message: 'ü'.repeat(300) } } });
    const { code, reason } = await p.closed;
    assert.equal(code, 1008);
    assert.ok(Buffer.byteLength(reason) <= 123, `${Buffer.byteLength(reason)} bytes`);
    assert.match(reason, /^Initialization failed: the provider answered initialize with error -32000 \(ü+…$/);
  });

  it('tools without a usable name are left out with a warning; the provider\'s other tools stay', async () => {
    const p = await provider(hub, 'mixed', {
      toolsList: () => ({
        result: {
          tools: [tool('good'), tool(''), { description: 'nameless', inputSchema: { type: 'object' } }, tool('   '), tool('typed', { inputSchema: { type: 'string' } }), 'junk', tool('also_good')],
        },
      }),
    });
    const tools = await ai.waitForTools((list) => names(list).some((n) => n.startsWith('mixed__')));
    assert.deepEqual(names(tools).filter((n) => n.startsWith('mixed__')), ['mixed__also_good', 'mixed__good']);
    await logLine(hub, /tool left out provider="mixed" problem=".*tools\[5\]/);
    for (const problem of [
      'tools/list result: tools[1] has an empty name',
      'tools/list result: tools[2] has no name',
      'tools/list result: tools[3] has an empty name',
      'tools/list result: tools[4] (\\"typed\\") is not a valid tool: inputSchema.type: expected \\"object\\"',
      'tools/list result: tools[5] is not an object',
    ]) {
      assert.ok(hub.stderr().includes(`WARN  [hub:providers] tool left out provider="mixed" problem="${problem}"`), problem);
    }
    assert.equal(p.socket.readyState, p.socket.OPEN, 'bad tools are no reason to close');
    assert.equal(await callText(ai, 'mixed__good'), 'called good');
    p.socket.close();
  });
});

describe('start-up is bounded in time', () => {
  let hub: RunningHub;

  before(async () => {
    hub = await startHub({ config: { reverse_mcp_settings: { startup_timeout_s: 0.3 } } });
  });
  after(async () => {
    await hub?.stop();
  });

  it('a provider that never answers initialize is closed after startup_timeout_s', async () => {
    const p = await provider(hub, 'silent', { initialize: 'silent' });
    assert.deepEqual(await p.closed, { code: 1008, reason: 'Initialization failed: no answer to initialize within 0.3 s (startup_timeout_s).' });
    assert.match(await logLine(hub, /provider="silent"/), /WARN.*provider failed to start/);
  });
});

describe('start-up is bounded in time, the tool list included', () => {
  let hub: RunningHub;

  // Long enough that initialize is answered in time on a loaded machine: the bound must fall on
  // the tool list, which never ends.
  before(async () => {
    hub = await startHub({ config: { reverse_mcp_settings: { startup_timeout_s: 4 } } });
  });
  after(async () => {
    await hub?.stop();
  });

  it('a provider that never finishes its tool list is closed after startup_timeout_s', async () => {
    const p = await provider(hub, 'stalls', { toolsList: () => 'silent' });
    assert.deepEqual(await p.closed, { code: 1008, reason: 'Initialization failed: initialize and tools/list took longer than 4 s (startup_timeout_s).' });
  });
});

describe('a 2026 provider\'s start-up is bounded too', () => {
  let hub: RunningHub;

  before(async () => {
    hub = await startHub({ config: { reverse_mcp_settings: { startup_timeout_s: 3 } } });
  });
  after(async () => {
    await hub?.stop();
  });

  it('a provider that announces list changes but never acknowledges subscriptions/listen is closed after startup_timeout_s', async () => {
    const discover = { resultType: 'complete', supportedVersions: ['2026-07-28'], capabilities: { tools: { listChanged: true } } };
    const p = await provider(hub, 'unacked', { replies: { 'server/discover': { result: discover }, 'subscriptions/listen': 'silent' } });
    assert.deepEqual(await p.closed, { code: 1008, reason: 'Initialization failed: no acknowledgement of subscriptions/listen within 3 s (startup_timeout_s).' });
    assert.deepEqual(p.methods, ['server/discover', 'subscriptions/listen'], 'no initialize for a 2026 provider');
  });
});

describe('tools/list_changed is coalesced', () => {
  let hub: RunningHub;
  let ai: AiClient;

  before(async () => {
    hub = await startHub({ config: { reverse_mcp_settings: { relist_min_interval_s: 3600 } } });
    ai = await connectAi(hub);
  });
  after(async () => {
    await ai?.close();
    await hub?.stop();
  });

  it('a provider that answers every tools/list with a burst of list_changed is re-listed at most once per relist_min_interval_s after the first change', async () => {
    const p = await provider(hub, 'chatty', {
      afterList: (_index, send) => {
        for (let i = 0; i < 100; i++) send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
      },
    });
    await ai.waitForTools((tools) => names(tools).includes('chatty__ok'));
    // The notifications reached the hub before this call did (one socket, in order).
    p.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    assert.equal(await callText(ai, 'chatty__ok'), 'called ok');
    // The first change is listed at once; every later burst waits for the interval.
    assert.deepEqual(p.methods.slice(0, p.methods.indexOf('tools/call')), ['server/discover', 'initialize', 'tools/list', 'tools/list']);
    assert.equal(p.count('tools/list'), 2);
    assert.equal(p.socket.readyState, p.socket.OPEN, 'coalescing is not a reason to close');
    p.socket.close();
  });
});
