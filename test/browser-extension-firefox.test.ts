import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { COMPANION_FIREFOX_ID } from '../app/os/companion-extension.js';
import { CONTROL_SOCKET_FILE } from '../app/os/control-socket-path.js';
import { COMPANION_DIR } from './helpers/chromium.js';
import { CLI, childEnv, connectAi, hasBrowserTools, hubStatus, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { upgradeStatus } from './fixtures/ws-provider.js';

/**
 * The companion in Debian's Firefox ESR. Playwright cannot drive it (its Firefox needs
 * Playwright's Juggler build, and its WebDriver BiDi path sends commands ESR lacks), and none is
 * needed: Firefox runs headless with the extension side-loaded into a fresh profile, and every
 * check goes through the AI client and the extension's own tools. The test hears what it waits
 * for: the test page fetches /loaded once loaded; a second copy of the extension, with an add-on
 * id the manifest does not allow, opens its popup as the start page, and a script added to that
 * copy reports each state the popup shows to /report; and the native host reaches the hub's
 * control socket through a relay of the test's, which sees each answer the hub gives it.
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
  // Only clients that came through the native host: the hub may run providers of its own.
  const providers = async () => (await hubStatus(hub)).providers.map((p) => p.client).filter((c) => c.startsWith('ext:'));
  /** Requests the test page and the stranger's popup sent to the test's server, in order. */
  const hits: string[] = [];
  const hit = new EventEmitter();
  const waitForHit = (match: (url: URL) => boolean) =>
    new Promise<URL>((resolve) => {
      const check = () => {
        const found = hits.map((h) => new URL(h, siteUrl)).find(match);
        if (!found) return;
        hit.off('hit', check);
        resolve(found);
      };
      hit.on('hit', check);
      check();
    });
  /** What the hub answered the native host on its control socket, line by line. */
  let controlAnswers = '';
  const answered = new EventEmitter();
  const refusals = () => controlAnswers.match(/"code":"REVOKED"/g)?.length ?? 0;
  let relay: NetServer | undefined;

  before(async () => {
    hub = await startHub();
    root = await mkdtemp(join(tmpdir(), 'inlet-firefox-'));
    const home = join(root, 'home');
    const profile = join(root, 'profile');
    const stranger = join(root, 'stranger');

    site = createServer((req, res) => {
      hits.push(req.url ?? '');
      hit.emit('hit');
      if (req.url?.startsWith('/page.html')) {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(`<!doctype html><title>Inlet test page</title><body onload="fetch('/loaded' + location.search)"><p>${PAGE_TEXT}</p></body>`);
      } else res.end();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    siteUrl = `${origin}/page.html`;

    // The native host looks for the control socket in its data dir: there it finds the relay.
    const hostDir = join(root, 'host-data');
    await mkdir(hostDir, { mode: 0o700 });
    relay = createNetServer((client) => {
      const hubSide = connect(join(hub.dataDir, CONTROL_SOCKET_FILE));
      client.pipe(hubSide);
      hubSide.setEncoding('utf8').on('data', (chunk: string) => {
        controlAnswers += chunk;
        client.write(chunk);
        answered.emit('answer');
      });
      hubSide.on('end', () => client.end());
      hubSide.on('error', () => client.destroy());
      client.on('error', () => hubSide.destroy());
    });
    await new Promise<void>((resolve) => relay!.listen(join(hostDir, CONTROL_SOCKET_FILE), resolve));

    // Firefox reads ~/.mozilla/native-messaging-hosts; a scratch HOME keeps the user's own untouched.
    await mkdir(join(home, '.mozilla'), { recursive: true });
    const env = childEnv(hostDir, { HOME: home });
    await run(process.execPath, [CLI, 'manifests', 'install', '--browser', 'firefox', '--extension-id', COMPANION_FIREFOX_ID], { env });

    await cp(COMPANION_DIR, stranger, { recursive: true });
    const manifest = JSON.parse(await readFile(join(stranger, 'manifest.json'), 'utf8')) as { browser_specific_settings: { gecko: { id: string } } };
    manifest.browser_specific_settings.gecko.id = STRANGER_ID;
    await writeFile(join(stranger, 'manifest.json'), JSON.stringify(manifest, null, 2));
    await addStateReport(stranger, `${origin}/report`);
    // A proxy file (named by the add-on id, holding the source path) side-loads an unpacked add-on.
    await mkdir(join(profile, 'extensions'), { recursive: true });
    await writeFile(join(profile, 'extensions', COMPANION_FIREFOX_ID), COMPANION_DIR);
    await writeFile(join(profile, 'extensions', STRANGER_ID), stranger);
    await writeFile(join(profile, 'user.js'), Object.entries(PREFS).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join(''));

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
    relay?.close();
    if (root) await rm(root, { recursive: true, force: true });
    if (hub) await rm(hub.dataDir, { recursive: true, force: true });
  });

  it('offers its tools to the AI client with no configuration', async () => {
    await ai.waitForTools(hasBrowserTools);
    assert.deepEqual(await providers(), [`ext:${COMPANION_FIREFOX_ID}`]);
  });

  it('reads the text of a local page through the AI client', async () => {
    const opened = textOf(await call('browser__open_url', { url: `${siteUrl}?read` }));
    const id = Number(/in tab (\d+)/.exec(opened)?.[1]);
    await waitForHit((url) => url.pathname === '/loaded' && url.search === '?read');
    const tab = (JSON.parse(textOf(await call('browser__list_tabs'))) as Tab[]).find((t) => t.id === id);
    assert.equal(tab?.title, 'Inlet test page');
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
    const report = await waitForHit((url) => url.pathname === '/report' && url.searchParams.get('state') === 'not-paired');
    assert.equal(report.searchParams.get('title'), 'Inlet: Not paired with Inlet');
    assert.deepEqual(await providers(), [`ext:${COMPANION_FIREFOX_ID}`]);
  });

  it('comes back by itself after a hub restart', async () => {
    await ai.close();
    await hub.stop();
    hub = await startHub({ dataDir: hub.dataDir });
    ai = await connectAi(hub);
    await ai.waitForTools(hasBrowserTools);
  });

  it('a revoked add-on token is refused with 401 and the tools do not come back', async () => {
    const refusedBefore = refusals();
    await run(process.execPath, [CLI, 'token', 'revoke', '--client', `ext:${COMPANION_FIREFOX_ID}`], { env: childEnv(hub.dataDir) });
    await ai.waitForTools((tools) => !tools.some((t) => t.name.startsWith('browser__')));
    const token = await hub.mint(`ext:${COMPANION_FIREFOX_ID}`);
    const refused = await upgradeStatus(`${hub.urls.ws}?server_name=browser&token=${encodeURIComponent(token)}`, { Origin: 'moz-extension://any' });
    assert.equal(refused.status, 401);
    // The extension asks the host again (after 1 s, then 2 s), and the hub refuses it each time;
    // after two refusals the tools must still be gone.
    await new Promise<void>((resolve) => {
      const check = () => refusals() >= refusedBefore + 2 && (answered.off('answer', check), resolve());
      answered.on('answer', check);
      check();
    });
    assert.deepEqual(await providers(), []);
    assert.ok(!(await ai.listTools()).tools.some((t) => t.name.startsWith('browser__')));
  });
});

/**
 * Test-only addition to a copy of the extension: a script in its popup that sends each state
 * the popup shows (and the title it gives the tab) to `reportUrl`. The copy's page policy is
 * widened to let it reach the test's server, and nothing else changes.
 */
async function addStateReport(dir: string, reportUrl: string): Promise<void> {
  const script = `// Added by the test: reports each state this popup shows.
const status = document.getElementById('status');
const report = () => fetch(${JSON.stringify(reportUrl)} + '?state=' + encodeURIComponent(status.dataset.state) + '&title=' + encodeURIComponent(document.title)).catch(() => undefined);
new MutationObserver(report).observe(status, { attributes: true, attributeFilter: ['data-state'] });
report();
`;
  await writeFile(join(dir, 'test-report.js'), script);
  const page = await readFile(join(dir, 'popup.html'), 'utf8');
  const origin = new URL(reportUrl).origin;
  const changed = page
    .replace("default-src 'self';", `default-src 'self'; connect-src 'self' ${origin};`)
    .replace('<script src="popup.js" type="module"></script>', '<script src="popup.js" type="module"></script>\n  <script src="test-report.js" type="module"></script>');
  if (!changed.includes('test-report.js') || !changed.includes(`connect-src 'self' ${origin}`)) throw new Error('popup.html changed shape; update addStateReport');
  await writeFile(join(dir, 'popup.html'), changed);
}
