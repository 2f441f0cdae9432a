import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { answeringClient, bridgeEverything, ELICITED, rootOf, type AnsweringClient } from './helpers/answering-clients.js';
import { startHub, type BridgeProcess, type RunningHub } from './helpers/hub-process.js';

function text(result: { content: Array<{ type: string; text?: string }> }): string {
  return result.content.map((c) => c.text ?? '').join('\n');
}

describe('inlet stdio relays a provider\'s requests and log lines to a stdio AI client and its answers back', () => {
  let hub: RunningHub;
  let bridge: BridgeProcess;
  const clients: AnsweringClient[] = [];

  before(async () => {
    hub = await startHub();
    bridge = await bridgeEverything(hub, 'everything');
    clients.push(await answeringClient(hub, 'v1', 'desktop', true, 'stdio'), await answeringClient(hub, 'v2', 'modern', true, 'stdio'));
  });

  after(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    bridge?.process.kill();
    await hub?.stop();
  });

  it('the 2025 client answers roots/list over stdin/stdout and hears the provider\'s log line', async () => {
    // server-everything asks for the roots once and keeps them, so one client asks for them.
    const [desktop] = clients;
    const result = await desktop!.call('everything__get-roots-list');
    assert.ok(text(result).includes(rootOf('desktop').uri), text(result));
    assert.ok(desktop!.logs.some((l) => /Roots updated: 1 root/.test(String(l.data))), JSON.stringify(desktop!.logs));
  });

  for (const index of [0, 1]) {
    it(`sampling and elicitation pass through stdio both ways (${index === 0 ? '2025' : '2026-07-28'} client)`, async () => {
      const client = clients[index]!;
      if (index === 1) assert.equal(client.protocol, '2026-07-28');
      const sampled = await client.call('everything__trigger-sampling-request', { prompt: 'over stdio', maxTokens: 5 });
      assert.match(text(sampled), new RegExp(`sampled by ${client.name}`));
      assert.ok(client.asked.some((a) => a.method === 'sampling/createMessage' && JSON.stringify(a.params).includes('over stdio')));
      const elicited = await client.call('everything__trigger-elicitation-request');
      assert.ok(text(elicited).includes(ELICITED.name), text(elicited));
    });
  }
});
