import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { COMPANION_EXTENSION_ID } from '../app/os/companion-extension.js';
import { dialProvider, upgradeStatus } from './fixtures/ws-provider.js';
import { INITIALIZE } from './helpers/raw-http.js';
import { connectAi, hubStatus, names, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';

const EXT = 'ext:abcdefghijklmnopabcdefghijklmnop';
const sseUrl = (hub: RunningHub) => hub.urls.mcp.replace(/\/mcp$/, '/sse');

/** An old-style HTTP+SSE client (what MCP-Link registrants use) holding `clientId`'s token. */
async function connectSse(hub: RunningHub, clientId: string): Promise<Client> {
  const token = await hub.mint(clientId);
  const auth = { Authorization: `Bearer ${token}` };
  const client = new Client({ name: 'sse-probe', version: '1' });
  await client.connect(
    new SSEClientTransport(new URL(sseUrl(hub)), {
      requestInit: { headers: auth },
      eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...auth } }) },
    }),
  );
  return client;
}

/** Reads the admin event stream until the state shows a waiting call, and returns it. */
async function nextPending(hub: RunningHub): Promise<{ id: string; caller: string; tool: string }> {
  const response = await fetch(`${hub.urls.api}/events`, { headers: { Authorization: `Bearer ${await hub.mint('admin')}` } });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended before a call waited');
      buffered += value;
      for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
        const data = buffered.slice(0, end).split('\n').find((line) => line.startsWith('data: '));
        buffered = buffered.slice(end + 2);
        const pending = data ? (JSON.parse(data.slice(6)) as { pending: Array<{ id: string; caller: string; tool: string }> }).pending : [];
        if (pending.length > 0) return pending[0]!;
      }
    }
  } finally {
    await reader.cancel();
  }
}

async function admin(hub: RunningHub, method: string, path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${hub.urls.api}${path}`, { method, headers: { Authorization: `Bearer ${await hub.mint('admin')}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  await response.body?.cancel();
  return response.status;
}

