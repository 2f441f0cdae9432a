import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { BrowserContext } from 'playwright-core';
import { COMPANION_EXTENSION_ID } from '../app/os/companion-extension.js';
import {
  chromiumMissing, COMPANION_DIR, installHostManifest, launchWithExtensions, openPopup, unkeyedCompanionCopy, waitForPopupState,
} from './helpers/chromium.js';
import { CLI, childEnv, connectAi, hasBrowserTools, hubStatus, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { upgradeStatus } from './fixtures/ws-provider.js';

/**
 * The companion extension in a real Chromium, found by the hub through nothing but the native
 * host manifest (docs/discovery.md): the test types no URL, port or token into the browser. The cases
 * run in order on one browser; the hub restart and the revocation come last.
 */
const missing = chromiumMissing();
// A missing browser skips with its install hint; scripts/run-tests.mjs fails a CI run on any skip.
const skip = missing ? `${missing} Skipping the browser tests.` : false;
const PAGE_TEXT = 'Inlet test page: the quick brown fox reads 7261.';

describe('companion extension in Chromium', { skip }, () => {
  let hub: RunningHub;
  let ai: AiClient;
  let context: BrowserContext | undefined;
  let site: Server;
  let siteUrl: string;
  let foreign: { dir: string; id: string };
  const temps: string[] = [];

  const call = async (name: string, args: Record<string, unknown> = {}) => (await ai.callTool({ name, arguments: args })) as CallToolResult;
  const status = () => hubStatus(hub);

  /** Clients of connected providers that came through the native host (the hub may run others). */
  const extensionClients = async () => (await status()).providers.map((p) => p.client).filter((c) => c.startsWith('ext:'));

  before(async () => {
    if (missing) throw new Error(missing);
    hub = await startHub();
    const userDataDir = await mkdtemp(join(tmpdir(), 'inlet-chromium-'));
    foreign = await unkeyedCompanionCopy();
    temps.push(userDataDir, dirname(foreign.dir), hub.dataDir);
    const installed = await installHostManifest(userDataDir, hub.dataDir, [COMPANION_EXTENSION_ID]);
    assert.match(installed, /NativeMessagingHosts/);
    site = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>Inlet test page</title><body><h1>Hello</h1><p>${PAGE_TEXT}</p></body>`);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/page.html`;
    ai = await connectAi(hub);
    context = await launchWithExtensions(userDataDir, [COMPANION_DIR, foreign.dir], hub.dataDir);
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await ai?.close().catch(() => undefined);
    await hub?.stop();
    site?.close();
    for (const dir of temps) await rm(dir, { recursive: true, force: true });
  });

  it('offers its tools to the AI client with no configuration', async () => {
    await ai.waitForTools(hasBrowserTools);
    const providers = (await status()).providers.filter((p) => p.client.startsWith('ext:'));
    assert.deepEqual(providers.map((p) => [p.name, p.client]), [['browser', `ext:${COMPANION_EXTENSION_ID}`]]);
    const popup = await openPopup(context!, COMPANION_EXTENSION_ID);
    const shown = await waitForPopupState(popup, ['connected']);
    assert.match(shown.detail, new RegExp(`Hub: ${hub.urls.mcp.replace(/[.]/g, '\\.')}`));
    assert.match(shown.detail, /4 tools/);
    await popup.close();
  });

  it('reads the text of a local page through the AI client', async () => {
    const page = await context!.newPage();
    await page.goto(siteUrl);
    const tabs = JSON.parse(textOf(await call('browser__list_tabs'))) as Array<{ id: number; url: string; title: string; windowId: number }>;
    const tab = tabs.find((t) => t.url === siteUrl);
    assert.ok(tab, `the test page is among the tabs: ${JSON.stringify(tabs)}`);
    assert.equal(tab.title, 'Inlet test page');
    const read = await call('browser__read_tab_text', { tabId: tab.id });
    assert.equal(read.isError, undefined);
    assert.match(textOf(read), new RegExp(PAGE_TEXT.replace(/[.]/g, '\\.')));
  });

  it('answers clear tool errors, opens URLs and takes screenshots', async () => {
    const missingTab = await call('browser__read_tab_text', { tabId: 987654 });
    assert.equal(missingTab.isError, true);
    assert.match(textOf(missingTab), /No tab with id 987654/);

    const internal = await context!.newPage();
    await internal.goto('chrome://version');
    const tabs = JSON.parse(textOf(await call('browser__list_tabs'))) as Array<{ id: number; url: string }>;
    const versionTab = tabs.find((t) => t.url.startsWith('chrome://version'));
    assert.ok(versionTab);
    const refused = await call('browser__read_tab_text', { tabId: versionTab.id });
    assert.equal(refused.isError, true);
    assert.match(textOf(refused), /This page cannot be scripted \(chrome:\/\/ pages, the Web Store/);
    await internal.close();

    const bad = await call('browser__open_url', { url: 'javascript:alert(1)' });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /http, https and file URLs only/);
    const opened = context!.waitForEvent('page');
    const ok = await call('browser__open_url', { url: `${siteUrl}?opened` });
    assert.match(textOf(ok), /in tab \d+/);
    await (await opened).close();

    const shot = await call('browser__screenshot');
    assert.equal(shot.isError, undefined, textOf(shot));
    const image = shot.content[0] as { type: string; data: string; mimeType: string };
    assert.equal(image.type, 'image');
    assert.equal(image.mimeType, 'image/png');
    assert.equal(Buffer.from(image.data, 'base64').subarray(1, 4).toString('latin1'), 'PNG');
  });

  it('an extension whose id the manifest does not allow is refused by Chromium and gets no token', async () => {
    const popup = await openPopup(context!, foreign.id);
    const shown = await waitForPopupState(popup, ['not-paired']);
    assert.match(shown.detail, /Access to the specified native messaging host is forbidden/);
    assert.match(shown.detail, /inlet manifests install/);
    await popup.close();
    const clients = await extensionClients();
    assert.ok(!clients.includes(`ext:${foreign.id}`), `providers: ${clients.join(', ')}`);
    assert.deepEqual(clients, [`ext:${COMPANION_EXTENSION_ID}`]);
  });

  it('comes back by itself after a hub restart', async () => {
    await ai.close();
    await hub.stop();
    hub = await startHub({ dataDir: hub.dataDir });
    ai = await connectAi(hub);
    // Backoff starts at 1 s and the hub is back at once, so a few seconds suffice; 30 s is the cap.
    await ai.waitForTools(hasBrowserTools);
    assert.deepEqual(await extensionClients(), [`ext:${COMPANION_EXTENSION_ID}`]);
  });

  it('a revoked extension token is refused with 401 and the tools do not come back', async () => {
    const popup = await openPopup(context!, COMPANION_EXTENSION_ID);
    await waitForPopupState(popup, ['connected']);
    await promisify(execFile)(process.execPath, [CLI, 'token', 'revoke', '--client', `ext:${COMPANION_EXTENSION_ID}`], { env: childEnv(hub.dataDir) });
    await ai.waitForTools((tools) => !tools.some((t) => t.name.startsWith('browser__')));
    // The extension re-asks the host after 1 s; the hub answers REVOKED instead of a token.
    await popup.locator('#status', { hasText: 'REVOKED' }).waitFor();
    assert.equal(await popup.getAttribute('#status', 'data-state'), 'error');
    const token = await hub.mint(`ext:${COMPANION_EXTENSION_ID}`);
    const refused = await upgradeStatus(`${hub.urls.ws}?server_name=browser&token=${encodeURIComponent(token)}`, {
      Origin: `chrome-extension://${COMPANION_EXTENSION_ID}`,
    });
    assert.equal(refused.status, 401);
    assert.deepEqual(await extensionClients(), []);
    assert.ok(!(await ai.listTools()).tools.some((t) => t.name.startsWith('browser__')));
  });
});
