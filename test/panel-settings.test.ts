import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Browser, Page } from 'playwright-core';
import { childEnv, connectAi, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { launchPanelBrowser, logIn, newPanelPage, panelSkip, providerUrl } from './helpers/panel-browser.js';
import { dialProvider } from './fixtures/ws-provider.js';

/**
 * The panel's settings in a real Chromium against a real hub: tokens and the client configs they
 * come in, revocation and allowing a revoked client again, the pause switch, rules added and
 * deleted by hand, and the install secret rotation behind its confirmation (last, since it ends
 * every login and connection).
 */
describe('the panel in Chromium: settings', { skip: panelSkip }, () => {
  let hub: RunningHub;
  let ai: AiClient;
  let browser: Browser;
  let page: Page;
  let provider: Awaited<ReturnType<typeof dialProvider>>;

  const region = (name: RegExp) => page.getByRole('region', { name });
  const echo = async (text: string) => (await ai.callTool({ name: 'tp__echo', arguments: { text } })) as CallToolResult;
  const config = async () => JSON.parse(await readFile(join(hub.dataDir, 'config.json'), 'utf8')) as { approvals: Record<string, unknown>; tokens?: { revoked?: string[] } };

  /** The real SDK client, configured from nothing but what the panel's Cursor snippet says. */
  const connectLike = async (cursorConfig: string) => {
    const server = (JSON.parse(cursorConfig) as { mcpServers: { inlet: { url: string; headers: Record<string, string> } } }).mcpServers.inlet;
    const client = new Client({ name: 'cursor-like', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers } }));
    return client;
  };

  before(async () => {
    hub = await startHub();
    provider = await dialProvider(await providerUrl(hub, 'tp'), { tools: ['echo'] });
    ai = await connectAi(hub);
    await ai.waitForTools((tools) => tools.some((t) => t.name === 'tp__echo'));
    browser = await launchPanelBrowser();
    ({ page } = await newPanelPage(browser));
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.urls.api.replace(/\/api$/, '') });
    await logIn(page, hub);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await ai?.close().catch(() => undefined);
    await hub?.stop();
    if (hub) await rm(hub.dataDir, { recursive: true, force: true });
  });

  it('creates an AI token whose ready-to-paste configs work, and revokes it', async () => {
    const tokens = region(/^Tokens/);
    await tokens.getByLabel('AI client name', { exact: true }).fill('cursor-test');
    await tokens.getByRole('button', { name: 'Create AI token' }).click();
    const cursor = await tokens.getByLabel('Cursor config', { exact: true }).innerText();
    const token = await tokens.getByLabel('Token config', { exact: true }).innerText();
    assert.match(token, /^inlet1\.ai:cursor-test\./);
    assert.equal(await tokens.getByLabel('Claude Code config', { exact: true }).innerText(), `claude mcp add --transport http inlet ${hub.urls.mcp} --header "Authorization: Bearer ${token}"`);
    // The Claude Desktop config names this installation by absolute path (never `npx inlet`,
    // which outside the checkout is another npm package) and works as pasted.
    const desktop = JSON.parse(await tokens.getByLabel('Claude Desktop config', { exact: true }).innerText()) as { mcpServers: { inlet: { command: string; args: string[] } } };
    const { command, args } = desktop.mcpServers.inlet;
    assert.equal(command, process.execPath);
    assert.match(args[0]!, /\/bin\/inlet\.js$/);
    // The test hub's data dir is not the default one, so the entry names it: Claude Desktop
    // starts it without the shell's INLET_HOME.
    assert.deepEqual(args.slice(1), ['--data-dir', hub.dataDir, 'stdio', '--name', 'cursor-test']);
    const { INLET_HOME: _ignored, ...claudesEnv } = childEnv(hub.dataDir);
    const desk = new Client({ name: 'claude-desktop', version: '1' });
    await desk.connect(new StdioClientTransport({ command, args, env: claudesEnv as Record<string, string>, stderr: 'ignore' }));
    assert.equal(textOf((await desk.callTool({ name: 'tp__echo', arguments: { text: 'desktop' } })) as CallToolResult), 'echo:desktop');
    await desk.close();
    const copy = tokens.getByRole('button', { name: 'Copy Cursor config' });
    await copy.click();
    await copy.filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), cursor);

    const client = await connectLike(cursor);
    assert.equal(textOf((await client.callTool({ name: 'tp__echo', arguments: { text: 'pasted' } })) as CallToolResult), 'echo:pasted');
    await tokens.getByRole('button', { name: 'Revoke ai:cursor-test' }).waitFor();
    await client.close();

    await tokens.getByLabel('Client id to revoke', { exact: true }).fill('ai:cursor-test');
    await tokens.getByRole('button', { name: 'Revoke', exact: true }).click();
    await tokens.getByRole('list', { name: 'Revoked clients' }).getByRole('listitem').filter({ hasText: 'ai:cursor-test' }).waitFor();
    assert.deepEqual((await config()).tokens?.revoked, ['ai:cursor-test']);
    await assert.rejects(connectLike(cursor));
  });

  it('Allow again lets a revoked client back in at once, and says why when the hub cannot do it', async () => {
    const tokens = region(/^Tokens/);
    const revoked = tokens.getByRole('list', { name: 'Revoked clients' });
    const laptop = await connectAi(hub, 'ai:laptop');
    await tokens.getByRole('button', { name: 'Revoke ai:laptop' }).click();
    const allow = revoked.getByRole('button', { name: 'Allow ai:laptop again' });
    await allow.waitFor();
    await laptop.close();
    await assert.rejects(connectAi(hub, 'ai:laptop'));

    // A config.json broken by hand: the hub refuses the edit with its own sentence, and the
    // client stays revoked until the file is mended and the button pressed again.
    const file = join(hub.dataDir, 'config.json');
    const good = await readFile(file, 'utf8');
    await writeFile(file, '{ "tokens": ');
    await allow.click();
    await tokens.getByRole('alert').filter({ hasText: /config file .* is not valid JSON/ }).waitFor();
    assert.equal(await allow.isVisible(), true);
    await assert.rejects(connectAi(hub, 'ai:laptop'));

    await writeFile(file, good);
    await allow.click();
    await allow.waitFor({ state: 'detached' });
    assert.equal(await tokens.getByRole('alert').count(), 0);
    assert.equal((await config()).tokens?.revoked?.includes('ai:laptop'), false);
    const back = await connectAi(hub, 'ai:laptop');
    assert.equal(textOf((await back.callTool({ name: 'tp__echo', arguments: { text: 'back' } })) as CallToolResult), 'echo:back');
    await back.close();
  });

  it('the Pause switch denies every new call until it is switched off', async () => {
    const pause = region(/^Policy/).getByRole('switch', { name: 'Pause' });
    assert.equal(await pause.getAttribute('aria-checked'), 'false');
    await pause.click();
    await page.getByText('Paused: every new call is denied.').waitFor();
    assert.equal(await pause.getAttribute('aria-checked'), 'true');
    assert.equal((await config()).approvals.paused, true);
    const refused = await echo('while paused');
    assert.equal(refused.isError, true);
    assert.match(textOf(refused), /paused/);

    await pause.click();
    await page.getByText('Paused: every new call is denied.').waitFor({ state: 'detached' });
    assert.equal(textOf(await echo('resumed')), 'echo:resumed');
  });

  it('adds a rule from the form, applies it at once, and deletes it', async () => {
    const policy = region(/^Policy/);
    await policy.getByLabel('Provider', { exact: true }).fill('tp');
    await policy.getByLabel('Tool', { exact: true }).fill('echo');
    await policy.getByRole('combobox', { name: /^Policy/ }).selectOption('deny');
    await policy.getByRole('button', { name: 'Add rule' }).click();
    const remove = policy.getByRole('button', { name: 'Delete rule 1 (provider tp, tool echo: deny)' });
    await remove.waitFor();
    assert.deepEqual((await config()).approvals.rules, [{ provider: 'tp', tool: 'echo', policy: 'deny' }]);
    const refused = await echo('blocked');
    assert.equal(refused.isError, true);
    assert.match(textOf(refused), /rule 1/);

    await remove.click();
    await policy.getByText('No rules yet').waitFor();
    assert.deepEqual((await config()).approvals.rules, []);
    assert.equal(textOf(await echo('allowed again')), 'echo:allowed again');
  });

  it('rotates the install secret only after a confirmation, which cuts everyone off', async () => {
    const tokens = region(/^Tokens/);
    const start = tokens.getByRole('button', { name: 'Rotate install secret…' });
    const confirm = tokens.getByRole('group', { name: /Rotate the install secret\?/ });
    await start.click();
    await confirm.waitFor();
    // The question takes the focus on its safe answer; Escape backs out and changes nothing.
    // The focus moves once the question has rendered: wait for it rather than race it.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Cancel');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.textContent === 'Rotate install secret…');
    assert.equal(textOf(await echo('still here')), 'echo:still here');

    await start.click();
    await confirm.getByRole('button', { name: 'Yes, rotate the secret' }).click();
    await tokens.getByText('The install secret was rotated').waitFor();
    assert.equal((await provider.closed).code > 0, true);
    assert.equal((await page.request.get(`${hub.urls.api}/state`)).status(), 401);

    // A fresh link from `inlet panel` (which reads the new secret) logs in again.
    await logIn(page, hub);
    await page.getByText('No provider connected yet').waitFor();
  });
});
