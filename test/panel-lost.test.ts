import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, startHub, type RunningHub } from './helpers/hub-process.js';
import { launchPanelBrowser, logIn, newPanelPage, panelSkip, providerUrl } from './helpers/panel-browser.js';

/**
 * Issue 7 item 15: the loss of the hub must be obvious in the panel. A real hub is stopped under
 * a logged-in page in a real Chromium, then started again on the same port and data dir.
 */
const SCREENSHOT = '/tmp/inlet-panel-lost.png';

describe('the panel in Chromium: the hub goes away', { skip: panelSkip }, () => {
  let hub: RunningHub;
  let browser: Browser;
  const dataDirs = new Set<string>();

  before(async () => {
    hub = await startHub();
    dataDirs.add(hub.dataDir);
    browser = await launchPanelBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await hub?.stop();
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
  });

  it('a banner says the hub is unreachable, the last state stays dimmed and inert, and the panel retries until the hub is back', async () => {
    const provider = await dialProvider(await providerUrl(hub, 'lp'), { tools: ['echo'] });
    const ai = await connectAi(hub);
    await ai.waitForTools((tools) => tools.some((t) => t.name === 'lp__echo'));
    await ai.callTool({ name: 'lp__echo', arguments: { text: 'before' } });
    const { page, problems } = await newPanelPage(browser);
    await logIn(page, hub);
    await page.getByRole('region', { name: /^Recent activity/ }).getByRole('row').filter({ hasText: 'lp / echo' }).waitFor();
    const port = new URL(hub.urls.mcp).port;
    await ai.close();
    await hub.stop();
    provider.socket.terminate();

    const banner = page.getByRole('alert').filter({ hasText: 'Inlet cannot reach the hub' });
    await banner.waitFor({ timeout: 10_000 });
    await banner.getByRole('timer').filter({ hasText: /^(Retrying in \d+ s|Retrying…)$/ }).waitFor();
    assert.match(await banner.innerText(), /What you see below is from .+ and may be out of date/);
    await page.getByRole('status').filter({ hasText: 'reconnecting' }).waitFor();
    await page.waitForFunction(() => document.title === 'Inlet (hub unreachable)');
    // The last state is still there to read, but dimmed and out of reach of clicks and keys
    // (inert content leaves the accessibility tree, so it is found by its text).
    const main = page.locator('main');
    assert.equal(await main.getAttribute('inert'), '');
    assert.ok(Number(await main.evaluate((element) => getComputedStyle(element).opacity)) < 1, 'dimmed');
    await page.locator('#activity').getByText('lp / echo').waitFor();
    await page.screenshot({ path: SCREENSHOT });

    // "Retry now" tries at once.
    const attempt = page.waitForRequest((request) => request.url().endsWith('/api/events'));
    await banner.getByRole('button', { name: 'Retry now' }).click();
    await attempt;

    hub = await startHub({ dataDir: hub.dataDir, args: ['--port', port] });
    // The panel's own retry finds it (at most 15 s apart) with the same login.
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 20_000 });
    await banner.waitFor({ state: 'detached' });
    assert.equal(await main.getAttribute('inert'), null);
    await page.waitForFunction(() => document.title === 'Inlet');
    assert.deepEqual(
      problems.filter((p) => !/ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING/.test(p)),
      [],
      'only the lost connection itself shows in the console',
    );
    await page.context().close();
  });
});
