import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Browser, Page } from 'playwright-core';
import { connectAi, ROOT, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { launchPanelBrowser, newPanelPage, panelLoginUrl, panelSkip, providerUrl } from './helpers/panel-browser.js';
import { dialProvider } from './fixtures/ws-provider.js';

/**
 * The panel routes the tray app opens (a notification or menu item opens `#pending/<id>`, the
 * first run `#welcome`), through the one-time login URL's `view`, in a real Chromium against a
 * real hub.
 */
describe('the panel opened at a view by its login link', { skip: panelSkip }, () => {
  let hub: RunningHub;
  let ai: AiClient;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  const openAt = async (view: string) => {
    const response = await page.goto(`${await panelLoginUrl(hub)}&view=${encodeURIComponent(view)}`);
    assert.equal(response?.status(), 200);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 10_000 });
  };

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', timeout_s: 60 } } });
    await dialProvider(await providerUrl(hub, 'tp'), { tools: ['echo', 'greet'] });
    ai = await connectAi(hub);
    await ai.waitForTools((tools) => tools.some((t) => t.name === 'tp__greet'));
    browser = await launchPanelBrowser();
    ({ page, problems } = await newPanelPage(browser));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await ai?.close().catch(() => undefined);
    await hub?.stop();
  });

  it('#pending/<id> marks that call among several, and says so once it is no longer waiting', async () => {
    const first = ai.callTool({ name: 'tp__echo', arguments: { text: 'one' } }) as Promise<CallToolResult>;
    const second = ai.callTool({ name: 'tp__greet', arguments: { text: 'two' } }) as Promise<CallToolResult>;
    const token = await hub.mint('admin');
    let pending: Array<{ id: string; tool: string }> = [];
    while (pending.length < 2) {
      pending = (await (await fetch(`${hub.urls.api}/approvals`, { headers: { Authorization: `Bearer ${token}` } })).json()) as typeof pending;
    }
    const greet = pending.find((p) => p.tool === 'greet')!;
    await openAt(`pending/${greet.id}`);
    assert.equal(new URL(page.url()).hash, `#pending/${greet.id}`);
    const current = page.locator('article[aria-current="true"]');
    await current.waitFor({ timeout: 5_000 });
    assert.equal(await current.getAttribute('aria-labelledby'), `pending-${greet.id}`);
    assert.match(await current.innerText(), /tp \/ greet/);
    assert.equal(await page.locator('article.pending').count(), 2);

    await current.getByRole('button', { name: 'Approve', exact: true }).click();
    assert.equal(textOf(await second), 'greet:two');
    await page.getByText('The call you opened is no longer waiting').waitFor({ timeout: 5_000 });
    await page.locator('article.pending').first().getByRole('button', { name: 'Deny', exact: true }).click();
    assert.equal((await first).isError, true);
  });

  it('#welcome walks through connecting an AI client and the companion extension, and Done closes it', async () => {
    await openAt('welcome');
    const welcome = page.getByRole('region', { name: 'Welcome to Inlet' });
    await welcome.waitFor({ timeout: 5_000 });
    const text = await welcome.innerText();
    assert.match(text, /Connect an AI client/);
    assert.match(text, /chrome:\/\/extensions/);
    assert.ok(text.includes(join(ROOT, 'clients', 'browser-extension')), 'the extension folder of this installation');
    assert.ok(text.includes(hub.urls.mcp));
    await welcome.getByRole('button', { name: 'Done' }).click();
    await welcome.waitFor({ state: 'detached', timeout: 5_000 });
  });

  it('a view that is not a panel route lands on the panel itself, never elsewhere', async () => {
    const token = await hub.mint('admin');
    for (const view of ['https://example.com/', '//evil.example', 'pending/../../x', 'Pending']) {
      const code = (await (await fetch(`${hub.urls.api}/login-code`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })).json()) as { url: string };
      const url = `${code.url}&view=${encodeURIComponent(view)}`;
      const response = await fetch(url, { redirect: 'manual' });
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), '/', view);
    }
  });

  it('ran without a console error or a CSP violation', () => {
    assert.deepEqual(problems, []);
  });
});
