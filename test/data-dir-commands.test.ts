import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { PanelState } from '../app/shared/admin-types.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { childEnv, connectAi, FIXTURES, names, startHub, untilPrinted, type RunningHub } from './helpers/hub-process.js';

/**
 * A hub started with INLET_HOME (a data dir that is not the default) hands out commands that
 * other programs run: AI clients, a shell without INLET_HOME. Each must reach this hub.
 */
describe('commands handed out by a hub outside the default data dir', () => {
  let hub: RunningHub;
  let welcome: string;
  let provider: Awaited<ReturnType<typeof dialProvider>>;

  /** What another program of the same user has: the scratch HOME, but not the shell's INLET_HOME. */
  const elsewhere = (): Record<string, string> => {
    const { INLET_HOME: _ignored, ...env } = childEnv(hub.dataDir);
    return env as Record<string, string>;
  };
  const sh = (line: string) => spawnSync('sh', ['-c', line], { env: elsewhere(), encoding: 'utf8', timeout: 30_000 });
  const line = (label: string) => welcome.split('\n').find((l) => l.trimStart().startsWith(label))?.trimStart().slice(label.length).trim() ?? '';

  async function toolsWithToken(token: string): Promise<string[]> {
    const client = new Client({ name: 'probe', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(hub.urls.mcp), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    try {
      return names((await client.listTools()).tools);
    } finally {
      await client.close();
    }
  }

  before(async () => {
    hub = await startHub();
    provider = await dialProvider(`${hub.urls.ws}?server_name=desk&token=${encodeURIComponent(await hub.mint('provider:desk'))}`, { tools: ['note'] });
    welcome = await untilPrinted(hub, 'Offer a stdio MCP server');
  });
  after(async () => {
    provider?.socket.close();
    await hub?.stop();
  });

  it('serve\'s Claude Code line mints a token this hub accepts', async () => {
    const command = line('Claude Code:');
    const inner = /\$\((.*)\)"$/.exec(command)?.[1];
    assert.ok(inner, command);
    assert.ok(inner.includes(`--data-dir ${hub.dataDir} token create`), inner);
    const run = sh(inner);
    assert.equal(run.status, 0, run.stderr);
    assert.ok((await toolsWithToken(run.stdout.trim())).includes('desk__note'));
  });

  it('serve\'s Claude Desktop entry, run without INLET_HOME, reaches this hub', async () => {
    const json = /claude_desktop_config\.json: (\{.*\})\)$/m.exec(welcome)?.[1];
    assert.ok(json, welcome);
    const { command, args } = (JSON.parse(json) as { mcpServers: { inlet: { command: string; args: string[] } } }).mcpServers.inlet;
    const client = new Client({ name: 'claude-desktop', version: '1' });
    await client.connect(new StdioClientTransport({ command, args, env: elsewhere(), stderr: 'ignore' }));
    assert.ok(names((await client.listTools()).tools).includes('desk__note'));
    await client.close();
  });

  it('serve\'s Claude Desktop and Cursor lines write configs that reach this hub', async () => {
    const home = elsewhere().HOME!;
    const desktopRun = sh(line('Claude Desktop:'));
    assert.equal(desktopRun.status, 0, desktopRun.stderr);
    const desktop = JSON.parse(await readFile(join(home, '.config', 'Claude', 'claude_desktop_config.json'), 'utf8')) as { mcpServers: { inlet: { command: string; args: string[] } } };
    const { command, args } = desktop.mcpServers.inlet;
    const client = new Client({ name: 'claude-desktop', version: '1' });
    await client.connect(new StdioClientTransport({ command, args, env: elsewhere(), stderr: 'ignore' }));
    assert.ok(names((await client.listTools()).tools).includes('desk__note'));
    await client.close();

    const cursorRun = sh(line('Cursor:'));
    assert.equal(cursorRun.status, 0, cursorRun.stderr);
    const cursor = JSON.parse(await readFile(join(home, '.cursor', 'mcp.json'), 'utf8')) as { mcpServers: { inlet: { url: string; headers: { Authorization: string } } } };
    assert.equal(cursor.mcpServers.inlet.url, hub.urls.mcp);
    assert.ok((await toolsWithToken(cursor.mcpServers.inlet.headers.Authorization.replace(/^Bearer /, ''))).includes('desk__note'));
  });

  it('serve\'s bridge line offers a stdio server\'s tools to this hub', async () => {
    const template = /Offer a stdio MCP server as tools: (.*) --name NAME -- COMMAND ARGS\.\.\./.exec(welcome)?.[1];
    assert.ok(template, welcome);
    const ai = await connectAi(hub);
    // `exec`: the shell becomes the bridge, so stopping the child stops the bridge.
    const bridge = spawn('sh', ['-c', `exec ${template} --name fromline -- "${process.execPath}" "${join(FIXTURES, 'changing-server.js')}"`], { env: elsewhere(), stdio: 'ignore' });
    const exited = once(bridge, 'exit');
    try {
      await ai.waitForTools((tools) => names(tools).includes('fromline__echo'));
    } finally {
      bridge.kill('SIGTERM');
      await exited;
      await ai.close();
    }
  });

  it('the panel\'s command (PanelState.inlet) reaches this hub', async () => {
    const response = await fetch(`${hub.urls.api}/state`, { headers: { Authorization: `Bearer ${await hub.mint('admin')}` } });
    const state = (await response.json()) as PanelState;
    assert.deepEqual(state.inlet.args.slice(1), ['--data-dir', hub.dataDir]);
    const run = spawnSync(state.inlet.command, [...state.inlet.args, 'token', 'create', '--client', 'ai:from-panel'], { env: elsewhere(), encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.ok((await toolsWithToken(run.stdout.trim())).includes('desk__note'));
  });
});
