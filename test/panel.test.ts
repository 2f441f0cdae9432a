import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Browser, Locator, Page } from 'playwright-core';
import { connectAi, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { launchPanelBrowser, logIn as logInTo, newPanelPage, panelLoginUrl, panelSkip, providerUrl } from './helpers/panel-browser.js';
import { dialProvider } from './fixtures/ws-provider.js';

/**
 * The panel (renderer/) in a real Chromium against a real hub, a real provider and the real SDK
 * client, asserting what a person sees through roles and text: the approval flow. The cases run
 * in order on one hub and one logged-in page; the hub restart comes last.
 */
const SCREENSHOT = '/tmp/inlet-panel.png';
/** "Within a second", as a person would count it. */
const LIVE_MS = 1_000;

type Approvals = { timeout_s: number; rules: Array<Record<string, string>> };

describe('the panel in Chromium: approvals', { skip: panelSkip }, () => {
  let hub: RunningHub;
  let ai: AiClient;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const dataDirs = new Set<string>();

  const loginUrl = () => panelLoginUrl(hub);
  const logIn = () => logInTo(page, hub);
  const dial = async (name: string, tools: string[]) => dialProvider(await providerUrl(hub, name), { tools });
  const call = (name: string, text: string) => ai.callTool({ name, arguments: { text } }) as Promise<CallToolResult>;
  const region = (name: RegExp) => page.getByRole('region', { name });
  const pendingCard = (what: string) => region(/^Pending approvals/).getByRole('article', { name: what });
  const decide = (card: Locator, button: string) => card.getByRole('button', { name: button, exact: true }).click();
  const approvals = async () => (JSON.parse(await readFile(join(hub.dataDir, 'config.json'), 'utf8')) as { approvals: Approvals }).approvals;

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', timeout_s: 30 } } });
    dataDirs.add(hub.dataDir);
    await dial('tp', ['echo', 'greet']);
    ai = await connectAi(hub);
    await ai.waitForTools((tools) => tools.some((t) => t.name === 'tp__greet'));
    browser = await launchPanelBrowser();
    ({ page, problems } = await newPanelPage(browser));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await ai?.close().catch(() => undefined);
    await hub?.stop();
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
  });

  it('refuses the panel without a valid login, and a login link works only once', async () => {
    const stranger = await browser.newContext();
    try {
      const strangerPage = await stranger.newPage();
      const response = await strangerPage.goto(`${hub.urls.api.replace(/\/api$/, '')}/`);
      assert.equal(response?.status(), 401);
      await strangerPage.getByText('Not logged in').waitFor({ timeout: 5_000 });

      const url = await loginUrl();
      const landed = await page.goto(url);
      assert.equal(landed?.status(), 200);
      assert.match(landed.headers()['content-security-policy'] ?? '', /script-src 'self';/);
      // The built page carries no inline script or style: the CSP would block them.
      assert.doesNotMatch(await landed.text(), /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=/);
      await page.getByRole('heading', { name: 'Inlet', level: 1 }).waitFor({ timeout: 10_000 });
      const reused = await strangerPage.goto(url);
      assert.equal(reused?.status(), 401);
      await strangerPage.getByText('This login link is not valid').waitFor({ timeout: 5_000 });
      const api = await strangerPage.goto(hub.urls.api + '/state');
      assert.equal(api?.status(), 401);
    } finally {
      await stranger.close();
    }
  });

  it('shows a call under ask within a second, and Approve delivers the provider\'s result', async () => {
    await logIn();
    await region(/^Providers/).getByRole('article', { name: 'tp', exact: true }).waitFor({ timeout: LIVE_MS });
    const result = call('tp__echo', 'hello panel');
    const card = pendingCard('tp / echo');
    await card.waitFor({ timeout: LIVE_MS });
    await card.getByText('ai:test').waitFor();
    assert.match(await card.getByLabel(/^Arguments of/).innerText(), /"text": "hello panel"/);
    await card.getByRole('timer').filter({ hasText: /Times out in \d+ s/ }).waitFor();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await decide(card, 'Approve');
    const answer = await result;
    assert.equal(answer.isError, undefined);
    assert.equal(textOf(answer), 'echo:hello panel');
    await card.waitFor({ state: 'detached', timeout: LIVE_MS });
    await region(/^Recent activity/).getByRole('row').filter({ hasText: 'panel' }).filter({ hasText: 'done' }).first().waitFor({ timeout: LIVE_MS });
  });

  it('Deny gives the AI client a tool error saying it was denied', async () => {
    const result = call('tp__echo', 'no thanks');
    const card = pendingCard('tp / echo');
    await card.waitFor({ timeout: LIVE_MS });
    await decide(card, 'Deny');
    const answer = await result;
    assert.equal(answer.isError, true);
    assert.match(textOf(answer), /denied by panel/);
    await card.waitFor({ state: 'detached', timeout: LIVE_MS });
  });

  it('a timeout set in the panel ends the call with an error saying it timed out, and the item leaves', async () => {
    const policy = region(/^Policy/);
    await policy.getByLabel('Approval timeout (seconds)').fill('2');
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/policy') && r.request().method() === 'PUT');
    await policy.getByRole('button', { name: 'Save settings' }).click();
    assert.equal((await saved).status(), 200);
    assert.equal((await approvals()).timeout_s, 2);

    const result = call('tp__echo', 'too slow');
    const card = pendingCard('tp / echo');
    await card.waitFor({ timeout: LIVE_MS });
    await card.waitFor({ state: 'detached', timeout: 2_000 + LIVE_MS });
    const answer = await result;
    assert.equal(answer.isError, true);
    assert.match(textOf(answer), /timed out/);
    await region(/^Recent activity/).getByRole('row').filter({ hasText: 'timed out' }).first().waitFor({ timeout: LIVE_MS });
  });

  it('"Always allow" lets the next call through without a prompt, and lists the rule', async () => {
    const first = call('tp__greet', 'once');
    const card = pendingCard('tp / greet');
    await card.waitFor({ timeout: LIVE_MS });
    await decide(card, 'Always allow');
    assert.equal(textOf(await first), 'greet:once');

    assert.deepEqual((await approvals()).rules, [{ provider: 'tp', tool: 'greet', policy: 'allow' }]);
    const rule = region(/^Policy/).getByRole('row').filter({ hasText: 'greet' });
    await rule.waitFor({ timeout: LIVE_MS });
    assert.match(await rule.innerText(), /tp\s+greet\s+any\s+allow/);

    // A prompt would hold this call for the 2 s timeout and end it in an error.
    const second = await ai.callTool({ name: 'tp__greet', arguments: { text: 'again' } }, undefined, { timeout: 1_500 });
    assert.equal(textOf(second as CallToolResult), 'greet:again');
    assert.equal(await pendingCard('tp / greet').count(), 0);
    await region(/^Recent activity/).getByRole('row').filter({ hasText: 'rule 1' }).first().waitFor({ timeout: LIVE_MS });
  });

  it('a provider killed while the panel is open disappears from it within a second', async () => {
    const doomed = await dial('doomed', ['ping']);
    const card = region(/^Providers/).getByRole('article', { name: 'doomed', exact: true });
    await card.waitFor({ timeout: LIVE_MS });
    await card.getByText('doomed__ping').waitFor();
    doomed.socket.terminate();
    await card.waitFor({ state: 'detached', timeout: LIVE_MS });
    await region(/^Providers/).getByRole('article', { name: 'tp', exact: true }).waitFor();
  });

  it('ran without a console error or a CSP violation so far', () => {
    assert.deepEqual(problems, []);
  });

  it('keeps the "always allow" rule across a hub restart', async () => {
    const dataDir = hub.dataDir;
    await hub.stop();
    // The open page notices the hub is gone.
    await page.getByRole('status').filter({ hasText: 'reconnecting' }).waitFor({ timeout: 10_000 });
    await ai.close().catch(() => undefined);

    hub = await startHub({ dataDir });
    assert.deepEqual((await approvals()).rules, [{ provider: 'tp', tool: 'greet', policy: 'allow' }]);
    await logIn();
    const rule = region(/^Policy/).getByRole('row').filter({ hasText: 'greet' });
    await rule.waitFor({ timeout: LIVE_MS });
    assert.match(await rule.innerText(), /tp\s+greet\s+any\s+allow/);

    await dial('tp', ['echo', 'greet']);
    ai = await connectAi(hub);
    await ai.waitForTools((tools) => tools.some((t) => t.name === 'tp__greet'));
    const answer = await ai.callTool({ name: 'tp__greet', arguments: { text: 'after restart' } }, undefined, { timeout: 1_500 });
    assert.equal(textOf(answer as CallToolResult), 'greet:after restart');
  });
});
