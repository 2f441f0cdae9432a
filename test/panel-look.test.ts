import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Pending } from '../app/shared/admin-types.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { launchPanelBrowser, logIn, newPanelPage, panelSkip, providerUrl } from './helpers/panel-browser.js';

/**
 * Issue 7 item 15, in a real Chromium against a real hub: what the panel looks like to a person
 * (the tab title, how durations and times read, a 420 px window, a lost hub) and the two pages a
 * Each test opens its own tab of one logged-in session. The pages a browser can land on outside
 * the panel are panel-pages.test.ts; the lost hub is panel-lost.test.ts.
 */
const NARROW_SCREENSHOT = '/tmp/inlet-panel-420.png';
/** Seconds between keep-alive beats: the tests count beats instead of sleeping. */
const BEAT_S = 0.25;

describe('the panel in Chromium: how it reads', { skip: panelSkip }, () => {
  let hub: RunningHub;
  let ai: AiClient;
  let browser: Browser;
  let provider: Awaited<ReturnType<typeof dialProvider>>;
  let session: BrowserContext;
  const dataDirs = new Set<string>();

  const base = () => hub.urls.api.replace(/\/api$/, '');
  const admin = async (method: 'GET' | 'POST', path: string): Promise<unknown> => {
    const response = await fetch(`${hub.urls.api}${path}`, { method, headers: { Authorization: `Bearer ${await hub.mint('admin')}`, 'Content-Type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    assert.equal(response.status, 200, `${method} ${path}`);
    return response.json();
  };
  /** Approves the waiting call to echo with this text, as `inlet approvals approve` would. */
  const approve = async (text: string) => {
    const pending = ((await admin('GET', '/approvals')) as Pending[]).find((p) => JSON.stringify(p.arguments) === JSON.stringify({ text }));
    assert.ok(pending, `${text} waits`);
    await admin('POST', `/approvals/${pending.id}/approve`);
  };
  /** Calls `echo` under "ask"; resolves `queued` once the call waits (its first keep-alive beat), and counts beats. */
  const askedCall = (text: string) => {
    let beats = 0;
    let queued!: () => void;
    const waiting = new Promise<void>((resolve) => (queued = resolve));
    const wakers: Array<[number, () => void]> = [];
    const result = ai.callTool({ name: 'lp__echo', arguments: { text } }, undefined, {
      resetTimeoutOnProgress: true,
      onprogress: () => {
        beats += 1;
        queued();
        for (const [at, wake] of wakers) if (beats >= at) wake();
      },
    }) as Promise<CallToolResult>;
    const approveIt = async () => {
      await approve(text);
      return result;
    };
    const afterBeats = (count: number) => new Promise<void>((resolve) => (beats >= count ? resolve() : wakers.push([count, resolve])));
    return { waiting, approve: approveIt, afterBeats };
  };
  /** A new tab of the logged-in session (one login for the file: each login runs `inlet panel`). */
  const openPanel = async (width = 800, context = session): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    if (width !== 800) await page.setViewportSize({ width, height: 900 });
    return { page, problems, close: () => page.close() };
  };
  const showPanel = async (page: Page) => {
    await page.goto(`${base()}/`);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 10_000 });
  };

  before(async () => {
    // Calls to echo ask; everything else is allowed (so a quick call lands in the activity list).
    hub = await startHub({ config: { approvals: { default: 'allow', timeout_s: 60, keepalive_s: BEAT_S, rules: [{ provider: 'lp', tool: 'echo', policy: 'ask' }] } } });
    dataDirs.add(hub.dataDir);
    provider = await dialProvider(await providerUrl(hub, 'lp'), { tools: ['echo', 'quick'] });
    ai = await connectAi(hub);
    await ai.waitForTools((tools) => tools.some((t) => t.name === 'lp__quick'));
    browser = await launchPanelBrowser();
    const login = await newPanelPage(browser);
    await logIn(login.page, hub);
    session = login.page.context();
    await login.page.close();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    provider?.socket.close();
    await ai?.close().catch(() => undefined);
    await hub?.stop();
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
  });

  it('the tab title counts the calls waiting for a decision, and each says whether its AI client is kept waiting', async () => {
    const { page, problems, close } = await openPanel();
    try {
      await showPanel(page);
      await page.waitForFunction(() => document.title === 'Inlet');
      const kept = askedCall('title one');
      await kept.waiting;
      // A call without a progress token: its client gives up at its own limit (60 s here).
      const silent = ai.callTool({ name: 'lp__echo', arguments: { text: 'title two' } });
      await page.waitForFunction(() => document.title === '(2) Inlet');

      const card = (text: string) => page.getByRole('region', { name: /^Pending approvals/ }).getByRole('article').filter({ hasText: `"${text}"` });
      await card('title one').getByText(`Inlet tells the AI client every ${BEAT_S} s that this call still waits`).waitFor();
      const warning = card('title two').getByText('The AI client may stop waiting before this countdown ends');
      await warning.click();
      await card('title two').getByText('MCP_TOOL_TIMEOUT').waitFor();

      await kept.approve();
      await page.waitForFunction(() => document.title === '(1) Inlet');
      await approve('title two');
      await silent;
      await page.waitForFunction(() => document.title === 'Inlet');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  it('durations read "1.3 s" or "12 ms", not raw milliseconds, and a time from another day carries its date', async () => {
    // One call that waited seven beats (about 1.5 s) for approval, and one that was allowed at once.
    const slow = askedCall('slow one');
    await slow.afterBeats(7);
    await slow.approve();
    await ai.callTool({ name: 'lp__quick', arguments: { text: 'fast' } });

    const { page, close } = await openPanel();
    try {
      await showPanel(page);
      const rows = page.getByRole('region', { name: /^Recent activity/ }).getByRole('row');
      const slowDuration = rows.filter({ hasText: 'lp / echo' }).first().locator('td.duration');
      const quickDuration = rows.filter({ hasText: 'lp / quick' }).first().locator('td.duration');
      const slowMs = Number((await slowDuration.getAttribute('title'))?.replace(' ms', ''));
      assert.ok(slowMs >= 1000, `the approved call took ${slowMs} ms`);
      assert.match(await slowDuration.innerText(), /^\d+(\.\d)? s$/);
      assert.equal(await slowDuration.innerText(), `${(slowMs / 1000).toFixed(1).replace(/\.0$/, '')} s`);
      assert.match(await quickDuration.innerText(), /^(\d{1,3} ms|< 1 ms)$/);
      const today = await rows.nth(1).locator('time').innerText();
      assert.doesNotMatch(today, /[A-Z][a-z]{2}/, `today's time has no date: ${today}`);
    } finally {
      await close();
    }

    // The same entries seen from tomorrow: the browser's clock is moved, the hub's is not.
    const tomorrow = await browser.newContext({ viewport: { width: 800, height: 1000 }, storageState: await session.storageState() });
    const later = await openPanel(800, tomorrow);
    try {
      await later.page.clock.setFixedTime(Date.now() + 36 * 3600_000);
      await showPanel(later.page);
      const time = await later.page.getByRole('region', { name: /^Recent activity/ }).getByRole('row').nth(1).locator('time');
      const iso = (await time.getAttribute('datetime'))!;
      const shown = await time.innerText();
      assert.match(shown, new RegExp(`\\b${new Date(iso).getDate()}\\b`), `the day of the month is shown: ${shown}`);
      assert.match(shown, /[A-Z][a-z]{2}/, `the month is shown: ${shown}`);
    } finally {
      await tomorrow.close();
    }
  });

  it('at 420 px each call in the activity list is a readable block: no column is cut off or wrapped letter by letter', async () => {
    await ai.callTool({ name: 'lp__quick', arguments: { text: 'narrow' } });
    const { page, problems, close } = await openPanel(420);
    try {
      await showPanel(page);
      const region = page.getByRole('region', { name: 'Recent activity table' });
      await region.getByRole('row').filter({ hasText: 'lp / quick' }).first().waitFor();
      await region.screenshot({ path: NARROW_SCREENSHOT });
      const layout = await region.evaluate((wrap) => {
        const box = wrap.getBoundingClientRect();
        const rows = Array.from(wrap.querySelectorAll('tbody tr'), (row) => {
          const tool = row.querySelector('td.tool code')!;
          const duration = row.querySelector('td.duration')!.getBoundingClientRect();
          const lineHeight = parseFloat(getComputedStyle(tool).lineHeight) || 20;
          return { toolLines: tool.getBoundingClientRect().height / lineHeight, durationRight: duration.right, durationWidth: duration.width };
        });
        return { right: box.right, overflow: wrap.scrollWidth - wrap.clientWidth, rows };
      });
      assert.equal(layout.overflow, 0, 'nothing sticks out sideways');
      assert.ok(layout.rows.length > 0);
      for (const row of layout.rows) {
        assert.ok(row.toolLines < 1.6, `the tool name stays on one line (${row.toolLines.toFixed(1)} lines)`);
        assert.ok(row.durationWidth > 0 && row.durationRight <= layout.right, 'the duration is fully visible');
      }
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});
