import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { dialRichProvider, RICH_RESULT, type RichProvider } from './fixtures/rich-provider.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { childEnv, CLI, hubStatus, startHub, type RunningHub } from './helpers/hub-process.js';

/** What each revision's client does through `inlet stdio`, written once. */
interface StdioClient {
  protocol: string | undefined;
  tools(): Promise<string[]>;
  call(name: string, args?: Record<string, unknown>, options?: { onprogress?: (p: { progress: number }) => void; signal?: AbortSignal }): Promise<Record<string, unknown>>;
  nextListChange(): Promise<void>;
  close(): Promise<void>;
}

function waiter(): { wake: () => void; next: () => Promise<void> } {
  const waiting: Array<() => void> = [];
  return { wake: () => waiting.splice(0).forEach((w) => w()), next: () => new Promise((resolve) => waiting.push(resolve)) };
}

async function v1OverStdio(hub: RunningHub): Promise<StdioClient> {
  const changes = waiter();
  const client = new V1Client({ name: 'claude-desktop-like', version: '1' });
  client.setNotificationHandler(ToolListChangedNotificationSchema, changes.wake);
  const transport = new V1StdioClientTransport({ command: process.execPath, args: [CLI, 'stdio', '--name', 'desktop'], env: childEnv(hub.dataDir) as Record<string, string>, stderr: 'pipe' });
  await client.connect(transport);
  return {
    protocol: undefined, // the v1 client does not say; the hub's status does (below)
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args = {}, options) => (await client.callTool({ name, arguments: args }, undefined, options)) as Record<string, unknown>,
    nextListChange: changes.next,
    close: () => client.close(),
  };
}

async function v2AutoOverStdio(hub: RunningHub): Promise<StdioClient> {
  const changes = waiter();
  const client = new Client(
    { name: 'stdio-2026', version: '1' },
    { versionNegotiation: { mode: 'auto' }, listChanged: { tools: { onChanged: changes.wake, debounceMs: 0, autoRefresh: false } } },
  );
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'stdio', '--name', 'modern'], env: childEnv(hub.dataDir) as Record<string, string>, stderr: 'pipe' }));
  return {
    protocol: client.getNegotiatedProtocolVersion(),
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args = {}, options) => (await client.callTool({ name, arguments: args }, options)) as Record<string, unknown>,
    nextListChange: changes.next,
    close: () => client.close(),
  };
}

for (const [label, connect, caller, protocol] of [
  ['a 2025-11-25 client (the v1 SDK)', v1OverStdio, 'ai:desktop', '2025-11-25'],
  ['a 2026-07-28 client (the v2 SDK, version negotiation on)', v2AutoOverStdio, 'ai:modern', '2026-07-28'],
] as const) {
  describe(`inlet stdio with ${label}`, () => {
    let hub: RunningHub;
    let client: StdioClient;
    let provider: RichProvider;

    before(async () => {
      hub = await startHub();
      client = await connect(hub);
      const joined = client.nextListChange();
      provider = await dialRichProvider(`${hub.urls.ws}?server_name=rich&token=${encodeURIComponent(await hub.mint('provider:rich'))}`);
      await joined;
    });
    after(async () => {
      await client?.close().catch(() => undefined);
      await provider?.close();
      await hub?.stop();
    });

    it('speaks the client\'s revision', async () => {
      if (client.protocol) assert.equal(client.protocol, protocol);
      const live = (await hubStatus(hub)).sessions.filter((s) => s.caller === caller);
      assert.deepEqual(live.map((s) => s.protocol), [protocol]);
    });

    it('finds the local hub by itself, lists and calls the provider\'s tools, results unchanged', async () => {
      assert.deepEqual((await client.tools()).sort(), ['permissions__approve', 'rich__echo', 'rich__fail', 'rich__rich', 'rich__slow']);
      assert.deepEqual((await client.call('rich__echo', { text: 'hi' })).content, [{ type: 'text', text: 'echo:hi' }]);
      const rich = await client.call('rich__rich');
      assert.deepEqual(rich.content, RICH_RESULT.content);
      assert.deepEqual(rich.structuredContent, RICH_RESULT.structuredContent);
    });

    it('relays progress and the client\'s cancellation', async () => {
      const seen: number[] = [];
      const done = await client.call('rich__slow', { steps: 3, ms: 5 }, { onprogress: (p) => seen.push(p.progress) });
      assert.deepEqual(done.content, [{ type: 'text', text: 'done after 3 steps' }]);
      // At least the first step's progress, and in order. Later ones can be lost by the client
      // itself: the v1 SDK drops a request's progress handler when the result is parsed, and on a
      // loaded machine the last notifications and the result can reach it in one read.
      assert.ok(seen.length >= 1 && seen.every((p, i) => p === i + 1), `progress in order: ${seen.join(',')}`);
      const stop = new AbortController();
      const cancelled = provider.nextCancel();
      const call = client.call('rich__slow', { steps: 100_000, ms: 10 }, { signal: stop.signal, onprogress: () => stop.abort('the user gave up') });
      await assert.rejects(call);
      assert.ok(await cancelled, 'the provider saw the cancellation');
    });

    it('hears tools/list_changed when a provider joins', async () => {
      const changed = client.nextListChange();
      const other = await dialProvider(`${hub.urls.ws}?server_name=desk&token=${encodeURIComponent(await hub.mint('provider:desk'))}`, { tools: ['note'] });
      await changed;
      assert.ok((await client.tools()).includes('desk__note'));
      other.socket.close();
    });

    it('leaves no session behind when the client goes', async () => {
      const before = (await hubStatus(hub)).sessions.filter((s) => s.caller === caller && s.protocol?.startsWith('2025'));
      assert.equal(before.length, protocol === '2025-11-25' ? 1 : 0);
      await client.close();
      const sessions = (await hubStatus(hub)).sessions.filter((s) => s.caller === caller && s.protocol?.startsWith('2025'));
      assert.deepEqual(sessions, []);
    });
  });
}
