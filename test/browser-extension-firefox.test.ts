import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { COMPANION_FIREFOX_ID } from '../app/os/companion-extension.js';
import { COMPANION_DIR } from './helpers/chromium.js';
import { CLI, childEnv, connectAi, hasBrowserTools, hubStatus, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { upgradeStatus } from './fixtures/ws-provider.js';

/**
 * The companion in Debian's Firefox ESR. Playwright cannot drive it (its Firefox needs
 * Playwright's Juggler build, and its WebDriver BiDi path sends commands ESR lacks), and none is
 * needed: Firefox runs headless with the extension side-loaded into a fresh profile, and every
 * check goes through the AI client and the extension's own tools. A second copy with an add-on
 * id the manifest does not allow opens its popup as the start page; its title names its state.
 */
const FIREFOX = process.env.INLET_FIREFOX ?? '/usr/bin/firefox-esr';
// A missing Firefox skips with the install hint; scripts/run-tests.mjs fails a CI run on any skip.
const missing = existsSync(FIREFOX) ? undefined : `${FIREFOX} is missing (apt-get install -y firefox-esr, or set INLET_FIREFOX)`;
const skip = missing ? `${missing}; skipping the Firefox tests.` : false;
const STRANGER_ID = 'stranger@inlet.test';
const STRANGER_UUID = '1b0e6c1e-0000-4000-8000-5a1b2c3d4e5f';
const PAGE_TEXT = 'Inlet Firefox page: 5309 foxes.';
const run = promisify(execFile);

/** Profile prefs: side-loaded unsigned add-ons enabled (ESR honours this), no first-run tabs. */
const PREFS: Record<string, unknown> = {
  'xpinstall.signatures.required': false,
  'extensions.autoDisableScopes': 0,
  'extensions.webextensions.uuids': JSON.stringify({ [STRANGER_ID]: STRANGER_UUID }),
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'browser.shell.checkDefaultBrowser': false,
  'browser.aboutwelcome.enabled': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'app.update.disabledForTesting': true,
};

type Tab = { id: number; title: string; url: string };

describe('companion extension in Firefox ESR', { skip }, () => {
  let hub: RunningHub;
  let ai: AiClient;
  let firefox: ChildProcess | undefined;
  let site: Server;
  let siteUrl: string;
  let root: string;

  const call = async (name: string, args: Record<string, unknown> = {}) => (await ai.callTool({ name, arguments: args })) as CallToolResult;
  const tabs = async () => JSON.parse(textOf(await call('browser__list_tabs'))) as Tab[];
  // Only clients that came through the native host: the hub may run providers of its own.
  const providers = async () => (await hubStatus(hub)).providers.map((p) => p.client).filter((c) => c.startsWith('ext:'));
  /** Polls the tab list (every 100 ms, bounded) until one tab matches. */
  const waitForTab = async (match: (tab: Tab) => boolean, what: string, timeoutMs = 15_000): Promise<Tab> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const list = await tabs();
      const found = list.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no tab ${what}; tabs: ${JSON.stringify(list)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  before(async () => {
    hub = await startHub();
    root = await mkdtemp(join(tmpdir(), 'inlet-firefox-'));
    const home = join(root, 'home');
    const profile = join(root, 'profile');
    const stranger = join(root, 'stranger');
    // Firefox reads ~/.mozilla/native-messaging-hosts; a scratch HOME keeps the user's own untouched.
    await mkdir(join(home, '.mozilla'), { recursive: true });
    const env = childEnv(hub.dataDir, { HOME: home });
    await run(process.execPath, [CLI, 'manifests', 'install', '--browser', 'firefox', '--extension-id', COMPANION_FIREFOX_ID], { env });

    await cp(COMPANION_DIR, stranger, { recursive: true });
    const manifest = JSON.parse(await readFile(join(stranger, 'manifest.json'), 'utf8')) as { browser_specific_settings: { gecko: { id: string } } };
    manifest.browser_specific_settings.gecko.id = STRANGER_ID;
    await writeFile(join(stranger, 'manifest.json'), JSON.stringify(manifest, null, 2));
    // A proxy file (named by the add-on id, holding the source path) side-loads an unpacked add-on.
    await mkdir(join(profile, 'extensions'), { recursive: true });
    await writeFile(join(profile, 'extensions', COMPANION_FIREFOX_ID), COMPANION_DIR);
    await writeFile(join(profile, 'extensions', STRANGER_ID), stranger);
    await writeFile(join(profile, 'user.js'), Object.entries(PREFS).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join(''));

    site = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>Inlet test page</title><body><p>${PAGE_TEXT}</p></body>`);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/page.html`;
    ai = await connectAi(hub);
    firefox = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, `moz-extension://${STRANGER_UUID}/popup.html`], { env, stdio: 'ignore' });
  });

  after(async () => {
    if (firefox && firefox.exitCode === null) {
      const exited = new Promise((resolve) => firefox!.once('exit', resolve));
      firefox.kill('SIGTERM');
      await exited;
    }
    await ai?.close().catch(() => undefined);
    await hub?.stop();
    site?.close();
    if (root) await rm(root, { recursive: true, force: true });
    if (hub) await rm(hub.dataDir, { recursive: true, force: true });
  });

  it('offers its tools to the AI client with no configuration', async () => {
    await ai.waitForTools(hasBrowserTools, 30_000);
    assert.deepEqual(await providers(), [`ext:${COMPANION_FIREFOX_ID}`]);
  });

  it('reads the text of a local page through the AI client', async () => {
    const opened = textOf(await call('browser__open_url', { url: siteUrl }));
    const id = Number(/in tab (\d+)/.exec(opened)?.[1]);
    await waitForTab((t) => t.id === id && t.title === 'Inlet test page', 'with the test page loaded');
    const read = await call('browser__read_tab_text', { tabId: id });
    assert.equal(read.isError, undefined, textOf(read));
    assert.equal(textOf(read).trim(), PAGE_TEXT);
    const missing = await call('browser__read_tab_text', { tabId: 987654 });
    assert.equal(missing.isError, true);
    assert.match(textOf(missing), /No tab with id 987654/);
    const shot = await call('browser__screenshot');
    assert.equal((shot.content[0] as { mimeType?: string }).mimeType, 'image/png', textOf(shot));
  });

  it('an add-on whose id the manifest does not allow is refused by Firefox and gets no token', async () => {
    await waitForTab((t) => t.url.startsWith(`moz-extension://${STRANGER_UUID}/`) && t.title === 'Inlet: Not paired with Inlet', 'showing "not paired"');
    assert.deepEqual(await providers(), [`ext:${COMPANION_FIREFOX_ID}`]);
  });

  it('comes back by itself after a hub restart', async () => {
    await ai.close();
    await hub.stop();
    hub = await startHub({ dataDir: hub.dataDir });
    ai = await connectAi(hub);
    await ai.waitForTools(hasBrowserTools, 45_000);
  });

  it('a revoked add-on token is refused with 401 and the tools do not come back', async () => {
    await run(process.execPath, [CLI, 'token', 'revoke', '--client', `ext:${COMPANION_FIREFOX_ID}`], { env: childEnv(hub.dataDir) });
    await ai.waitForTools((tools) => !tools.some((t) => t.name.startsWith('browser__')), 15_000);
    const token = await hub.mint(`ext:${COMPANION_FIREFOX_ID}`);
    const refused = await upgradeStatus(`${hub.urls.ws}?server_name=browser&token=${encodeURIComponent(token)}`, { Origin: 'moz-extension://any' });
    assert.equal(refused.status, 401);
    // The extension retries after 1 s and 2 s; neither attempt may bring the tools back.
    await assert.rejects(ai.waitForTools(hasBrowserTools, 4_000), /tools never matched/);
    assert.deepEqual(await providers(), []);
  });
});
