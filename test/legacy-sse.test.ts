import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, names, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';

describe('the legacy HTTP+SSE surface (/sse + /messages/)', () => {
  let hub: RunningHub;
  let ai: AiClient;

  before(async () => {
    // A rule naming the add-in: extensions and add-ins are otherwise asked about (test/roles.test.ts).
    hub = await startHub({ config: { approvals: { default: 'allow', rules: [{ caller: 'addin:fusion', policy: 'allow' }] } } });
    ai = await connectAi(hub);
    const token = await hub.mint('provider:legacy');
    await dialProvider(`${hub.urls.ws}?server_name=legacy&token=${encodeURIComponent(token)}`, { tools: ['hi'] });
    await ai.waitForTools((tools) => names(tools).includes('legacy__hi'));
  });
  after(async () => {
    await ai?.close();
    await hub?.stop();
  });

  it('serves the same tools to an old-style SSE client holding an add-in token that a rule allows', async () => {
    const token = await hub.mint('addin:fusion');
    const sseUrl = (hub.urls as Record<string, string>).sse ?? '';
    const client = new Client({ name: 'old', version: '1' });
    await client.connect(new SSEClientTransport(new URL(sseUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } }, eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${token}` } }) } }));
    const { tools } = await client.listTools();
    assert.deepEqual(names(tools), ['legacy__hi']);
    const result = await client.callTool({ name: 'legacy__hi', arguments: { text: 'sse' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'hi:sse' }]);
    await client.close();
  });

  it('refuses a request without a valid token with 401', async () => {
    const response = await fetch((hub.urls as Record<string, string>).sse ?? '', { headers: { Authorization: 'Bearer nope' } });
    assert.equal(response.status, 401);
  });
});
