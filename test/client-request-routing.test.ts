import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialAskingProvider } from './fixtures/asking-provider.js';
import type { DialledProvider } from './fixtures/v2-provider.js';
import { answeringClient, ELICITED, rootOf, untilTools, type AnsweringClient } from './helpers/answering-clients.js';
import { hubStatus, startHub, type RunningHub } from './helpers/hub-process.js';
import { ENVELOPE, errorCode, messagesOf, modernHeaders, send } from './helpers/raw-mcp.js';

function text(result: { content: Array<{ type: string; text?: string }> }): string {
  return result.content.map((c) => c.text ?? '').join('\n');
}

describe('requests from providers of both revisions reach the client that made the call', () => {
  let hub: RunningHub;
  let modern: AnsweringClient;
  let legacy: AnsweringClient;
  let plain: AnsweringClient;
  const providers: DialledProvider[] = [];

  before(async () => {
    hub = await startHub();
    for (const revision of ['2026', '2025'] as const) {
      const token = await hub.mint(`provider:ask${revision}`);
      providers.push(await dialAskingProvider(`${hub.urls.ws}?server_name=ask${revision}&token=${encodeURIComponent(token)}`, revision));
    }
    await untilTools(hub, ['ask2026__ask', 'ask2025__ask']);
    [modern, legacy, plain] = await Promise.all([
      answeringClient(hub, 'v2', 'modern'),
      answeringClient(hub, 'v1', 'legacy'),
      answeringClient(hub, 'v2', 'plain', false),
    ]);
  });

  after(async () => {
    for (const client of [modern, legacy, plain]) await client?.close().catch(() => undefined);
    for (const provider of providers) await provider.close();
    await hub?.stop();
  });

  it('speaks 2026-07-28 with one provider and 2025 with the other', async () => {
    const status = await hubStatus(hub);
    assert.equal(status.providers.find((p) => p.name === 'ask2026')?.protocol, '2026-07-28');
    assert.match(status.providers.find((p) => p.name === 'ask2025')?.protocol ?? '', /^2025-/);
  });

  for (const provider of ['ask2026', 'ask2025']) {
    it(`${provider}: sampling, elicitation and roots are answered by the calling client of either revision`, async () => {
      for (const client of [modern, legacy]) {
        const sampled = await client.call(`${provider}__ask`, { what: 'sampling', prompt: `from ${provider}` });
        assert.match(text(sampled), new RegExp(`sampled by ${client.name}`), text(sampled));
        assert.ok(client.asked.some((a) => JSON.stringify(a.params).includes(`from ${provider}`)));
        const elicited = await client.call(`${provider}__ask`, { what: 'elicitation', prompt: 'your name?' });
        assert.ok(text(elicited).includes(ELICITED.name), text(elicited));
        const roots = await client.call(`${provider}__ask`, { what: 'roots' });
        assert.ok(text(roots).includes(rootOf(client.name).uri), text(roots));
      }
    });

    it(`${provider}: a client without the capability is refused, naming it`, async () => {
      // The 2025 provider hears the hub's error and reports it in a tool error; on 2026 the hub
      // declares per request what the client can do, so the provider's SDK refuses its own request.
      const said = await plain.call(`${provider}__ask`, { what: 'sampling', prompt: 'x' }).then(
        (result) => (assert.equal(result.isError, true), text(result)),
        (error: Error & { code?: number; data?: unknown }) => `${error.code} ${error.message} ${JSON.stringify(error.data)}`,
      );
      assert.match(said, provider === 'ask2025' ? /ai:plain that made this call did not declare the sampling capability/ : /-32021 .*"requiredCapabilities":\{"sampling"/);
    });
  }

  it('two clients calling a 2026 provider at once each answer their own call', async () => {
    const [a, b] = await Promise.all([
      modern.call('ask2026__ask', { what: 'sampling', prompt: 'mine: modern', together: 2 }),
      legacy.call('ask2026__ask', { what: 'sampling', prompt: 'mine: legacy', together: 2 }),
    ]);
    assert.match(text(a), /sampled by modern/);
    assert.match(text(b), /sampled by legacy/);
  });

  it('two clients calling a 2025 provider at once: a request that names its call reaches that call\'s client', async () => {
    const [a, b] = await Promise.all([
      modern.call('ask2025__ask', { what: 'sampling', prompt: 'named: modern', together: 2, name_call: true }),
      legacy.call('ask2025__ask', { what: 'sampling', prompt: 'named: legacy', together: 2, name_call: true }),
    ]);
    assert.match(text(a), /sampled by modern/);
    assert.match(text(b), /sampled by legacy/);
    assert.ok(!modern.asked.some((x) => JSON.stringify(x.params).includes('named: legacy')));
  });

  it('two clients calling a 2025 provider at once: an unnamed request is refused rather than guessed', async () => {
    const before = modern.asked.length + legacy.asked.length;
    const results = await Promise.all([
      modern.call('ask2025__ask', { what: 'sampling', prompt: 'unnamed', together: 2 }),
      legacy.call('ask2025__ask', { what: 'sampling', prompt: 'unnamed', together: 2 }),
    ]);
    for (const result of results) assert.match(text(result), /cannot tell which one this sampling\/createMessage belongs to/);
    assert.equal(modern.asked.length + legacy.asked.length, before, 'no client was asked');
  });

  it('a 2026 round trip by raw HTTP: input_required, and a requestState that only its own caller can resume', async () => {
    const envelope = { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': { sampling: {} } };
    const call = async (token: string, id: number, extra: Record<string, unknown> = {}) =>
      send(hub.urls.mcp, {
        method: 'POST',
        headers: modernHeaders(token, 'tools/call', 'ask2026__ask'),
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'ask2026__ask', arguments: { what: 'sampling', prompt: 'raw' }, _meta: envelope, ...extra } }),
      });
    const [mine, other] = [await hub.mint('ai:raw'), await hub.mint('ai:intruder')];
    const first = messagesOf(await call(mine, 1)).find((m) => m.id === 1)?.result as { resultType?: string; requestState?: string; inputRequests?: Record<string, { method: string; params?: unknown }> };
    assert.equal(first?.resultType, 'input_required');
    const [key, request] = Object.entries(first.inputRequests ?? {})[0]!;
    assert.equal(request.method, 'sampling/createMessage');
    assert.match(JSON.stringify(request.params), /raw/);
    const answer = { [key]: { role: 'assistant', content: { type: 'text', text: 'raw answer' }, model: 'by-hand' } };
    assert.equal(errorCode(await call(other, 2, { inputResponses: answer, requestState: first.requestState })), -32602, 'another caller cannot resume it');
    assert.equal(errorCode(await call(mine, 3, { inputResponses: answer, requestState: 'made-up' })), -32602, 'a made-up state resumes nothing');
    const done = messagesOf(await call(mine, 4, { inputResponses: answer, requestState: first.requestState })).find((m) => m.id === 4)?.result as { content?: Array<{ text?: string }> };
    assert.match(done?.content?.[0]?.text ?? '', /raw answer/);
  });
});
