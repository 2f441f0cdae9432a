import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { exposedToolName, VALID_EXPOSED_NAME } from '../app/core/catalog/names.js';
import { FAILURE_LIMIT } from '../app/core/security/failure-throttle.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, names, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';

const MAX_FRAME = 64 * 1024;

describe('bad input closes one socket and nothing else', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let bystander: Awaited<ReturnType<typeof dialProvider>>;

  before(async () => {
    hub = await startHub({ config: { reverse_mcp_settings: { max_frame_bytes: MAX_FRAME } } });
    ai = await connectAi(hub);
    const token = await hub.mint('provider:bystander');
    bystander = await dialProvider(`${hub.urls.ws}?server_name=bystander&token=${encodeURIComponent(token)}`, { tools: ['ok'] });
    await ai.waitForTools((tools) => names(tools).includes('bystander__ok'));
  });
  after(async () => {
    bystander?.socket.close();
    await ai?.close();
    await hub?.stop();
  });

  async function misbehave(name: string, payload: string | Buffer): Promise<number> {
    const token = await hub.mint(`provider:${name}`);
    const socket = new WebSocket(`${hub.urls.ws}?server_name=${name}&token=${encodeURIComponent(token)}`);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.once('open', () => socket.send(payload));
    socket.on('error', () => undefined);
    return closed;
  }

  async function othersCarryOn(): Promise<void> {
    const result = await ai.callTool({ name: 'bystander__ok', arguments: { text: 'fine' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'ok:fine' }]);
    assert.equal((await fetch(hub.urls.healthz)).status, 200);
  }

  it('malformed JSON closes that socket with 1007', async () => {
    assert.equal(await misbehave('garbage', '{"jsonrpc": "2.0", "id": 1, "result": {'), 1007);
    await othersCarryOn();
  });

  it('a frame that is JSON but not JSON-RPC closes that socket with 1007', async () => {
    assert.equal(await misbehave('notrpc', JSON.stringify({ hello: 'world' })), 1007);
    assert.equal(await misbehave('batch', JSON.stringify([{ jsonrpc: '2.0', method: 'x' }])), 1007);
    await othersCarryOn();
  });

  it('an oversized frame closes that socket with 1009', async () => {
    assert.equal(await misbehave('huge', Buffer.alloc(MAX_FRAME + 1, 'a').toString()), 1009);
    await othersCarryOn();
  });

  it('a flood of failed logins gets 401s, then 429s, and leaves the hub serving', async () => {
    const attempts = Array.from({ length: 100 }, () =>
      new Promise<number>((resolve) => {
        const s = new WebSocket(`${hub.urls.ws}?server_name=bystander&token=wrong`);
        s.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        s.once('error', () => undefined);
      }),
    );
    const statuses = await Promise.all(attempts);
    assert.deepEqual([...new Set(statuses)].sort(), [401, 429]);
    assert.equal(statuses.filter((status) => status === 401).length, FAILURE_LIMIT, 'the throttle starts after the limit');
    await othersCarryOn();
  });

  it('long and odd tool names come out valid, distinct and stable across reconnects', async () => {
    const odd = ['a.b', 'a_b', 'x'.repeat(100), 'ünï cødé', 'with spaces', 'slash/name', '__lead'];
    const token = await hub.mint('provider:weird.provider');
    const url = `${hub.urls.ws}?server_name=weird.provider&token=${encodeURIComponent(token)}`;
    const first = await dialProvider(url, { tools: odd });
    const seen = (await ai.waitForTools((tools) => tools.filter((t) => t.name.startsWith('weird')).length === odd.length)).filter((t) => t.name.startsWith('weird'));
    for (const tool of seen) assert.match(tool.name, VALID_EXPOSED_NAME);
    assert.equal(new Set(seen.map((t) => t.name)).size, odd.length);
    for (const original of odd) {
      const result = await ai.callTool({ name: exposedToolName('weird.provider', original), arguments: { text: '!' } });
      assert.deepEqual(result.content, [{ type: 'text', text: `${original}:!` }], `routes ${original} to itself`);
    }
    first.socket.close();
    await ai.waitForTools((tools) => !tools.some((t) => t.name.startsWith('weird')));
    const second = await dialProvider(url, { tools: odd });
    const again = (await ai.waitForTools((tools) => tools.filter((t) => t.name.startsWith('weird')).length === odd.length)).filter((t) => t.name.startsWith('weird'));
    assert.deepEqual(names(again), names(seen));
    second.socket.close();
  });
});

describe('exposed tool names (docs/provider-protocol.md, Names AI clients see)', () => {
  const cases: Array<[string, string, string | RegExp]> = [
    ['everything', 'echo', 'everything__echo'],
    ['my_remote_server', 'exec_cmd', 'my_remote_server__exec_cmd'],
    ['everything', 'get-sum', 'everything__get-sum'],
    ['a.b', 'c', /^a_b__c_[0-9a-f]{8}$/],
    ['a', 'b.c', /^a__b_c_[0-9a-f]{8}$/],
    ['a__b', 'c', /^a__b__c_[0-9a-f]{8}$/],
    ['p', 'x'.repeat(80), /^p__x{52}_[0-9a-f]{8}$/],
  ];
  for (const [provider, tool, expected] of cases) {
    it(`${provider} + ${tool.length > 20 ? tool.slice(0, 12) + '…' : tool}`, () => {
      const name = exposedToolName(provider, tool);
      if (typeof expected === 'string') assert.equal(name, expected);
      else assert.match(name, expected);
      assert.match(name, VALID_EXPOSED_NAME);
      assert.equal(exposedToolName(provider, tool), name, 'deterministic');
    });
  }
  it('pairs that read the same once joined never share a name', () => {
    assert.notEqual(exposedToolName('a__b', 'c'), exposedToolName('a', 'b__c'));
    assert.notEqual(exposedToolName('a.b', 'c'), exposedToolName('a_b', 'c'));
    assert.notEqual(exposedToolName('a', '_b'), exposedToolName('a_', 'b'));
  });
});
