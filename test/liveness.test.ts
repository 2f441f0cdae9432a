import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, FIXTURES, names, startBridge, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';

const HEARTBEAT_S = 1;

describe('liveness: providers that die, stall or reconnect', () => {
  let hub: RunningHub;
  let ai: AiClient;

  before(async () => {
    hub = await startHub({ config: { reverse_mcp_settings: { heartbeat_s: HEARTBEAT_S } } });
    ai = await connectAi(hub);
  });
  after(async () => {
    await ai?.close();
    await hub?.stop();
  });

  it('kill -9 of a bridge: its tools leave tools/list and a call in flight fails, both promptly', async () => {
    const bridge = startBridge(hub, 'doomed', [process.execPath, join(FIXTURES, 'changing-server.js')]);
    await ai.waitForTools((tools) => names(tools).includes('doomed__wait_for_cancel'));
    const call = ai.callTool({ name: 'doomed__wait_for_cancel', arguments: {} });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const killedAt = Date.now();
    bridge.process.kill('SIGKILL');
    const result = await call;
    const failedAfter = Date.now() - killedAt;
    assert.equal(result.isError, true);
    assert.match(JSON.stringify(result.content), /Provider \\"doomed\\" disconnected while wait_for_cancel was running/);
    await ai.waitForTools((tools) => !names(tools).includes('doomed__wait_for_cancel'), 2_000);
    assert.ok(failedAfter < HEARTBEAT_S * 1000, `the call failed ${failedAfter} ms after the kill, not at once`);
  });

  it('a provider stopped with SIGSTOP (silent death) is gone within two heartbeats', async () => {
    const bridge = startBridge(hub, 'frozen', [process.execPath, join(FIXTURES, 'changing-server.js')]);
    await ai.waitForTools((tools) => names(tools).includes('frozen__echo'));
    const call = ai.callTool({ name: 'frozen__wait_for_cancel', arguments: {} });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stoppedAt = Date.now();
    bridge.process.kill('SIGSTOP');
    try {
      const result = await call;
      const gone = Date.now() - stoppedAt;
      assert.equal(result.isError, true);
      assert.match(JSON.stringify(result.content), /no answer to pings/);
      await ai.waitForTools((tools) => !names(tools).includes('frozen__echo'), 1_000);
      // Two heartbeats, plus scheduling slack on a loaded 2-core machine.
      assert.ok(gone <= 2 * HEARTBEAT_S * 1000 + 400, `gone after ${gone} ms`);
    } finally {
      bridge.process.kill('SIGCONT');
      bridge.process.kill('SIGKILL');
    }
  });

  it('a reconnect with the same name replaces the old connection, survives, and keeps the exposed names', async () => {
    const token = await hub.mint('provider:twice');
    const url = `${hub.urls.ws}?server_name=twice&token=${encodeURIComponent(token)}`;
    const first = await dialProvider(url, { tools: ['alpha', 'beta.gamma'] });
    const firstNames = names(await ai.waitForTools((tools) => names(tools).some((n) => n.startsWith('twice__'))));
    const second = await dialProvider(url, { tools: ['alpha', 'beta.gamma'] });
    const closed = await first.closed;
    assert.equal(closed.code, 4000, 'the old connection is told it was replaced');
    // Outlive the old connection's clean-up and a heartbeat or two: the new one must stay.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const secondNames = names(await ai.waitForTools((tools) => names(tools).some((n) => n.startsWith('twice__'))));
    assert.deepEqual(secondNames, firstNames);
    assert.equal(second.socket.readyState, second.socket.OPEN);
    const result = await ai.callTool({ name: 'twice__alpha', arguments: { text: 'still here' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'alpha:still here' }]);
    second.socket.close();
  });
});
