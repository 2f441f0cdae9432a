import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, realpath, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromeExtensionIdFromPath, COMPANION_EXTENSION_DIR } from '../../app/os/companion-extension.js';
import { childEnv, CLI, ROOT } from './hub-process.js';

/**
 * Real Chromium for the companion-extension tests: Debian's package, driven by playwright-core
 * over its pipe. Extensions load unpacked from disk with --load-extension, which Chromium (unlike
 * branded Chrome since 137) still honours; new headless mode runs them like a headed browser.
 */
export const CHROMIUM_PATH = process.env.INLET_CHROMIUM ?? '/usr/bin/chromium';
export const COMPANION_DIR = join(ROOT, COMPANION_EXTENSION_DIR);

/**
 * How long one browser step (a click, a wait for an element) may take before it counts as hung:
 * a hang guard, not a speed expectation. Playwright's own 30 s default is within reach of one
 * step on a 2-core machine loaded twelve-fold, where whole panel tests take 40-90 s.
 */
export const BROWSER_STEP_HANG_GUARD_MS = 180_000;

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return `${CHROMIUM_PATH} is missing; install it with \`apt-get install -y chromium\` (or set INLET_CHROMIUM).`;
}

const run = promisify(execFile);

/** `inlet manifests install --dir <profile>/NativeMessagingHosts`, as a user would run it. */
export async function installHostManifest(userDataDir: string, dataDir: string, extensionIds: string[]): Promise<string> {
  const args = [CLI, 'manifests', 'install', '--dir', join(userDataDir, 'NativeMessagingHosts')];
  for (const id of extensionIds) args.push('--extension-id', id);
  const { stdout } = await run(process.execPath, args, { env: childEnv(dataDir) });
  return stdout;
}

/** A copy of the companion without its `key`, so Chromium gives it an id derived from its path. */
export async function unkeyedCompanionCopy(): Promise<{ dir: string; id: string }> {
  const dir = join(await realpath(await mkdtemp(join(tmpdir(), 'inlet-ext-copy-'))), 'companion');
  await cp(COMPANION_DIR, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  delete manifest.key;
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  return { dir, id: chromeExtensionIdFromPath(dir) };
}

/**
 * Launches Chromium with these unpacked extensions on a persistent profile. INLET_HOME reaches
 * the native host through the browser's environment, so the host asks this test's hub.
 */
export async function launchWithExtensions(userDataDir: string, extensionDirs: string[], dataDir: string): Promise<BrowserContext> {
  const list = extensionDirs.join(',');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    // Playwright's own --headless is the same new mode on Chromium 132+; naming it keeps that explicit.
    headless: false,
    // Playwright always passes --disable-extensions, which would drop the extensions under test.
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--disable-extensions-except=${list}`, `--load-extension=${list}`,
    ],
    env: childEnv(dataDir) as Record<string, string>,
    timeout: BROWSER_STEP_HANG_GUARD_MS,
  });
  context.setDefaultTimeout(BROWSER_STEP_HANG_GUARD_MS);
  return context;
}

export type CompanionState = 'connecting' | 'connected' | 'hub-not-running' | 'not-paired' | 'replaced' | 'error';

/** Opens an extension's popup page in a tab: what a user sees when clicking the toolbar icon. */
export async function openPopup(context: BrowserContext, extensionId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/popup.html`);
  return page;
}

/** Waits until the popup shows one of these states (the popup re-renders on every change). */
export async function waitForPopupState(popup: Page, states: CompanionState[]): Promise<{ state: string; detail: string }> {
  const selector = states.map((state) => `#status[data-state="${state}"]`).join(', ');
  await popup.waitForSelector(selector, { state: 'attached' });
  const state = (await popup.getAttribute('#status', 'data-state')) ?? '';
  return { state, detail: (await popup.textContent('#status')) ?? '' };
}
