import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PromptListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';

const Loose = z.looseObject({});
const PROMPTS = Array.from({ length: 1_200 }, (_, i) => `p${i}`);
const RESOURCES = Array.from({ length: 700 }, (_, i) => `many://r/${i}`);

describe('long catalogs, the policy on reads, and subscriptions a provider does not offer', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let provider: Awaited<ReturnType<typeof dialProvider>>;

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'allow', rules: [{ provider: 'many', tool: 'resources/read', policy: 'deny' }] } } });
    ai = await connectAi(hub);
    const url = `${hub.urls.ws}?server_name=many&token=${encodeURIComponent(await hub.mint('provider:many'))}`;
    // Prompts are read last of the provider's lists: their list_changed means everything is in.
    const promptsIn = new Promise<void>((resolve) => ai.setNotificationHandler(PromptListChangedNotificationSchema, () => resolve()));
    provider = await dialProvider(url, { tools: ['echo'], prompts: PROMPTS, resources: RESOURCES });
    await promptsIn;
  });

  after(async () => {
    provider?.socket.close();
    await ai?.close();
    await hub?.stop();
  });

  it('hands long prompt and resource lists out in pages that add up to the whole list', async () => {
    for (const [method, key, expected] of [
      ['prompts/list', 'prompts', PROMPTS.map((p) => `many__${p}`)],
      ['resources/list', 'resources', RESOURCES],
    ] as const) {
      const pages: number[] = [];
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await ai.request({ method, params: cursor ? { cursor } : {} } as never, Loose);
        const entries = page[key] as Array<{ name: string; uri?: string }>;
        pages.push(entries.length);
        seen.push(...entries.map((e) => e.uri ?? e.name));
        cursor = page.nextCursor as string | undefined;
      } while (cursor);
      assert.ok(pages.length > 1 && pages.every((n) => n <= 500), `${key} came in pages of at most 500: ${pages.join(', ')}`);
      assert.deepEqual(seen.sort(), [...expected].sort());
    }
  });

  it('refuses a cursor it did not hand out', async () => {
    await assert.rejects(ai.request({ method: 'prompts/list', params: { cursor: 'bogus' } }, Loose), /Invalid cursor/);
  });

  it('applies a policy rule that names resources/read', async () => {
    await assert.rejects(ai.request({ method: 'resources/read', params: { uri: 'many://r/1' } }, Loose), /many:\/\/r\/1 was not made: denied by Inlet's policy/);
    const prompt = await ai.request({ method: 'prompts/get', params: { name: 'many__p7' } }, Loose);
    assert.deepEqual(prompt.messages, [{ role: 'user', content: { type: 'text', text: 'p7' } }], 'prompts are not touched by that rule');
  });

  it('says so when a provider offers no resource subscriptions', async () => {
    await assert.rejects(ai.subscribeResource({ uri: 'many://r/2' }), /Provider "many" does not offer resource subscriptions/);
  });
});
