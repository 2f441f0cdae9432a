import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminEvents } from './helpers/admin-events.js';
import { answeringClient, bridgeEverything, ELICITED, rootOf, type AnsweringClient } from './helpers/answering-clients.js';
import { adminRequest, hubStatus, startHub, type BridgeProcess, type RunningHub } from './helpers/hub-process.js';

function text(result: { content: Array<{ type: string; text?: string }> }): string {
  return result.content.map((c) => c.text ?? '').join('\n');
}

async function auditLines(hub: RunningHub): Promise<Array<Record<string, unknown>>> {
  const raw = await readFile(join(hub.dataDir, 'audit.jsonl'), 'utf8');
  return raw.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a provider asks the AI client that made the call (sampling, elicitation, roots) through the hub', () => {
  let hub: RunningHub;
  let modern: AnsweringClient;
  let legacy: AnsweringClient;
  let plain: AnsweringClient;
  const bridges: BridgeProcess[] = [];

  before(async () => {
    hub = await startHub({
      config: { approvals: { default: 'allow', rules: [{ provider: 'guarded', tool: 'sampling/createMessage', policy: 'deny' }] } },
    });
    bridges.push(...(await Promise.all(['everything', 'second', 'guarded'].map((name) => bridgeEverything(hub, name)))));
    [modern, legacy, plain] = await Promise.all([
      answeringClient(hub, 'v2', 'modern'),
      answeringClient(hub, 'v1', 'legacy'),
      answeringClient(hub, 'v1', 'plain', false),
    ]);
  });

  after(async () => {
    for (const client of [modern, legacy, plain]) await client?.close().catch(() => undefined);
    for (const bridge of bridges) bridge.process.kill();
    await hub?.stop();
  });

  it('answers a sampling request from the calling client, in the 2025 form and in the 2026 form', async () => {
    assert.equal(modern.protocol, '2026-07-28');
    assert.equal(legacy.protocol, '2025-11-25');
    const viaLegacy = await legacy.call('everything__trigger-sampling-request', { prompt: 'hello', maxTokens: 5 });
    assert.match(text(viaLegacy), /sampled by legacy/);
    const viaModern = await modern.call('everything__trigger-sampling-request', { prompt: 'hello', maxTokens: 5 });
    assert.match(text(viaModern), /sampled by modern/);
    assert.ok(legacy.asked.some((a) => a.method === 'sampling/createMessage' && JSON.stringify(a.params).includes('hello')), 'the prompt reaches the client');
  });

  it('sends each sampling to the right one of two clients calling at once', async () => {
    const [a, b] = await Promise.all([
      modern.call('everything__trigger-sampling-request', { prompt: 'for modern', maxTokens: 5 }),
      legacy.call('second__trigger-sampling-request', { prompt: 'for legacy', maxTokens: 5 }),
    ]);
    assert.match(text(a), /sampled by modern/);
    assert.match(text(b), /sampled by legacy/);
    assert.ok(!modern.asked.some((x) => JSON.stringify(x.params).includes('for legacy')), 'modern never saw legacy\'s prompt');
    assert.ok(!legacy.asked.some((x) => JSON.stringify(x.params).includes('for modern')), 'legacy never saw modern\'s prompt');
  });

  it('relays to a client on the legacy /sse surface as well', async () => {
    const sse = await answeringClient(hub, 'v1', 'oldtimer', true, 'sse');
    try {
      const result = await sse.call('everything__trigger-sampling-request', { prompt: 'over sse', maxTokens: 5 });
      assert.match(text(result), /sampled by oldtimer/);
    } finally {
      await sse.close();
    }
  });

  it('tells the provider which capability the calling client lacks', async () => {
    const result = await plain.call('everything__trigger-sampling-request', { prompt: 'hello', maxTokens: 5 });
    assert.match(text(result), /ai:plain that made this call did not declare the sampling capability/);
  });

  it('refuses sampling where a policy rule denies it for that provider, and the client is never asked', async () => {
    const before = modern.asked.length;
    const result = await modern.call('guarded__trigger-sampling-request', { prompt: 'secret', maxTokens: 5 });
    assert.match(text(result), /denied by Inlet's policy \(rule 1/);
    assert.equal(modern.asked.length, before);
    const lines = await auditLines(hub);
    const denied = lines.find((l) => l.event === 'request' && l.provider === 'guarded');
    assert.equal(denied?.outcome, 'denied');
    assert.equal(denied?.tool, 'sampling/createMessage');
    assert.equal(denied?.caller, 'ai:modern');
    assert.equal(denied?.during, 'trigger-sampling-request');
    const answered = lines.find((l) => l.event === 'request' && l.provider === 'everything' && l.caller === 'ai:legacy');
    assert.equal(answered?.outcome, 'ok');
  });

  it('relays an elicitation in each revision\'s form', async () => {
    for (const client of [modern, legacy]) {
      const result = await client.call('everything__trigger-elicitation-request');
      assert.match(text(result), /User provided the requested information/);
      assert.ok(text(result).includes(ELICITED.name), `${client.name}: ${text(result)}`);
    }
  });

  it('relays roots/list, and the provider\'s log line reaches the calling client and the panel', async () => {
    // A server-everything of its own: it asks for the roots once per session and keeps the first
    // list it gets, so on a shared one an earlier call of another client may have answered.
    bridges.push(await bridgeEverything(hub, 'rooted'));
    const result = await modern.call('rooted__get-roots-list');
    assert.ok(text(result).includes(rootOf('modern').uri), text(result));
    assert.ok(modern.logs.some((l) => /Roots updated: 1 root/.test(String(l.data))), JSON.stringify(modern.logs));
    const status = await hubStatus(hub);
    const everything = status.providers.find((p) => p.name === 'rooted');
    assert.ok(everything?.logs?.some((l) => /Roots updated: 1 root/.test(l.text) && l.level === 'info'), JSON.stringify(everything?.logs));
  });

  it('shows every request in the activity list', async () => {
    const response = await fetch(`${hub.urls.api}/state`, { headers: { Authorization: `Bearer ${await hub.mint('admin')}` } });
    const state = (await response.json()) as { activity: Array<{ tool: string; provider: string; caller: string; outcome: string }> };
    const requests = state.activity.filter((a) => a.tool.includes('/'));
    assert.ok(requests.some((a) => a.tool === 'sampling/createMessage' && a.provider === 'guarded' && a.outcome === 'denied'));
    assert.ok(requests.some((a) => a.tool === 'elicitation/create' && a.caller === 'ai:legacy' && a.outcome === 'ok'));
    assert.ok(requests.some((a) => a.tool === 'roots/list' && a.caller === 'ai:modern' && a.outcome === 'ok'));
  });
});

