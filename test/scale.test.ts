import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, names, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';

const PROVIDERS = 200;

describe(`${PROVIDERS} providers connected at once`, () => {
  let hub: RunningHub;
  let ai: AiClient;
  const providers: Array<Awaited<ReturnType<typeof dialProvider>>> = [];

  before(async () => {
    hub = await startHub();
    ai = await connectAi(hub);
  });
  after(async () => {
    for (const p of providers) p.socket.terminate();
    await ai?.close();
    await hub?.stop();
  });

  it('are all listed and each is callable', async () => {
    const dialled = await Promise.all(
      Array.from({ length: PROVIDERS }, async (_, i) => {
        const token = await hub.mint(`provider:p${i}`);
        return dialProvider(`${hub.urls.ws}?server_name=p${i}&token=${encodeURIComponent(token)}`, { tools: ['whoami'] });
      }),
    );
    providers.push(...dialled);
    const tools = (await ai.waitForTools((list) => names(list).length === PROVIDERS)).filter((t) => t.name !== 'permissions__approve');
    assert.equal(new Set(tools.map((t) => t.name)).size, PROVIDERS);
    const results = await Promise.all(
      Array.from({ length: PROVIDERS }, (_, i) => ai.callTool({ name: `p${i}__whoami`, arguments: { text: String(i) } })),
    );
    results.forEach((result, i) => assert.deepEqual(result.content, [{ type: 'text', text: `whoami:${i}` }]));
  });
});
