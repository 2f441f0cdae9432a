import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startHub, type RunningHub } from './helpers/hub-process.js';
import { launchPanelBrowser, newPanelPage, panelSkip } from './helpers/panel-browser.js';

/**
 * Issue 7 item 15: the pages a browser lands on outside the panel (a used or expired login
 * link, the panel without a login) were bare monospace text. In a real Chromium against a real
 * hub: they are styled HTML pages under the panel's CSP that say what happened and what to run.
 */
describe('the panel in Chromium: the pages outside the panel', { skip: panelSkip }, () => {
  let hub: RunningHub;
  let browser: Browser;
  let base: string;

  before(async () => {
    hub = await startHub();
    base = hub.urls.api.replace(/\/api$/, '');
    browser = await launchPanelBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await hub?.stop();
    if (hub) await rm(hub.dataDir, { recursive: true, force: true });
  });

  it('an invalid login link and the panel without a login are styled pages that say what happened and what to run', async () => {
    const { page, problems } = await newPanelPage(browser);
    const close = () => page.context().close();
    try {
      for (const [path, heading] of [
        ['/login?code=not-a-code', 'This login link is not valid'],
        ['/', 'Not logged in'],
      ] as const) {
        const response = await page.goto(base + path);
        assert.equal(response?.status(), 401);
        assert.match(response.headers()['content-type'] ?? '', /^text\/html/);
        assert.match(response.headers()['content-security-policy'] ?? '', /style-src 'self'/);
        assert.doesNotMatch(await response.text(), /<script|<style|\sstyle=/, 'nothing inline for the CSP to block');
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        assert.match(await page.title(), new RegExp(heading));
        await page.getByText('inlet panel', { exact: false }).first().waitFor();
        // This hub runs outside the default data dir, so the command it hands out names that dir.
        const command = await page.locator('pre').innerText();
        assert.match(command, /inlet\.js"? --data-dir \S+ panel$/);
        assert.ok(command.includes(hub.dataDir), command);
        // The stylesheet arrived and applies: not the browser's bare monospace text.
        const look = await page.evaluate(() => ({ sheets: document.styleSheets.length, font: getComputedStyle(document.body).fontFamily, border: getComputedStyle(document.querySelector('main')!).borderTopWidth }));
        assert.equal(look.sheets, 2, 'palette.css and message.css');
        assert.doesNotMatch(look.font, /^monospace/);
        assert.equal(look.border, '4px');
      }
      // The 401 itself is the only thing the console reports: no CSP violation, no missing file.
      assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), []);
    } finally {
      await close();
    }
  });
});