describe('a provider\'s request waits for approval like a tool call (default "ask")', () => {
  let hub: RunningHub;
  let client: AnsweringClient;
  let bridge: BridgeProcess;

  before(async () => {
    // Tool calls of this provider are allowed by rule; its sampling requests fall to the default.
    // server-everything asks for the roots 350 ms after it starts, whatever runs then: denied at
    // once here, so that request never waits in the queue beside the sampling these tests decide.
    const rules = [
      ...['trigger-sampling-request', 'trigger-long-running-operation'].map((tool) => ({ provider: 'slowpoke', tool, policy: 'allow' })),
      { provider: 'slowpoke', tool: 'roots/list', policy: 'deny' },
    ];
    hub = await startHub({ config: { approvals: { default: 'ask', rules }, providers: { slowpoke: { call_timeout_s: 0.2 } } } });
    bridge = await bridgeEverything(hub, 'slowpoke');
    client = await answeringClient(hub, 'v1', 'desk');
  });

  after(async () => {
    await client?.close().catch(() => undefined);
    bridge?.process.kill();
    await hub?.stop();
  });

  it('waits in the pending queue, and the call\'s timeout stands still meanwhile', async () => {
    const events = await adminEvents(hub);
    try {
      const call = client.call('slowpoke__trigger-sampling-request', { prompt: 'may I?', maxTokens: 5 });
      const state = await events.until((s) => s.pending.some((p) => p.tool === 'sampling/createMessage'));
      const pending = state.pending.find((p) => p.tool === 'sampling/createMessage')!;
      assert.equal(pending.provider, 'slowpoke');
      assert.equal(pending.caller, 'ai:desk');
      assert.match(JSON.stringify(pending.arguments), /may I\?/);
      // Another call of the same provider runs into its 0.2 s timeout: that much time has passed.
      const lapsed = await client.call('slowpoke__trigger-long-running-operation', { duration: 5, steps: 1 });
      assert.match(text(lapsed), /did not answer trigger-long-running-operation within 0\.2 s/);
      const decided = await adminRequest(hub, 'POST', `/approvals/${pending.id}/approve`, {});
      assert.equal(decided.status, 200);
      assert.match(text(await call), /sampled by desk/);
    } finally {
      events.close();
    }
  });

  it('the AI client\'s cancellation of its call ends the provider\'s request waiting for approval', async () => {
    const events = await adminEvents(hub);
    try {
      const controller = new AbortController();
      const call = client.call('slowpoke__trigger-sampling-request', { prompt: 'never mind', maxTokens: 5 }, { signal: controller.signal });
      const state = await events.until((s) => s.pending.some((p) => p.tool === 'sampling/createMessage'));
      const id = state.pending.find((p) => p.tool === 'sampling/createMessage')!.id;
      controller.abort();
      await assert.rejects(call);
      await events.until((s) => !s.pending.some((p) => p.id === id));
      const lines = await auditLines(hub);
      const ended = lines.filter((l) => l.event === 'request' && l.tool === 'sampling/createMessage').at(-1);
      assert.equal(ended?.outcome, 'cancelled');
    } finally {
      events.close();
    }
  });

  it('a person\'s denial reaches the provider as an error saying who denied it', async () => {
    const events = await adminEvents(hub);
    try {
      const before = client.asked.length;
      const call = client.call('slowpoke__trigger-sampling-request', { prompt: 'again?', maxTokens: 5 });
      const state = await events.until((s) => s.pending.some((p) => p.tool === 'sampling/createMessage'));
      const pending = state.pending.find((p) => p.tool === 'sampling/createMessage')!;
      await adminRequest(hub, 'POST', `/approvals/${pending.id}/deny`, {});
      assert.match(text(await call), /Inlet did not pass sampling\/createMessage to ai:desk: denied by cli/);
      assert.equal(client.asked.length, before);
      const lines = await auditLines(hub);
      const decision = lines.find((l) => l.event === 'decision' && l.tool === 'sampling/createMessage' && l.decision === 'deny');
      assert.ok(decision, 'the decision is audited');
    } finally {
      events.close();
    }
  });
});
