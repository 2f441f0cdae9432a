import assert from 'node:assert/strict';
import { Agent, request, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { sseEvents } from './helpers/sse-stream.js';
import { connectAi, names, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';

describe('the legacy HTTP+SSE surface (/sse + /messages/)', () => {
  let hub: RunningHub;
  let ai: AiClient;

  before(async () => {
    // A rule naming the add-in: extensions and add-ins are otherwise asked about (test/roles.test.ts).
    hub = await startHub({
      config: { approvals: { default: 'allow', rules: [{ caller: 'addin:fusion', policy: 'allow' }, { caller: 'ext:mcp-link-like', policy: 'allow' }] } },
    });
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
    // An add-in's session also lists MCP-Link's `remote`, through which it may offer tools (docs/mcp-link.md).
    assert.deepEqual(names(tools), ['legacy__hi', 'remote']);
    const result = await client.callTool({ name: 'legacy__hi', arguments: { text: 'sse' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'hi:sse' }]);
    await client.close();
  });

  it('speaks MCP-Link\'s wire: a relative endpoint with session_id, 202 for POSTs, tools/* without initialize', async () => {
    const token = await hub.mint('ext:mcp-link-like');
    const stop = new AbortController();
    const sseUrl = hub.urls.sse ?? '';
    const stream = await fetch(sseUrl, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, signal: stop.signal });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = sseEvents(stream.body!);
    const endpoint = (await events.next()).value!;
    assert.equal(endpoint.event, 'endpoint');
    assert.match(endpoint.data, /^\/messages\/\?session_id=[0-9a-f]{32}$/);
    const post = async (path: string, message: unknown) => {
      const response = await fetch(new URL(path, sseUrl), { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(message) });
      assert.equal(response.status, 202);
      assert.equal(await response.text(), '');
    };
    // No initialize: MCP-Link registrants go straight to tools/list and tools/call, with string ids.
    await post(endpoint.data, { jsonrpc: '2.0', id: 'a1', method: 'tools/list' });
    const listed = JSON.parse((await events.next()).value!.data) as { id: string; result: { tools: Array<{ name: string }> } };
    assert.equal(listed.id, 'a1');
    assert.ok(listed.result.tools.some((t) => t.name === 'legacy__hi'));
    // The v1 SDK's parameter name works as well.
    await post(endpoint.data.replace('session_id=', 'sessionId='), { jsonrpc: '2.0', id: 'a2', method: 'tools/call', params: { name: 'legacy__hi', arguments: { text: 'raw' } } });
    const called = JSON.parse((await events.next()).value!.data) as { id: string; result: { content: unknown } };
    assert.deepEqual(called, { jsonrpc: '2.0', id: 'a2', result: { content: [{ type: 'text', text: 'hi:raw' }] } });
    stop.abort();
  });

  it('writes non-ASCII text as \\u escapes, unless that would lengthen a line past the 64 KiB MCP-Link\'s Go clients read', async () => {
    const token = await hub.mint('ext:mcp-link-like');
    const stop = new AbortController();
    const stream = await fetch(hub.urls.sse ?? '', { headers: { Authorization: `Bearer ${token}` }, signal: stop.signal });
    const events = sseEvents(stream.body!);
    const endpoint = (await events.next()).value!.data;
    const call = async (text: string) => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: text.length, method: 'tools/call', params: { name: 'legacy__hi', arguments: { text } } });
      assert.equal((await fetch(new URL(endpoint, hub.urls.sse), { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body })).status, 202);
      const line = (await events.next()).value!.data;
      assert.equal((JSON.parse(line) as { result: { content: Array<{ text: string }> } }).result.content[0]!.text, `hi:${text}`);
      return line;
    };
    // reverse_mcp.js decodes each chunk of the stream on its own: an escaped line cannot be split inside a character.
    assert.match(await call('café € 😀'), /^[\x20-\x7e]+$/);
    assert.match(await call('€'.repeat(10_000)), /^[\x20-\x7e]+$/);
    // 60 KB as UTF-8, 120 KB escaped: Go's bufio.Scanner reads the first and not the second.
    assert.match(await call('€'.repeat(20_000)), /€{20000}/);
    stop.abort();
  });

  it('closes the connection of each 202, as MCP-Link\'s server does: reverse_mcp.js never reads that answer, so a kept-alive one stays open', async () => {
    const token = await hub.mint('ext:mcp-link-like');
    const stop = new AbortController();
    const stream = await fetch(hub.urls.sse ?? '', { headers: { Authorization: `Bearer ${token}` }, signal: stop.signal });
    const endpoint = new URL((await sseEvents(stream.body!).next()).value!.data, hub.urls.sse);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 'l1', method: 'tools/list' });
    // As reverse_mcp.js posts: Node's keep-alive agent, and the answer's body never read.
    const req = request(endpoint, { method: 'POST', agent: new Agent({ keepAlive: true }), headers: { Authorization: `Bearer ${token}`, 'Content-Length': Buffer.byteLength(body) } });
    const answered = new Promise<IncomingMessage>((resolve) => req.once('response', resolve));
    req.end(body);
    const res = await answered;
    assert.equal(res.statusCode, 202);
    assert.equal(res.headers.connection, 'close');
    await new Promise((resolve) => res.socket.once('close', resolve));
    stop.abort();
  });

  it('refuses a request without a valid token with 401', async () => {
    const response = await fetch((hub.urls as Record<string, string>).sse ?? '', { headers: { Authorization: 'Bearer nope' } });
    assert.equal(response.status, 401);
  });
});
