import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Pending, PanelState } from '../app/shared/admin-types.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, names, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';

/**
 * The panel's live stream (`/api/events`): resolves `until(predicate)` on the first `state`
 * event whose pending list satisfies it, so the test waits on the hub's own signal.
 */
const textArg = (entry: Pending) => (entry.arguments as { text?: string }).text;

async function watchPending(hub: RunningHub) {
  const controller = new AbortController();
  const response = await fetch(`${hub.urls.api}/events`, { headers: { Authorization: `Bearer ${await hub.mint('admin')}` }, signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  let latest: Pending[] = [];
  return {
    async until(predicate: (pending: Pending[]) => boolean): Promise<Pending[]> {
      while (!predicate(latest)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the event stream ended');
        buffered += value;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (data) latest = (JSON.parse(data) as PanelState).pending;
        }
      }
      return latest;
    },
    close: () => controller.abort(),
  };
}

describe('the pending queue is capped', () => {
  let hub: RunningHub;
  let one: AiClient;
  let two: AiClient;
  let provider: Awaited<ReturnType<typeof dialProvider>>;
  let pending: Awaited<ReturnType<typeof watchPending>>;

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', timeout_s: 600, max_pending: 3, max_pending_per_caller: 2 } } });
    [one, two] = await Promise.all([connectAi(hub, 'ai:one'), connectAi(hub, 'ai:two')]);
    provider = await dialProvider(`${hub.urls.ws}?server_name=shop&token=${encodeURIComponent(await hub.mint('provider:shop'))}`, { tools: ['buy'] });
    await one.waitForTools((tools) => names(tools).includes('shop__buy'));
    pending = await watchPending(hub);
  });
  after(async () => {
    pending?.close();
    provider?.socket.close();
    await Promise.all([one?.close(), two?.close()]);
    await hub?.stop();
  });

  const buy = (ai: AiClient, text: string) => ai.callTool({ name: 'shop__buy', arguments: { text } }) as Promise<CallToolResult>;

  async function decide(id: string, verdict: 'approve' | 'deny'): Promise<void> {
    const response = await fetch(`${hub.urls.api}/approvals/${id}/${verdict}`, { method: 'POST', headers: { Authorization: `Bearer ${await hub.mint('admin')}` } });
    assert.equal(response.status, 200);
  }

  it('past a caller\'s share, that caller\'s new call gets a tool error at once while its others wait', async () => {
    const first = buy(one, 'a');
    const second = buy(one, 'b');
    await pending.until((list) => list.length === 2);
    const third = await buy(one, 'c');
    assert.equal(third.isError, true);
    assert.equal(
      textOf(third),
      'The call to shop__buy was not made: refused at once because ai:one already has 2 calls waiting for approval, the most approvals.max_pending_per_caller allows.',
    );
    const waiting = await pending.until(() => true);
    assert.equal(waiting.length, 2, 'the refused call never joined the queue');

    const other = buy(two, 'd');
    const full = await pending.until((list) => list.length === 3);
    const refused = await buy(two, 'e');
    assert.equal(
      textOf(refused),
      'The call to shop__buy was not made: refused at once because 3 calls already wait for approval, the most approvals.max_pending allows.',
    );
    assert.match(hub.stderr(), /WARN.*approval queue full: new calls are refused until some are decided caller="ai:/);

    // A decision frees a place: the next call waits again.
    await decide(full.find((p) => textArg(p) === 'a')!.id, 'approve');
    await pending.until((list) => list.length === 2);
    const again = buy(one, 'f');
    const refilled = await pending.until((list) => list.length === 3);
    assert.deepEqual(refilled.map(textArg).sort(), ['b', 'd', 'f']);
    for (const entry of refilled) await decide(entry.id, 'deny');
    assert.equal(textOf(await first), 'buy:a');
    for (const result of await Promise.all([second, other, again])) assert.match(textOf(result), /^The call to shop__buy was not made: denied by /);
  });
});
