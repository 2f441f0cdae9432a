import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pending } from '../app/shared/admin-types.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectClient, type RevisionClient } from './helpers/ai-clients.js';
import { watchHub, type HubEvents } from './helpers/hub-events.js';
import { adminRequest, connectAi, hubStatus, names, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';

/** A window no test here waits out: every decision below comes from the test, never the clock. */
const NEVER_S = 3_600;

type Readme = { description: string; parameters: { properties?: Record<string, unknown> }; tool_unlock_token: string };

/**
 * Progressive discovery for socket providers (docs/progressive-discovery.md): a provider opted in
 * by `providers."<name>".progressive_discovery` is listed with one `input` object per tool; the
 * hub answers `readme` with the real parameters and a per-tool unlock token, refuses calls
 * without it, and passes the call on (under approval, without the token) when it is right.
 */
describe('progressive discovery for socket providers', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let events: HubEvents;
  const sockets: Array<{ close(): void }> = [];

  before(async () => {
    hub = await startHub({
      config: {
        approvals: { default: 'ask', timeout_s: NEVER_S },
        providers: { cad: { progressive_discovery: true } },
      },
    });
    ai = await connectAi(hub, 'ai:claude');
    for (const name of ['cad', 'plain']) {
      const token = await hub.mint(`provider:${name}`);
      const provider = await dialProvider(`${hub.urls.ws}?server_name=${name}&token=${encodeURIComponent(token)}`, { tools: ['extrude', 'measure'] });
      sockets.push(provider.socket);
    }
    await ai.waitForTools((tools) => names(tools).includes('cad__extrude') && names(tools).includes('plain__extrude'));
    events = await watchHub(hub);
  });
  after(async () => {
    events?.close();
    for (const socket of sockets) socket.close();
    await ai?.close();
    await hub?.stop();
  });

  // The first waiting call not handed out before (an older snapshot cannot answer).
  const seen = new Set<string>();
  const nextPending = async (): Promise<Pending> => {
    const next = await events.until((state) => state.pending.find((p) => !seen.has(p.id)));
    seen.add(next.id);
    return next;
  };

  it('lists an opted-in provider\'s tools with one `input` object and leaves other providers as they are', async () => {
    const { tools } = await ai.listTools();
    const wrapped = tools.find((t) => t.name === 'cad__extrude')!;
    assert.deepEqual(Object.keys(wrapped.inputSchema.properties ?? {}), ['input']);
    assert.match(String((wrapped.inputSchema.properties as { input: { description: string } }).input.description), /\{"input":\{"operation":"readme"\}\}/);
    assert.equal(wrapped.description, 'Use this tool when you need to access extrude functionality', 'a tool with no description gets MCP-Link\'s stand-in');
    const plain = tools.find((t) => t.name === 'plain__extrude')!;
    assert.deepEqual(Object.keys(plain.inputSchema.properties ?? {}), ['text']);
  });

  it('answers `readme` with the real parameters and a token of the tool\'s own, without asking anyone', async () => {
    const readme = JSON.parse(textOf((await ai.callTool({ name: 'cad__extrude', arguments: { input: { operation: 'readme' } } })) as never)) as Readme;
    assert.deepEqual(Object.keys(readme.parameters.properties ?? {}), ['text']);
    assert.match(readme.tool_unlock_token, /^[0-9a-f]{8}$/);
    const other = JSON.parse(textOf((await ai.callTool({ name: 'cad__measure', arguments: { input: { operation: 'readme' } } })) as never)) as Readme;
    assert.notEqual(other.tool_unlock_token, readme.tool_unlock_token, 'each tool has its own token');
  });

  it('refuses a call without the token, naming the way to get it, and the provider never hears of it', async () => {
    const refused = await ai.callTool({ name: 'cad__extrude', arguments: { input: { text: 'no token' } } });
    assert.equal(refused.isError, true);
    assert.match(textOf(refused as never), /Missing required tool_unlock_token for cad__extrude\. Call cad__extrude with \{"input":\{"operation":"readme"\}\} first/);
    const wrong = await ai.callTool({ name: 'cad__extrude', arguments: { input: { text: 'x', tool_unlock_token: '00000000' } } });
    assert.equal(wrong.isError, true);
    assert.equal((await hubStatus(hub)).providers.find((p) => p.name === 'cad')?.calls, 0);
  });

  it('passes a call with the right token on under approval, showing and sending the arguments without the token', async () => {
    const { tool_unlock_token } = JSON.parse(textOf((await ai.callTool({ name: 'cad__extrude', arguments: { input: { operation: 'readme' } } })) as never)) as Readme;
    const call = ai.callTool({ name: 'cad__extrude', arguments: { input: { text: 'plate', tool_unlock_token } } });
    const pending = await nextPending();
    assert.deepEqual(pending.arguments, { text: 'plate' });
    assert.equal((await adminRequest(hub, 'POST', `/approvals/${pending.id}/approve`)).status, 200);
    assert.equal(textOf((await call) as never), 'extrude:plate');
  });

  it('works the same for a 2026 client', async () => {
    const modern: RevisionClient = await connectClient(hub, 'v2-auto', 'ai:modern');
    try {
      assert.equal(modern.protocol, '2026-07-28');
      const listed = (await modern.listTools()).find((t) => t.name === 'cad__measure') as unknown as { inputSchema: { properties: object } };
      assert.deepEqual(Object.keys(listed.inputSchema.properties), ['input']);
      const readme = JSON.parse(textOf((await modern.call('cad__measure', { input: { operation: 'readme' } })) as never)) as Readme;
      const call = modern.call('cad__measure', { input: { text: 'edge', tool_unlock_token: readme.tool_unlock_token } });
      const pending = await nextPending();
      await adminRequest(hub, 'POST', `/approvals/${pending.id}/approve`);
      assert.equal(textOf((await call) as never), 'measure:edge');
    } finally {
      await modern.close();
    }
  });

  it('lists the tools as they are again when the config stops asking, without a reconnect', async () => {
    const path = join(hub.dataDir, 'config.json');
    const config = JSON.parse(await readFile(path, 'utf8')) as { providers: Record<string, unknown> };
    config.providers = {};
    await writeFile(path, JSON.stringify(config, null, 2));
    const tools = await ai.waitForTools((list) => Object.keys(list.find((t) => t.name === 'cad__extrude')?.inputSchema.properties ?? {}).includes('text'));
    assert.ok(names(tools).includes('cad__measure'));
    const call = ai.callTool({ name: 'cad__extrude', arguments: { text: 'direct' } });
    await adminRequest(hub, 'POST', `/approvals/${(await nextPending()).id}/approve`);
    assert.equal(textOf((await call) as never), 'extrude:direct');
  });
});
