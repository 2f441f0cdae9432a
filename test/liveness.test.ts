import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, FIXTURES, names, startBridge, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';

describe('liveness: a provider that dies', () => {
  let hub: RunningHub;
  let ai: AiClient;

  // The default heartbeat (15 s): what ends the call below is the closed socket, not a missed ping.
  before(async () => {
    hub = await startHub();
    ai = await connectAi(hub);
  });
  after(async () => {
    await ai?.close();
    await hub?.stop();
  });

  it('kill -9 of a bridge: a call in flight fails saying the provider disconnected, and its tools leave tools/list', async () => {
    const bridge = startBridge(hub, 'doomed', [process.execPath, join(FIXTURES, 'changing-server.js')]);
    await ai.waitForTools((tools) => names(tools).includes('doomed__wait_for_cancel'));
    const call = ai.callTool({ name: 'doomed__wait_for_cancel', arguments: {} });
    await bridge.waitForOutput((out) => out.includes('WAITING'));
    bridge.process.kill('SIGKILL');
    const result = await call;
    assert.equal(result.isError, true);
    assert.match(JSON.stringify(result.content), /Provider \\"doomed\\" disconnected while wait_for_cancel was running/);
    await ai.waitForTools((tools) => !names(tools).includes('doomed__wait_for_cancel'));
  });
});

describe('liveness: the heartbeat (1 s)', () => {
  let hub: RunningHub;
  let ai: AiClient;

  before(async () => {
    hub = await startHub({ config: { reverse_mcp_settings: { heartbeat_s: 1 } } });
    ai = await connectAi(hub);
  });
  after(async () => {
    await ai?.close();
    await hub?.stop();
  });

  it('a provider stopped with SIGSTOP (silent death) is dropped for not answering pings', async () => {
    const bridge = startBridge(hub, 'frozen', [process.execPath, join(FIXTURES, 'changing-server.js')]);
    await ai.waitForTools((tools) => names(tools).includes('frozen__echo'));
    const call = ai.callTool({ name: 'frozen__wait_for_cancel', arguments: {} });
    await bridge.waitForOutput((out) => out.includes('WAITING'));
    bridge.process.kill('SIGSTOP');
    try {
      const result = await call;
      assert.equal(result.isError, true);
      assert.match(JSON.stringify(result.content), /no answer to pings/);
      await ai.waitForTools((tools) => !names(tools).includes('frozen__echo'));
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
    // Outlive the old connection's clean-up and two heartbeats: the hub pings the new one twice.
    await new Promise<void>((resolve) => {
      let pings = 0;
      second.socket.on('ping', () => ++pings === 2 && resolve());
    });
    const secondNames = names(await ai.waitForTools((tools) => names(tools).some((n) => n.startsWith('twice__'))));
    assert.deepEqual(secondNames, firstNames);
    assert.equal(second.socket.readyState, second.socket.OPEN);
    const result = await ai.callTool({ name: 'twice__alpha', arguments: { text: 'still here' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'alpha:still here' }]);
    second.socket.close();
  });
});