describe('each token role holds on every surface', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let shop: Awaited<ReturnType<typeof dialProvider>>;

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'allow' }, tools_servers: { cc: { transport: 'reverse_mcp', auth_token: 'static-cc' } } } });
    ai = await connectAi(hub);
    shop = await dialProvider(`${hub.urls.ws}?server_name=shop&token=${encodeURIComponent(await hub.mint('provider:shop'))}`, { tools: ['buy'] });
    await ai.waitForTools((tools) => names(tools).includes('shop__buy'));
  });
  after(async () => {
    shop?.socket.close();
    await ai?.close();
    await hub?.stop();
  });

  it('/mcp serves ai: and admin tokens; provider, extension and add-in tokens get 403, static tokens 401', async () => {
    const post = async (token: string) => {
      const response = await fetch(hub.urls.mcp, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: INITIALIZE });
      return { status: response.status, text: await response.text() };
    };
    for (const clientId of ['provider:shop', EXT, 'addin:cad']) {
      const refused = await post(await hub.mint(clientId));
      assert.equal(refused.status, 403, clientId);
      assert.match(refused.text, new RegExp(`only ai: and admin tokens may call tools on /mcp; ${clientId} may not`));
    }
    assert.equal((await post('static-cc')).status, 401, 'a tools_servers token is not an AI token');
    const operator = new Client({ name: 'admin-probe', version: '1' });
    await operator.connect(new StreamableHTTPClientTransport(new URL(hub.urls.mcp), { requestInit: { headers: { Authorization: `Bearer ${await hub.mint('admin')}` } } }));
    assert.ok(names((await operator.listTools()).tools).includes('shop__buy'));
    await operator.close();
  });

  it('/sse refuses provider tokens with 403 and static or missing tokens with 401', async () => {
    const get = async (headers: Record<string, string>) => {
      const response = await fetch(sseUrl(hub), { headers });
      await response.body?.cancel();
      return response.status;
    };
    assert.equal(await get({ Authorization: `Bearer ${await hub.mint('provider:shop')}` }), 403);
    assert.equal(await get({ Authorization: 'Bearer static-cc' }), 401);
    assert.equal(await get({}), 401);
    const legacyAi = await connectSse(hub, 'ai:old');
    assert.equal(textOf((await legacyAi.callTool({ name: 'shop__buy', arguments: { text: 'tea' } })) as never), 'buy:tea', 'an AI token calls unasked under default allow');
    await legacyAi.close();
  });

  it('an extension calling through /sse is asked about although the default policy is allow', async () => {
    const extension = await connectSse(hub, EXT);
    const call = extension.callTool({ name: 'shop__buy', arguments: { text: 'bread' } });
    const pending = await nextPending(hub);
    assert.equal(pending.caller, EXT, 'the call runs under the extension’s own identity');
    assert.equal(await admin(hub, 'POST', `/approvals/${pending.id}/approve`, {}), 200);
    assert.equal(textOf((await call) as never), 'buy:bread');
    await extension.close();
  });

  it('a rule naming the add-in lets its calls through unasked', async () => {
    assert.equal(await admin(hub, 'POST', '/policy/rules', { caller: 'addin:cad', policy: 'allow' }), 200);
    const addin = await connectSse(hub, 'addin:cad');
    assert.equal(textOf((await addin.callTool({ name: 'shop__buy', arguments: { text: 'nails' } })) as never), 'buy:nails');
    await addin.close();
  });

  it('/ws: ai: and admin tokens offer no tools; extension and add-in tokens serve their own name only', async () => {
    const offer = async (clientId: string, name: string) => (await upgradeStatus(`${hub.urls.ws}?server_name=${encodeURIComponent(name)}&token=${encodeURIComponent(await hub.mint(clientId))}`));
    const byAdmin = await offer('admin', 'panel_tools');
    assert.equal(byAdmin.status, 401);
    assert.match(byAdmin.body, /admin may not offer tools/);
    const elsewhere = await offer(EXT, 'shop2');
    assert.equal(elsewhere.status, 401);
    assert.match(elsewhere.body, /this token serves provider "abcdefghijklmnopabcdefghijklmnop" only, not "shop2"/);
    assert.equal((await offer('addin:cad', 'fusion')).status, 401);
    assert.equal((await offer(`ext:${COMPANION_EXTENSION_ID}`, COMPANION_EXTENSION_ID)).status, 401, 'the companion serves "browser", not its id');
    const token = (clientId: string) => hub.mint(clientId).then(encodeURIComponent);
    const own = await dialProvider(`${hub.urls.ws}?server_name=abcdefghijklmnopabcdefghijklmnop&token=${await token(EXT)}`, { tools: ['x'] });
    const cad = await dialProvider(`${hub.urls.ws}?server_name=cad&token=${await token('addin:cad')}`, { tools: ['draw'] });
    const companion = await dialProvider(`${hub.urls.ws}?server_name=browser&token=${await token(`ext:${COMPANION_EXTENSION_ID}`)}`, { tools: ['list_tabs'] });
    await ai.waitForTools((tools) => ['abcdefghijklmnopabcdefghijklmnop__x', 'cad__draw', 'browser__list_tabs'].every((n) => names(tools).includes(n)));
    for (const p of [own, cad, companion]) p.socket.close();
    await ai.waitForTools((tools) => !names(tools).includes('cad__draw') && !names(tools).includes('browser__list_tabs'));
  });

  it('no token takes over a live provider it does not own; the same client replaces it', async () => {
    const taker = await upgradeStatus(`${hub.urls.ws}?server_name=shop&token=${encodeURIComponent(await hub.mint('ext:shop'))}`);
    assert.equal(taker.status, 409, 'ext:shop serves "shop" but does not hold the live one');
    assert.match(taker.body, /provider "shop" is connected under another identity/);
    assert.equal((await upgradeStatus(`${hub.urls.ws}?server_name=shop&token=${encodeURIComponent(await hub.mint('addin:shop'))}`)).status, 409);
    assert.equal(textOf(await ai.callTool({ name: 'shop__buy', arguments: { text: 'still here' } }) as never), 'buy:still here', 'the live provider was not touched');
    const successor = await dialProvider(`${hub.urls.ws}?server_name=shop&token=${encodeURIComponent(await hub.mint('provider:shop'))}`, { tools: ['buy', 'sell'] });
    assert.equal((await shop.closed).code, 4000, 'its own identity replaces it');
    await ai.waitForTools((tools) => names(tools).includes('shop__sell'));
    assert.deepEqual((await hubStatus(hub)).providers.filter((p) => p.name === 'shop').map((p) => p.client), ['provider:shop']);
    shop = successor;
  });
});
