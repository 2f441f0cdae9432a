import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { adminRequest, childEnv, CLI, connectAi, EVERYTHING, FIXTURES, hubStatus, startBridge, startHub, type AiClient, type BridgeProcess, type RunningHub } from './helpers/hub-process.js';
import type { PanelState } from '../app/shared/admin-types.js';

type Loose = Record<string, unknown>;
const Loose = z.looseObject({});

/**
 * Dynamic resources carry the time they were made (`created at 4:52:13 AM`, also inside base64
 * blobs): the only part two reads a second apart may differ in.
 */
function timeless(value: unknown): unknown {
  const clock = (text: string) => text.replace(/created at [^"\\]+/g, 'created at TIME').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME');
  if (typeof value === 'string') return clock(value);
  if (Array.isArray(value)) return value.map(timeless);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    out[key] = key === 'blob' && typeof entry === 'string' ? clock(Buffer.from(entry, 'base64').toString('utf8')) : timeless(entry);
  }
  return out;
}

/** A whole list, following nextCursor. */
async function listAll(client: Client, method: string, key: string): Promise<Loose[]> {
  const all: Loose[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.request({ method, params: cursor ? { cursor } : {} } as never, Loose);
    all.push(...(page[key] as Loose[]));
    cursor = page.nextCursor as string | undefined;
  } while (cursor);
  return all;
}

/** The v2 client of 2026-07-28 on the hub, hearing every kind of list change and resource updates. */
async function connectModern(hub: RunningHub, heard: (what: string) => void): Promise<Client> {
  const token = await hub.mint('ai:modern');
  const client = new Client(
    { name: 'modern', version: '1.0.0' },
    {
      versionNegotiation: { mode: 'auto' },
      listChanged: {
        tools: { onChanged: () => heard('tools'), debounceMs: 0, autoRefresh: false },
        resources: { onChanged: () => heard('resources'), debounceMs: 0, autoRefresh: false },
        prompts: { onChanged: () => heard('prompts'), debounceMs: 0, autoRefresh: false },
      },
    },
  );
  client.setNotificationHandler('notifications/resources/updated', (n) => heard(`updated ${n.params.uri}`));
  await client.connect(new StreamableHTTPClientTransport(new URL(hub.urls.mcp), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

/** Resolves when `heard` has been called with `what` (counting from now). */
function hearing(): { heard: (what: string) => void; next: (what: string) => Promise<void> } {
  const waiters: Array<{ what: string; wake: () => void }> = [];
  return {
    heard: (what) => {
      for (const waiter of waiters.filter((w) => w.what === what)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.wake();
      }
    },
    next: (what) => new Promise((wake) => waiters.push({ what, wake })),
  };
}

describe('the catalog: server-everything through the hub answers as it does directly', () => {
  let hub: RunningHub;
  let everything: BridgeProcess;
  let alpha: BridgeProcess;
  let beta: BridgeProcess;
  let direct: Client;
  let modern: Client;
  let legacy: AiClient;
  const modernHears = hearing();
  const legacyHears = hearing();

  before(async () => {
    hub = await startHub();
    everything = startBridge(hub, 'everything', [process.execPath, EVERYTHING]);
    alpha = startBridge(hub, 'alpha', [process.execPath, join(FIXTURES, 'changing-server.js'), 'alpha']);
    beta = startBridge(hub, 'beta', [process.execPath, join(FIXTURES, 'changing-server.js'), 'beta']);
    direct = new Client({ name: 'direct', version: '1.0.0' });
    await direct.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING], env: childEnv(hub.dataDir) as Record<string, string>, stderr: 'ignore' }));
    legacy = await connectAi(hub, 'ai:legacy');
    // waitForTools hears tools/list_changed through its own handler, replaced just below.
    await legacy.waitForTools((tools) => ['everything__echo', 'alpha__add_prompt', 'beta__add_prompt'].every((name) => tools.some((t) => t.name === name)));
    for (const [schema, kind] of [
      [ToolListChangedNotificationSchema, 'tools'],
      [ResourceListChangedNotificationSchema, 'resources'],
      [PromptListChangedNotificationSchema, 'prompts'],
    ] as const) {
      legacy.setNotificationHandler(schema, () => legacyHears.heard(kind));
    }
    legacy.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => legacyHears.heard(`updated ${n.params.uri}`));
    // The tools come first, then resources, then prompts: wait until every provider's prompts are in.
    for (;;) {
      const changed = legacyHears.next('prompts');
      const prompts = await listAll(legacy as unknown as Client, 'prompts/list', 'prompts');
      if (['everything__simple-prompt', 'alpha__greet', 'beta__greet'].every((name) => prompts.some((p) => p.name === name))) break;
      await changed;
    }
    modern = await connectModern(hub, modernHears.heard);
  });

  after(async () => {
    await Promise.all([direct?.close(), modern?.close(), legacy?.close()]);
    for (const bridge of [everything, alpha, beta]) bridge?.process.kill();
    await hub?.stop();
  });

  it('lists the same resources and resource templates, under the same URIs', async () => {
    assert.equal(modern.getNegotiatedProtocolVersion(), '2026-07-28');
    for (const [method, key] of [['resources/list', 'resources'], ['resources/templates/list', 'resourceTemplates']] as const) {
      const straight = await listAll(direct, method, key);
      assert.ok(straight.length > 0, `server-everything offers ${key}`);
      for (const client of [modern, legacy as unknown as Client]) {
        const viaHub = (await listAll(client, method, key)).filter((r) => !String(r.uri ?? r.uriTemplate).startsWith('inlet://'));
        assert.deepEqual(viaHub, straight, `${key} through the hub`);
      }
    }
  });

  it('reads resources, listed and from a template, with the same contents', async () => {
    const listed = (await listAll(direct, 'resources/list', 'resources')).slice(0, 3).map((r) => String(r.uri));
    for (const uri of [...listed, 'demo://resource/dynamic/text/7', 'demo://resource/dynamic/blob/3']) {
      const straight = await direct.request({ method: 'resources/read', params: { uri } }, Loose);
      const viaHub = await modern.request({ method: 'resources/read', params: { uri } }, Loose);
      assert.deepEqual(timeless(viaHub.contents), timeless(straight.contents), `${uri} through the hub`);
    }
  });

  it('lists the same prompts under everything__ names, and gets them with the same messages', async () => {
    const straight = await listAll(direct, 'prompts/list', 'prompts');
    const viaHub = (await listAll(modern, 'prompts/list', 'prompts')).filter((p) => String(p.name).startsWith('everything__'));
    assert.deepEqual(
      viaHub.map((p) => ({ ...p, name: String(p.name).replace(/^everything__/, '') })),
      straight,
    );
    const asked: Array<[string, Record<string, string>]> = [
      ['simple-prompt', {}],
      ['args-prompt', { city: 'Lisbon', state: 'none' }],
      ['completable-prompt', { department: 'Sales', name: 'Eve' }],
      ['resource-prompt', { resourceType: 'Text', resourceId: '2' }],
    ];
    for (const [name, args] of asked) {
      const plain = await direct.request({ method: 'prompts/get', params: { name, arguments: args } }, Loose);
      const hubbed = await modern.request({ method: 'prompts/get', params: { name: `everything__${name}`, arguments: args } }, Loose);
      assert.deepEqual(timeless(hubbed.messages), timeless(plain.messages), `${name} through the hub`);
    }
  });

  it('completes prompt arguments and template variables as the server does', async () => {
    const cases = [
      [{ type: 'ref/prompt', name: 'completable-prompt' }, { type: 'ref/prompt', name: 'everything__completable-prompt' }, { name: 'department', value: 'S' }],
      [{ type: 'ref/resource', uri: 'demo://resource/dynamic/text/{resourceId}' }, { type: 'ref/resource', uri: 'demo://resource/dynamic/text/{resourceId}' }, { name: 'resourceId', value: '1' }],
    ] as const;
    for (const [ref, hubRef, argument] of cases) {
      const plain = await direct.request({ method: 'completion/complete', params: { ref, argument } }, Loose);
      const hubbed = await legacy.request({ method: 'completion/complete', params: { ref: hubRef, argument } }, Loose);
      assert.deepEqual(hubbed.completion, plain.completion);
      assert.ok((plain.completion as { values: string[] }).values.length > 0, 'the server completes something');
    }
  });

  it('forwards a resource subscription and fans the updates out to the subscribed clients of both revisions', async () => {
    const uri = String((await listAll(direct, 'resources/list', 'resources'))[0]!.uri);
    await legacy.subscribeResource({ uri });
    const listening = await modern.listen({ resourceSubscriptions: [uri] });
    const updates = Promise.all([legacyHears.next(`updated ${uri}`), modernHears.next(`updated ${uri}`)]);
    // server-everything starts sending updates for its subscribed URIs when this is called.
    await legacy.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    await updates;
    await legacy.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    await listening.close();
    await legacy.unsubscribeResource({ uri });
  });

  it('keeps a subscription across the provider\'s restart: the hub subscribes again at the new connection and the client hears its updates', async () => {
    const uri = String((await listAll(direct, 'resources/list', 'resources'))[0]!.uri);
    await legacy.subscribeResource({ uri });
    const gone = legacyHears.next('resources');
    everything.process.kill();
    await gone;
    const back = legacyHears.next('resources');
    everything = startBridge(hub, 'everything', [process.execPath, EVERYTHING]);
    await back;
    // The new server-everything sends updates for the URIs it was asked to subscribe to: only the hub asked it.
    const updated = legacyHears.next(`updated ${uri}`);
    await legacy.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    await updated;
    await legacy.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    await legacy.unsubscribeResource({ uri });
  });

  for (const [kind, tool, args] of [
    ['tools', 'alpha__add_tool', { name: 'fresh_tool' }],
    ['resources', 'alpha__add_resource', { uri: 'fresh://resource' }],
    ['prompts', 'alpha__add_prompt', { name: 'fresh_prompt' }],
  ] as const) {
    it(`tells a 2025 and a 2026 client when the ${kind} list changes`, async () => {
      const heard = Promise.all([legacyHears.next(kind), modernHears.next(kind)]);
      await legacy.callTool({ name: tool, arguments: args });
      await heard;
      const listed = await listAll(modern, `${kind}/list`, kind);
      const expected = kind === 'tools' ? 'alpha__fresh_tool' : kind === 'prompts' ? 'alpha__fresh_prompt' : 'fresh://resource';
      assert.ok(listed.some((entry) => (entry.name ?? entry.uri) === expected || entry.uri === expected), `${expected} is listed after the change`);
    });
  }

  it('keeps a URI and a prompt name that two providers offer apart, and refuses the bare URI as ambiguous', async () => {
    const uris = (await listAll(modern, 'resources/list', 'resources')).map((r) => String(r.uri));
    assert.ok(uris.includes('inlet://alpha/shared://note') && uris.includes('inlet://beta/shared://note'), uris.join(', '));
    assert.ok(!uris.includes('shared://note'), 'the shared URI is not listed bare');
    for (const label of ['alpha', 'beta']) {
      const read = await modern.request({ method: 'resources/read', params: { uri: `inlet://${label}/shared://note` } }, Loose);
      assert.deepEqual(read.contents, [{ uri: `inlet://${label}/shared://note`, text: `note from ${label}` }]);
      const prompt = await modern.request({ method: 'prompts/get', params: { name: `${label}__greet`, arguments: { who: 'Ada' } } }, Loose);
      assert.deepEqual(prompt.messages, [{ role: 'user', content: { type: 'text', text: `hello Ada from ${label}` } }]);
    }
    // Any provider's resource can be named explicitly, shared or not.
    const plain = String((await listAll(direct, 'resources/list', 'resources'))[0]!.uri);
    const explicit = await modern.request({ method: 'resources/read', params: { uri: `inlet://everything/${plain}` } }, Loose);
    const straight = await direct.request({ method: 'resources/read', params: { uri: plain } }, Loose);
    assert.deepEqual(explicit.contents, (straight.contents as Loose[]).map((c) => ({ ...c, uri: `inlet://everything/${plain}` })));
    await assert.rejects(modern.request({ method: 'resources/read', params: { uri: 'shared://note' } }, Loose), (error: Error) => {
      assert.match(error.message, /offered by 2 providers; read inlet:\/\/alpha\/shared:\/\/note or inlet:\/\/beta\/shared:\/\/note/);
      return true;
    });
  });

  it('shows each provider\'s kind, revision and counts in status, and reads in the activity list', async () => {
    const status = await hubStatus(hub);
    const card = status.providers.find((p) => p.name === 'everything')!;
    const resources = await listAll(direct, 'resources/list', 'resources');
    const prompts = await listAll(direct, 'prompts/list', 'prompts');
    assert.equal(card.kind, 'socket');
    assert.equal(card.protocol, '2025-11-25');
    assert.equal(card.resources, resources.length);
    assert.equal(card.prompts, prompts.length);
    assert.ok(card.resourceTemplates > 0);
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'status'], { env: childEnv(hub.dataDir) });
    const line = `  everything  [ready]  socket  MCP 2025-11-25  ${card.tools.length} tools, ${resources.length} resources (${card.resourceTemplates} templates), ${prompts.length} prompts  since`;
    assert.ok(stdout.includes(line), `inlet status shows\n${line}\nin\n${stdout}`);
    const { data } = await adminRequest<PanelState>(hub, 'GET', '/state');
    assert.ok(
      data.activity.some((a) => a.provider === 'alpha' && a.tool === 'resources/read shared://note' && a.outcome === 'ok'),
      'a resource read shows in the activity list',
    );
  });
});
