import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Browser, Locator, Page } from 'playwright-core';
import { adminRequest, connectAi, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { BROWSER_STEP_HANG_GUARD_MS } from './helpers/chromium.js';
import { launchPanelBrowser, logIn as logInTo, newPanelPage, panelLoginUrl, panelSkip, providerUrl } from './helpers/panel-browser.js';
import { dialProvider } from './fixtures/ws-provider.js';

/**
 * The panel (renderer/) in a real Chromium against a real hub, a real provider and the real SDK
 * client, asserting what a person sees through roles and text: the approval flow. The cases
 * share one hub and one browser, but each starts from the same policy on a fresh logged-in page
 * and sets up whatever else it needs, so they pass in any order. Waits are for what appears on
 * screen, never for a time.
 */
const SCREENSHOT = '/tmp/inlet-panel.png';
/** A window no test here waits out: every decision comes from a click, never the clock. */
const NEVER_S = 3_600;

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
  /** The call's answer, or a failure as soon as a prompt for it shows up instead. */
  const withoutPrompt = (answer: Promise<CallToolResult>, what: string) =>
    Promise.race([answer, pendingCard(what).waitFor({ timeout: 0 }).then(() => assert.fail(`${what} was held for approval`))]);

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', timeout_s: NEVER_S } } });
    dataDirs.add(hub.dataDir);
    await dial('tp', ['echo', 'greet']);
    ai = await connectAi(hub);
    await ai.waitForTools((tools) => tools.some((t) => t.name === 'tp__greet'));
    browser = await launchPanelBrowser();
  });

  beforeEach(async () => {
    const reset = await adminRequest(hub, 'PUT', '/policy', { default: 'ask', timeout_s: NEVER_S, rules: [], paused: false });
    assert.equal(reset.status, 200);
    ({ page, problems } = await newPanelPage(browser));
    await logIn();
  });

  afterEach(async () => {
    const seen = [...problems];
    await page.context().close();
    assert.deepEqual(seen, [], 'no console error or CSP violation');
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await ai?.close().catch(() => undefined);
    await hub?.stop();
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
  });

  it('refuses the panel without a valid login, and a login link works only once', async () => {
    const stranger = await browser.newContext();
    stranger.setDefaultTimeout(BROWSER_STEP_HANG_GUARD_MS);
    try {
      const strangerPage = await stranger.newPage();
      const response = await strangerPage.goto(`${hub.urls.api.replace(/\/api$/, '')}/`);
      assert.equal(response?.status(), 401);
      await strangerPage.getByText('Not logged in').waitFor();

      const url = await loginUrl();
      const landed = await page.goto(url);
      assert.equal(landed?.status(), 200);
      assert.match(landed.headers()['content-security-policy'] ?? '', /script-src 'self';/);
      // The built page carries no inline script or style: the CSP would block them.
      assert.doesNotMatch(await landed.text(), /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=/);
      await page.getByRole('heading', { name: 'Inlet', level: 1 }).waitFor();
      const reused = await strangerPage.goto(url);
      assert.equal(reused?.status(), 401);
      await strangerPage.getByText('This login link is not valid').waitFor();
      const api = await strangerPage.goto(hub.urls.api + '/state');
      assert.equal(api?.status(), 401);
    } finally {
      await stranger.close();
    }
  });

  it('shows a call under ask as it starts waiting, and Approve delivers the provider\'s result', async () => {
    await region(/^Providers/).getByRole('article', { name: 'tp', exact: true }).waitFor();
    const result = call('tp__echo', 'hello panel');
    const card = pendingCard('tp / echo');
    await card.waitFor();
    await card.getByText('ai:test').waitFor();
    assert.match(await card.getByLabel(/^Arguments of/).innerText(), /"text": "hello panel"/);
    await card.getByRole('timer').filter({ hasText: /Times out in \d+ s/ }).waitFor();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await decide(card, 'Approve');
    const answer = await result;
    assert.equal(answer.isError, undefined);
    assert.equal(textOf(answer), 'echo:hello panel');
    await card.waitFor({ state: 'detached' });
    await region(/^Recent activity/).getByRole('row').filter({ hasText: 'panel' }).filter({ hasText: 'done' }).first().waitFor();
  });

  it('Deny gives the AI client a tool error saying it was denied', async () => {
    const result = call('tp__echo', 'no thanks');
    const card = pendingCard('tp / echo');
    await card.waitFor();
    await decide(card, 'Deny');
    const answer = await result;
    assert.equal(answer.isError, true);
    assert.match(textOf(answer), /denied by panel/);
    await card.waitFor({ state: 'detached' });
  });

  it('a timeout set in the panel ends the call with an error saying it timed out, and the item leaves', async () => {
    const policy = region(/^Policy/);
    await policy.getByLabel('Approval timeout (seconds)').fill('1');
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/policy') && r.request().method() === 'PUT');
    await policy.getByRole('button', { name: 'Save settings' }).click();
    assert.equal((await saved).status(), 200);
    assert.equal((await approvals()).timeout_s, 1);

    // Nobody decides: the outcome is the timeout's, however long the machine takes to get there.
    const answer = await call('tp__echo', 'too slow');
    assert.equal(answer.isError, true);
    assert.match(textOf(answer), /timed out/);
    await region(/^Recent activity/).getByRole('row').filter({ hasText: 'timed out' }).first().waitFor();
    await pendingCard('tp / echo').waitFor({ state: 'detached' });
  });

  it('"Always allow" lets the next call through without a prompt, and lists the rule', async () => {
    const first = call('tp__greet', 'once');
    const card = pendingCard('tp / greet');
    await card.waitFor();
    await decide(card, 'Always allow');
    assert.equal(textOf(await first), 'greet:once');
    await card.waitFor({ state: 'detached' });

    assert.deepEqual((await approvals()).rules, [{ provider: 'tp', tool: 'greet', policy: 'allow' }]);
    const rule = region(/^Policy/).getByRole('row').filter({ hasText: 'greet' });
    await rule.waitFor();
    assert.match(await rule.innerText(), /tp\s+greet\s+any\s+allow/);

    const second = await withoutPrompt(call('tp__greet', 'again'), 'tp / greet');
    assert.equal(textOf(second), 'greet:again');
    await region(/^Recent activity/).getByRole('row').filter({ hasText: 'rule 1' }).first().waitFor();
  });

  it('a provider killed while the panel is open disappears from it', async () => {
    const doomed = await dial('doomed', ['ping']);
    const card = region(/^Providers/).getByRole('article', { name: 'doomed', exact: true });
    await card.waitFor();
    await card.getByText('doomed__ping').waitFor();
    doomed.socket.terminate();
    await card.waitFor({ state: 'detached' });
    await region(/^Providers/).getByRole('article', { name: 'tp', exact: true }).waitFor();
  });

  it('keeps an "allow" rule across a hub restart', async () => {
    const rule = { provider: 'tp', tool: 'greet', policy: 'allow' };
    assert.equal((await adminRequest(hub, 'POST', '/policy/rules', rule)).status, 200);
    const dataDir = hub.dataDir;
    await hub.stop();
    // The open page notices the hub is gone (its failed reconnects are console errors of their
    // own, so the rest of the test uses a fresh page).
    await page.getByRole('status').filter({ hasText: 'reconnecting' }).waitFor();
    await page.context().close();
    await ai.close().catch(() => undefined);

    hub = await startHub({ dataDir });
    assert.deepEqual((await approvals()).rules, [rule]);
    ({ page, problems } = await newPanelPage(browser));
    await logIn();
    const row = region(/^Policy/).getByRole('row').filter({ hasText: 'greet' });
    await row.waitFor();
    assert.match(await row.innerText(), /tp\s+greet\s+any\s+allow/);

    await dial('tp', ['echo', 'greet']);
    ai = await connectAi(hub);
    await ai.waitForTools((tools) => tools.some((t) => t.name === 'tp__greet'));
    const answer = await withoutPrompt(call('tp__greet', 'after restart'), 'tp / greet');
    assert.equal(textOf(answer), 'greet:after restart');
  });
});
