import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialRichProvider, FAIL_ERROR, RICH_RESULT, RICH_TOOL, type RichProvider } from './fixtures/rich-provider.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { CLIENT_KINDS, connectClient, type RevisionClient } from './helpers/ai-clients.js';
import { hubStatus, startHub, type RunningHub } from './helpers/hub-process.js';

const EXPECTED_PROTOCOL = { 'v2-auto': '2026-07-28', v1: '2025-11-25', 'v2-2025-06-18': '2025-06-18' } as const;

describe('/mcp with AI clients of three revisions at once (2026-07-28, 2025-11-25, 2025-06-18)', () => {
  let hub: RunningHub;
  let provider: RichProvider;
  let clients: RevisionClient[];

  before(async () => {
    hub = await startHub();
    clients = await Promise.all(CLIENT_KINDS.map((kind) => connectClient(hub, kind)));
    const joined = Promise.all(clients.map((c) => c.nextListChange()));
    provider = await dialRichProvider(`${hub.urls.ws}?server_name=rich&token=${encodeURIComponent(await hub.mint('provider:rich'))}`);
    await joined;
  });
  after(async () => {
    await Promise.all((clients ?? []).map((c) => c.close().catch(() => undefined)));
    await provider?.close();
    await hub?.stop();
  });

  it('negotiates each client\'s own revision on the one URL (sessions for 2025 only)', () => {
    for (const client of clients) {
      assert.equal(client.protocol, EXPECTED_PROTOCOL[client.kind], client.kind);
      assert.equal(client.sessionId !== undefined, client.kind !== 'v2-auto', `${client.kind} session`);
    }
  });

  it('lists every tool to every client, definitions unchanged (icons, annotations, output schema, _meta)', async () => {
    for (const client of clients) {
      const tools = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['permissions__approve', 'rich__echo', 'rich__fail', 'rich__rich', 'rich__slow'], client.kind);
      assert.deepEqual(tools.find((t) => t.name === 'rich__rich'), { ...RICH_TOOL, name: 'rich__rich' }, client.kind);
    }
  });

  it('calls every tool for every client; structured content and resource links arrive unchanged', async () => {
    for (const client of clients) {
      const echo = await client.call('rich__echo', { text: client.kind });
      assert.deepEqual(echo.content, [{ type: 'text', text: `echo:${client.kind}` }]);
      const rich = await client.call('rich__rich');
      assert.deepEqual(rich.content, RICH_RESULT.content, client.kind);
      assert.deepEqual(rich.structuredContent, RICH_RESULT.structuredContent, client.kind);
      assert.equal((rich._meta as Record<string, unknown>)['example.com/trace'], 'abc', client.kind);
      const slow = await client.call('rich__slow', { steps: 2, ms: 1 });
      assert.deepEqual(slow.content, [{ type: 'text', text: 'done after 2 steps' }]);
      const permission = await client.call('permissions__approve', { tool_name: 'Bash', input: { command: 'ls' } });
      assert.equal(permission.isError, undefined, `${client.kind}: ${JSON.stringify(permission)}`);
    }
  });

  it('passes a provider\'s JSON-RPC error to every client as sent: code, message, data', async () => {
    for (const client of clients) {
      await assert.rejects(client.call('rich__fail'), (error: { code?: number; message?: string; data?: unknown }) => {
        assert.equal(error.code, FAIL_ERROR.code, client.kind);
        assert.match(error.message ?? '', new RegExp(FAIL_ERROR.message), client.kind);
        assert.deepEqual(error.data, FAIL_ERROR.data, client.kind);
        return true;
      });
    }
  });

  it('delivers progress to every client, in order and before the result', async () => {
    await Promise.all(
      clients.map(async (client) => {
        const seen: number[] = [];
        const result = await client.call('rich__slow', { steps: 4, ms: 5 }, { onprogress: (p) => seen.push(p.progress) });
        assert.deepEqual(result.content, [{ type: 'text', text: 'done after 4 steps' }], client.kind);
        assert.deepEqual(seen, [1, 2, 3, 4], client.kind);
      }),
    );
  });

  it('carries every client\'s cancellation to the provider (2026: closing the request; 2025: notifications/cancelled)', async () => {
    for (const client of clients) {
      const stop = new AbortController();
      const started = client.call('rich__slow', { steps: 10_000, ms: 10 }, { signal: stop.signal, onprogress: () => stop.abort('the user gave up') });
      const cancelled = provider.nextCancel();
      await assert.rejects(started);
      assert.ok(await cancelled, `${client.kind}: the provider saw the cancellation`);
    }
  });

  it('tells every client when a provider joins and when it leaves', async () => {
    const joined = Promise.all(clients.map((c) => c.nextListChange()));
    const other = await dialProvider(`${hub.urls.ws}?server_name=other&token=${encodeURIComponent(await hub.mint('provider:other'))}`, { tools: ['hello'] });
    await joined;
    for (const client of clients) assert.ok((await client.listTools()).some((t) => t.name === 'other__hello'), client.kind);
    const left = Promise.all(clients.map((c) => c.nextListChange()));
    other.socket.close();
    await left;
    for (const client of clients) assert.ok(!(await client.listTools()).some((t) => t.name === 'other__hello'), client.kind);
  });

  it('lists the three clients in the hub status with their revisions', async () => {
    const sessions = (await hubStatus(hub)).sessions;
    for (const client of clients) {
      const entry = sessions.find((s) => s.caller === `ai:${client.kind}`);
      assert.equal(entry?.protocol, EXPECTED_PROTOCOL[client.kind], JSON.stringify(sessions));
      assert.equal(entry?.client, `test-${client.kind}`);
    }
  });
});
