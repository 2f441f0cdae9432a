import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BROWSER_STEP_HANG_GUARD_MS, CHROMIUM_PATH, chromiumMissing } from './chromium.js';
import { childEnv, CLI, scratchHomeEnv, type RunningHub } from './hub-process.js';

/**
 * Real Chromium for the panel tests (renderer/ served by the hub): Debian's package driven by
 * playwright-core, at the 800 px width the panel must stay readable at.
 */
const missing = chromiumMissing();
/** Why the panel tests skip here (with the install hint), or false. scripts/run-tests.mjs fails a CI run on any skip. */
export const panelSkip = missing ? `${missing} Skipping the panel tests.` : false;

const run = promisify(execFile);

export async function launchPanelBrowser(): Promise<Browser> {
  if (missing) throw new Error(missing);
  const env = { ...process.env, ...scratchHomeEnv() };
  delete env.NODE_EXTRA_CA_CERTS;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Playwright's own --headless flag would be added on top of the one named here.
    headless: false,
    // --hide-scrollbars: otherwise a screenshot loses the scrollbar's width at the right edge.
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars'],
    env: env as Record<string, string>,
    timeout: BROWSER_STEP_HANG_GUARD_MS,
  });
}

/** A fresh one-time login URL, from `inlet panel` as a person would get it. */
export async function panelLoginUrl(hub: RunningHub): Promise<string> {
  return (await run(process.execPath, [CLI, 'panel'], { env: childEnv(hub.dataDir) })).stdout.trim();
}

export interface PanelPage {
  page: Page;
  /** Console errors and uncaught exceptions: a CSP violation (an inline script or style) shows up here. */
  problems: string[];
}

/** A new 800 px wide page in its own browser context, not logged in yet. */
export async function newPanelPage(browser: Browser): Promise<PanelPage> {
  const context = await browser.newContext({ viewport: { width: 800, height: 1000 } });
  context.setDefaultTimeout(BROWSER_STEP_HANG_GUARD_MS);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  page.on('pageerror', (error) => problems.push(error.message));
  return { page, problems };
}

/** Logs `page` in with a fresh link and waits until the panel shows its first live state. */
export async function logIn(page: Page, hub: RunningHub): Promise<void> {
  await page.goto(await panelLoginUrl(hub));
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
}

/** The URL an in-process provider named `name` dials, with its token in the query. */
export async function providerUrl(hub: RunningHub, name: string): Promise<string> {
  return `${hub.urls.ws}?server_name=${name}&token=${encodeURIComponent(await hub.mint(`provider:${name}`))}`;
}
