import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { PanelState } from '../app/shared/admin-types.js';
import { watchHub } from './helpers/hub-events.js';
import { childEnv, CLI, connectAi, FIXTURES, names, startBridge, startHub } from './helpers/hub-process.js';

describe('a hub restart', () => {
  it('the bridge reconnects by itself, re-initializes, and inlet stdio carries on with a new session', async () => {
    const first = await startHub();
    const bridge = startBridge(first, 'survivor', [process.execPath, join(FIXTURES, 'changing-server.js')]);
    const stdioClient = new Client({ name: 'desktop', version: '1' });
    await stdioClient.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'stdio'], env: childEnv(first.dataDir) as Record<string, string>, stderr: 'pipe' }));
    const ai1 = await connectAi(first);
    await ai1.waitForTools((tools) => names(tools).includes('survivor__echo'));
    const inFlight = ai1.callTool({ name: 'survivor__wait_for_cancel', arguments: {} });
    await bridge.waitForOutput((out) => out.includes('WAITING'));
    assert.equal(await first.stop(), 0);
    const failed = await inFlight;
    assert.equal(failed.isError, true, 'the call in flight got an error, not silence');

    const second = await startHub({ dataDir: first.dataDir });
    try {
      const ai2 = await connectAi(second);
      await ai2.waitForTools((tools) => names(tools).includes('survivor__echo'));
      const result = await ai2.callTool({ name: 'survivor__echo', arguments: { text: 'back again' } });
      assert.deepEqual(result.content, [{ type: 'text', text: 'back again' }]);
      assert.match(bridge.output(), /retrying in/);
      const viaStdio = await stdioClient.callTool({ name: 'survivor__echo', arguments: { text: 'desktop too' } });
      assert.deepEqual(viaStdio.content, [{ type: 'text', text: 'desktop too' }]);
      await ai2.close();
    } finally {
      await stdioClient.close().catch(() => undefined);
      bridge.process.kill();
      await second.stop();
    }
  });

  it('a bridge whose server exits says so and exits non-zero; with --restart it comes back', async () => {
    const hub = await startHub();
    try {
      const ai = await connectAi(hub);
      const once = startBridge(hub, 'once', [process.execPath, join(FIXTURES, 'changing-server.js')]);
      await ai.waitForTools((tools) => names(tools).includes('once__exit'));
      await ai.callTool({ name: 'once__exit', arguments: {} });
      assert.equal(await once.exited, 3);
      assert.match(once.output(), /the server ".*changing-server\.js" exited with code 3; stopping/);

      const events = await watchHub(hub);
      const again = startBridge(hub, 'phoenix', [process.execPath, join(FIXTURES, 'changing-server.js')], ['--restart']);
      const phoenix = (state: PanelState) => state.status.providers.find((p) => p.name === 'phoenix' && p.tools.includes('phoenix__exit'));
      const firstSince = (await events.until(phoenix)).since;
      await ai.callTool({ name: 'phoenix__exit', arguments: {} });
      await again.waitForOutput((out) => /restarting in 1 s/.test(out));
      // Back as a new connection (the bridge reconnects so the hub re-initializes the new server).
      await events.until((state) => phoenix(state)?.since !== firstSince && phoenix(state));
      events.close();
      const result = await ai.callTool({ name: 'phoenix__echo', arguments: { text: 'reborn' } });
      assert.deepEqual(result.content, [{ type: 'text', text: 'reborn' }]);
      again.process.kill();
      await ai.close();
    } finally {
      await hub.stop();
    }
  });
});
