import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, names, startHub, textOf, type RunningHub } from './helpers/hub-process.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** Resolves once the panel's event stream shows a call waiting for approval. */
async function callWaiting(hub: RunningHub): Promise<void> {
  const response = await fetch(`${hub.urls.api}/events`, { headers: { Authorization: `Bearer ${await hub.mint('admin')}` } });
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended before a call waited');
      text += decoder.decode(value, { stream: true });
      const events = text.split('\n\n');
      text = events.pop()!;
      for (const event of events) {
        const data = event.split('\n').find((line) => line.startsWith('data: '));
        if (data && (JSON.parse(data.slice(6)) as { pending: unknown[] }).pending.length > 0) return;
      }
    }
  } finally {
    await reader.cancel();
  }
}

describe('inlet serve shutdown', () => {
  it('stops cleanly on Ctrl-C after its stdout and stderr pipes closed (tee ended first)', async () => {
    // `inlet serve 2>&1 | tee hub.log` and Ctrl-C: tee dies first, and the hub's next line
    // ("SIGINT received", at log level info) meets a pipe nobody reads.
    const hub = await startHub({ config: { approvals: { default: 'ask' } }, env: { INLET_LOG: 'info' } });
    const provider = await dialProvider(`${hub.urls.ws}?server_name=shop&token=${encodeURIComponent(await hub.mint('provider:shop'))}`, { tools: ['buy'] });
    const ai = await connectAi(hub);
    await ai.waitForTools((tools) => names(tools).includes('shop__buy'));
    const call = ai.callTool({ name: 'shop__buy', arguments: {} }) as Promise<CallToolResult>;
    await callWaiting(hub);

    const stdout = hub.process.stdout!;
    const stderr = hub.process.stderr!;
    stdout.destroy();
    stderr.destroy();
    await Promise.all([once(stdout, 'close'), once(stderr, 'close')]);
    const exit = hub.stop('SIGINT');

    const result = await call;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /the hub shut down while it waited for approval/);
    assert.equal(await exit, 0, 'a clean exit, not a crash on EPIPE');
    assert.equal(existsSync(join(hub.dataDir, 'hub.json')), false, 'hub.json is removed');
    assert.equal(existsSync(join(hub.dataDir, 'control.sock')), false, 'control.sock is removed');
    assert.equal((await provider.closed).code, 1001);
    await ai.close().catch(() => undefined);
  });
});
