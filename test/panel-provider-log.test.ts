import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { answeringClient, bridgeEverything, type AnsweringClient } from './helpers/answering-clients.js';
import { startHub, type BridgeProcess, type RunningHub } from './helpers/hub-process.js';
import { launchPanelBrowser, logIn, newPanelPage, panelSkip } from './helpers/panel-browser.js';

/** The provider card's recent log lines, in a real Chromium against a real hub and server-everything. */
describe('the panel shows a provider\'s recent log lines', { skip: panelSkip }, () => {
  let hub: RunningHub;
  let bridge: BridgeProcess;
  let client: AnsweringClient;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    hub = await startHub();
    bridge = await bridgeEverything(hub, 'everything');
    client = await answeringClient(hub, 'v2', 'modern');
    browser = await launchPanelBrowser();
    ({ page, problems } = await newPanelPage(browser));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
    bridge?.process.kill();
    await hub?.stop();
  });

  it('lists the line server-everything logs when it receives the roots, under its card', async () => {
    await logIn(page, hub);
    // server-everything logs "Roots updated" once the calling client has answered roots/list.
    await client.call('everything__get-roots-list');
    const card = page.getByRole('article', { name: 'everything', exact: true });
    const summary = card.getByText(/^Recent log \(\d+ lines?, latest: \w+\)$/);
    await summary.click();
    const log = card.getByRole('list', { name: 'Recent log of everything' });
    await log.getByText(/Roots updated: 1 root\(s\) received from client/).waitFor();
    assert.match(await log.innerText(), /info/);
    assert.deepEqual(problems, []);
  });
});
