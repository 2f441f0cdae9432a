import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Browser, Locator, Page } from 'playwright-core';
import { toTrayState } from '../app/main/hub-client.js';
import { adminRequest, connectAi, names, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { launchPanelBrowser, logIn, newPanelPage, panelSkip } from './helpers/panel-browser.js';
import { startMcpLinkHub, startRegistrant, type Registrant } from './helpers/mcp-link-registrant.js';

const SCREENSHOT = '/tmp/inlet-panel-registrant.png';

/**
 * An MCP-Link registrant in the panel (docs/mcp-link.md, Status), in a real Chromium against a
 * real hub: the Python registrant that behaves as MCP-Link's reverse_mcp.py finds the hub through
 * `inlet manifests install --mcp-link` in a scratch HOME (so it holds the native host's
 * `addin:addin` token and is known by its tool, `addin:echo_panel`), and a real AI client calls
 * its tool through /mcp. The cases run in order on one hub, registrant and page.
 */
describe('the panel shows an MCP-Link registrant like any provider', { skip: panelSkip }, () => {
  let home: string;
  let hub: RunningHub;
  let ai: AiClient;
  let registrant: Registrant;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  const region = (name: RegExp) => page.getByRole('region', { name });
  const card = () => region(/^Providers/).getByRole('article', { name: 'remote:echo_panel', exact: true });
  const stat = (of: Locator, label: string) => of.getByRole('term').filter({ hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd');
  const pendingCard = () => region(/^Pending approvals/).getByRole('article', { name: 'remote:echo_panel / echo_panel' });
  const call = (message: string) => ai.callTool({ name: 'echo_panel', arguments: { message } }) as Promise<CallToolResult>;

  before(async () => {
    ({ home, hub } = await startMcpLinkHub({ config: { approvals: { default: 'ask', timeout_s: 3_600 } } }));
    ai = await connectAi(hub);
    browser = await launchPanelBrowser();
    ({ page, problems } = await newPanelPage(browser));
    await logIn(page, hub);
    registrant = startRegistrant('python', home, 'echo_panel', 'panel-key');
    await registrant.next((e) => e.event === 'registered');
    await ai.waitForTools((tools) => names(tools).includes('echo_panel'));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await registrant?.kill();
    await ai?.close().catch(() => undefined);
    await hub?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('shows the registrant\'s card: its name, that it is an MCP-Link registrant, its tool, when it registered, and who it calls as', async () => {
    await card().waitFor();
    await card().getByText('registrant', { exact: true }).waitFor();
    await card().getByText('ready', { exact: true }).waitFor();
    assert.deepEqual(await card().getByRole('list', { name: 'Tools of remote:echo_panel' }).getByRole('listitem').allInnerTexts(), ['echo_panel']);
    assert.match(await stat(card(), 'Registered').innerText(), /\(\d+ s ago\)$/);
    assert.equal(await stat(card(), 'Calls').innerText(), '0');
    // It can offer nothing but its tool, so the card does not count resources or prompts.
    assert.deepEqual(await card().getByRole('term').allInnerTexts().then((terms) => terms.map((t) => t.toLowerCase())), ['registered', 'tools', 'calls', 'errors', 'avg latency']);
    assert.match(await card().innerText(), /MCP-Link registrant over \/sse · addin:addin, calling other tools as addin:echo_panel · from 127\.0\.0\.1/);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('lists its session among the connected clients as a registrant, not as an AI client, and the tray counts it as a provider', async () => {
    const tokens = region(/^Tokens/);
    const registrants = tokens.getByRole('list', { name: 'Connected MCP-Link registrants' });
    const row = registrants.getByRole('listitem').filter({ hasText: 'addin:echo_panel' });
    await row.getByText(/^registered echo_panel · connected with the token of addin:addin: Revoke cuts off every tool that uses it$/).waitFor();
    await row.getByRole('button', { name: 'Revoke addin:addin' }).waitFor();
    await tokens.getByRole('button', { name: 'Revoke ai:test' }).waitFor();
    assert.equal(await tokens.getByRole('button', { name: 'Revoke addin:echo_panel' }).count(), 0, 'revoking the name it calls as would cut nothing off');

    const state = await adminRequest(hub, 'GET', '/state');
    assert.deepEqual(toTrayState(state.data), { providers: 1, tools: 1, clients: 1, pending: [], paused: false });
  });

  it('a call to its tool waits for approval in the panel, Approve delivers the registrant\'s answer, and the card counts it', async () => {
    const result = call('approved');
    const pending = pendingCard();
    await pending.getByText('ai:test').waitFor();
    await pending.getByRole('button', { name: 'Approve', exact: true }).click();
    assert.equal(textOf(await result), 'Echo: approved');
    await stat(card(), 'Calls').filter({ hasText: /^1$/ }).waitFor();
    await stat(card(), 'Avg latency').filter({ hasText: /^\d+(\.\d)? ms$/ }).waitFor();
  });

  it('Deny gives the AI client a tool error and never reaches the registrant', async () => {
    const calls = registrant.events.filter((e) => e.event === 'call').length;
    const result = call('denied');
    await pendingCard().getByRole('button', { name: 'Deny', exact: true }).click();
    const answer = await result;
    assert.equal(answer.isError, true);
    assert.match(textOf(answer), /denied/i);
    await pendingCard().waitFor({ state: 'detached' });
    await region(/^Recent activity/).getByRole('row').filter({ hasText: 'remote:echo_panel' }).filter({ hasText: 'denied' }).first().waitFor();
    assert.equal(await stat(card(), 'Calls').innerText(), '1');
    assert.equal(registrant.events.filter((e) => e.event === 'call').length, calls);
  });

  it('when the registrant is killed, its card and its client row go without a reload', async () => {
    await registrant.kill();
    await card().waitFor({ state: 'detached' });
    await region(/^Providers/).getByText('No provider connected yet').waitFor();
    await region(/^Tokens/).getByRole('list', { name: 'Connected MCP-Link registrants' }).waitFor({ state: 'detached' });
    await ai.waitForTools((tools) => !names(tools).includes('echo_panel'));
  });

  it('Revoke on a registrant\'s row cuts it off: its card goes and it cannot connect again', async () => {
    registrant = startRegistrant('python', home, 'echo_panel', 'panel-key');
    await registrant.next((e) => e.event === 'registered');
    const row = region(/^Tokens/).getByRole('list', { name: 'Connected MCP-Link registrants' }).getByRole('listitem').filter({ hasText: 'addin:echo_panel' });
    const from = registrant.events.length;
    await row.getByRole('button', { name: 'Revoke addin:addin' }).click();
    await card().waitFor({ state: 'detached' });
    await region(/^Tokens/).getByRole('list', { name: 'Revoked clients' }).getByRole('button', { name: 'Allow addin:addin again' }).waitFor();
    // Asked again, the native host hands out no token for a revoked client, and says why.
    const refused = await registrant.next((e) => e.event === 'discovery-failed', from);
    assert.match(String(refused.why), /The client addin:addin has been revoked/);
    assert.deepEqual(problems, []);
  });
});
