import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { childEnv, connectAi, EVERYTHING, FIXTURES, names, startBridge, startHub, type AiClient, type BridgeProcess, type RunningHub } from './helpers/hub-process.js';

describe('inlet bridge with @modelcontextprotocol/server-everything from npm', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let everything: BridgeProcess;
  let changing: BridgeProcess;
  /** The same server under a tiny call timeout, which only the timeout test calls. */
  let laggard: BridgeProcess;

  before(async () => {
    hub = await startHub({ config: { providers: { laggard: { call_timeout_s: 0.1 } } } });
    ai = await connectAi(hub);
    everything = startBridge(hub, 'everything', [process.execPath, EVERYTHING]);
    changing = startBridge(hub, 'changing', [process.execPath, join(FIXTURES, 'changing-server.js')]);
    laggard = startBridge(hub, 'laggard', [process.execPath, join(FIXTURES, 'changing-server.js')]);
    await ai.waitForTools((tools) => ['everything__echo', 'changing__echo', 'laggard__echo'].every((name) => names(tools).includes(name)));
  });

  after(async () => {
    await ai?.close();
    for (const bridge of [everything, changing, laggard]) bridge?.process.kill();
    await hub?.stop();
  });

  it('lists the server\'s tools under provider__tool names', async () => {
    const { tools } = await ai.listTools();
    for (const expected of ['everything__echo', 'everything__get-sum', 'everything__trigger-long-running-operation', 'everything__get-tiny-image']) {
      assert.ok(names(tools).includes(expected), `${expected} missing from ${names(tools).join(', ')}`);
    }
    const echo = tools.find((t) => t.name === 'everything__echo')!;
    assert.equal(echo.description, 'Echoes back the input string');
    assert.equal(echo.annotations?.readOnlyHint, true, 'annotations pass through');
  });

  it('calls a tool and returns the server\'s answer', async () => {
    const result = await ai.callTool({ name: 'everything__echo', arguments: { message: 'hello through the hub' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'Echo: hello through the hub' }]);
    const sum = await ai.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 40 } });
    assert.match(JSON.stringify(sum.content), /42/);
  });

  it('passes every content type through unchanged (same answer as talking to the server directly)', async () => {
    const direct = new Client({ name: 'direct', version: '1' });
    await direct.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING], env: childEnv(hub.dataDir) as Record<string, string>, stderr: 'ignore' }));
    try {
      for (const [tool, args] of [['get-tiny-image', {}], ['get-structured-content', { location: 'New York' }], ['get-resource-links', { count: 2 }], ['get-annotated-message', { messageType: 'error', includeImage: true }]] as const) {
        const viaHub = await ai.callTool({ name: `everything__${tool}`, arguments: args });
        const straight = await direct.callTool({ name: tool, arguments: args });
        assert.deepEqual(viaHub, straight, `${tool} differs through the hub`);
      }
      const image = await ai.callTool({ name: 'everything__get-tiny-image', arguments: {} });
      assert.ok((image.content as Array<{ type: string }>).some((c) => c.type === 'image'), 'image content arrives');
    } finally {
      await direct.close();
    }
  });

  it('delivers progress notifications of a long-running call', async () => {
    const progress: number[] = [];
    const result = await ai.callTool(
      { name: 'everything__trigger-long-running-operation', arguments: { duration: 1, steps: 4 } },
      CallToolResultSchema,
      { onprogress: (p) => progress.push(p.progress) },
    );
    assert.deepEqual(progress, [1, 2, 3, 4]);
    assert.match(JSON.stringify(result.content), /Long running operation completed/);
  });

  it('passes the AI client\'s cancellation through to the server', async () => {
    const controller = new AbortController();
    const waiting = count(changing.output(), /WAITING/g);
    const cancelled = count(changing.output(), /CANCELLED/g);
    const call = ai.callTool({ name: 'changing__wait_for_cancel', arguments: {} }, CallToolResultSchema, { signal: controller.signal });
    await changing.waitForOutput((out) => count(out, /WAITING/g) > waiting);
    controller.abort('user pressed stop');
    await assert.rejects(call);
    await changing.waitForOutput((out) => count(out, /CANCELLED/g) > cancelled);
  });

  it('ends a call that outlives the provider\'s timeout with an error naming provider and time, and cancels it there', async () => {
    const result = await ai.callTool({ name: 'laggard__wait_for_cancel', arguments: {} });
    assert.equal(result.isError, true);
    assert.match(JSON.stringify(result.content), /Provider \\"laggard\\" did not answer wait_for_cancel within 0\.1 s/);
    await laggard.waitForOutput((out) => out.includes('CANCELLED'));
  });

  it('propagates a tool-list change of the server to the AI client', async () => {
    const other = await connectAi(hub, 'ai:watcher');
    const notified = new Promise<void>((resolve) => other.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    await ai.callTool({ name: 'changing__add_tool', arguments: { name: 'fresh' } });
    await ai.waitForTools((list) => names(list).includes('changing__fresh'));
    await notified;
    const fresh = await other.callTool({ name: 'changing__fresh', arguments: {} });
    assert.deepEqual(fresh.content, [{ type: 'text', text: 'I am fresh' }]);
    await other.close();
  });

  it('answers an unknown tool with a JSON-RPC error that names it', async () => {
    await assert.rejects(ai.callTool({ name: 'nobody__nothing', arguments: {} }), /Unknown tool: nobody__nothing/);
  });
});

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;
