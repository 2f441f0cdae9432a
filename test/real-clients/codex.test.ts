import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RICH_RESULT } from '../fixtures/rich-provider.js';
import { CodexAppServer, writeCodexConfig } from '../helpers/codex-app-server.js';
import { settledLog, waitForLog } from '../helpers/hub-log.js';
import { hubStatus, names, type RunningHub } from '../helpers/hub-process.js';
import { offlineEnv, realClient, scratchHome, startClientRig, type ClientRig } from '../helpers/real-clients.js';

const codex = realClient('codex');
const skip = 'missing' in codex ? codex.missing : false;

interface McpServerStatus {
  name: string;
  tools: Record<string, { name: string }>;
  toolsError: string | null;
}

/** Resolves once every AI session `caller` opened so far has ended, by the hub's log. */
async function allSessionsEnded(hub: RunningHub, caller: string): Promise<number> {
  const count = (what: string) => hub.stderr().split(`AI session ${what} caller="${caller}"`).length - 1;
  while (count('opened') === 0 || count('ended') < count('opened')) await once(hub.process.stderr!, 'data');
  return count('opened');
}

/**
 * Codex (`@openai/codex`, its native binary from npm) against the hub, through `codex app-server`:
 * Codex's JSON-RPC protocol on stdio, which lists the MCP servers of its config with their tools
 * (`mcpServerStatus/list`) and calls an MCP tool itself (`mcpServer/tool/call`), with no model in
 * the loop. Its model provider is a loopback port that refuses and is never asked. CODEX_HOME and
 * HOME are scratch folders.
 */
describe(`Codex${'version' in codex ? ` (${codex.version})` : ''} through codex app-server against /mcp`, { skip }, () => {
  let rig: ClientRig;
  before(async () => (rig = await startClientRig('codex')));
  after(async () => rig?.stop());

  /** Starts `codex app-server` with `args`, its config naming Inlet with a token for `caller`. */
  async function startCodex(caller: string, args: string[]): Promise<{ app: CodexAppServer; dir: string }> {
    const dir = join(rig.scratch, caller.replace(/\W/g, '-'));
    const home = await scratchHome(dir);
    const codexHome = join(dir, 'codex-home');
    await mkdir(codexHome);
    await writeCodexConfig(codexHome, rig.hub.urls.mcp, `http://127.0.0.1:${rig.refused}/v1`);
    const env = offlineEnv(home, rig.refused, { CODEX_HOME: codexHome, INLET_TOKEN: await rig.hub.mint(caller) });
    const app = new CodexAppServer((codex as { path: string }).path, args, env, dir);
    await app.initialize();
    return { app, dir };
  }

  /** Codex lists Inlet's tools, and calls one in a thread of its own; both as Inlet sent them. */
  async function listAndCall(app: CodexAppServer, dir: string): Promise<void> {
    const { data } = await app.request<{ data: McpServerStatus[] }>('mcpServerStatus/list', { detail: 'toolsAndAuthOnly' });
    const inlet = data.find((server) => server.name === 'inlet');
    assert.ok(inlet, `Codex lists its MCP servers: ${JSON.stringify(data)}`);
    assert.equal(inlet.toolsError, null);
    assert.deepEqual(names(Object.values(inlet.tools) as never), ['rich__echo', 'rich__fail', 'rich__rich', 'rich__slow']);
    const { thread } = await app.request<{ thread: { id: string } }>('thread/start', { ephemeral: true, cwd: dir });
    const result = await app.request<{ content: unknown; structuredContent?: unknown; isError?: boolean }>('mcpServer/tool/call', {
      threadId: thread.id,
      server: 'inlet',
      tool: 'rich__rich',
      arguments: {},
    });
    assert.deepEqual(result.content, RICH_RESULT.content);
    assert.deepEqual(result.structuredContent, RICH_RESULT.structuredContent);
    assert.notEqual(result.isError, true);
  }

  it('its 2025 client (no flag) lists and calls Inlet\'s tools over a 2025 session, and ends its sessions when it exits', async () => {
    const { app, dir } = await startCodex('ai:codex-2025', []);
    try {
      await listAndCall(app, dir);
    } finally {
      assert.equal(await app.close(), 0);
    }
    await waitForLog(rig.hub, /AI session opened caller="ai:codex-2025" client="codex-mcp-client" protocol="2025-/);
    await allSessionsEnded(rig.hub, 'ai:codex-2025');
    assert.deepEqual((await hubStatus(rig.hub)).sessions.filter((s) => s.caller === 'ai:codex-2025'), []);
  });

  it('its 2026 client (--enable mcp_2026_07_28) lists and calls Inlet\'s tools over 2026-07-28, never sending initialize', async () => {
    const { app, dir } = await startCodex('ai:codex-2026', ['--enable', 'mcp_2026_07_28']);
    try {
      await listAndCall(app, dir);
    } finally {
      assert.equal(await app.close(), 0);
    }
    const seen = (await hubStatus(rig.hub)).sessions.filter((s) => s.caller === 'ai:codex-2026');
    assert.deepEqual(seen.map((s) => [s.client, s.protocol]), [['codex-mcp-client', '2026-07-28']]);
    assert.doesNotMatch(await settledLog(rig.hub), /AI session opened caller="ai:codex-2026"/);
  });
});
