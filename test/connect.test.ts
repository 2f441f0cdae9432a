import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { runCommand } from './helpers/run-command.js';
import { childEnv, CLI, makeDataDir, names, startHub, type RunningHub } from './helpers/hub-process.js';

describe('inlet connect', () => {
  let hub: RunningHub;
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    hub = await startHub();
    await dialProvider(`${hub.urls.ws}?server_name=desk&token=${encodeURIComponent(await hub.mint('provider:desk'))}`, { tools: ['note'] });
    home = await makeDataDir();
    // A scratch home: the real client configs of whoever runs the tests are never touched.
    env = childEnv(hub.dataDir, { HOME: home, XDG_CONFIG_HOME: join(home, '.config') });
  });
  after(async () => {
    await hub?.stop();
  });

  const run = (args: string[]) => runCommand(process.execPath, [CLI, 'connect', ...args], env);

  it('writes Claude Desktop\'s config, keeping its other servers, and the entry works as written', async () => {
    const path = join(home, '.config', 'Claude', 'claude_desktop_config.json');
    await mkdir(join(home, '.config', 'Claude'), { recursive: true });
    await writeFile(path, JSON.stringify({ mcpServers: { other: { command: 'x' } }, theme: 'dark' }));
    const first = await run(['claude-desktop', '--write']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /Added the "inlet" server in .*claude_desktop_config\.json/);
    const again = await run(['claude-desktop', '--write']);
    assert.match(again.stdout, /Updated/);
    const config = JSON.parse(await readFile(path, 'utf8')) as { mcpServers: Record<string, { command: string; args: string[] }>; theme: string };
    assert.equal(config.theme, 'dark');
    assert.deepEqual(config.mcpServers.other, { command: 'x' });
    // Written under INLET_HOME (a data dir that is not the default), the entry names that dir:
    // Claude Desktop starts it without the shell's environment.
    const { command, args } = config.mcpServers.inlet!;
    assert.deepEqual(args.slice(1), ['--data-dir', hub.dataDir, 'stdio', '--name', 'claude-desktop']);
    const { INLET_HOME: _ignored, ...claudesEnv } = env;
    const client = new Client({ name: 'claude-desktop', version: '1' });
    await client.connect(new StdioClientTransport({ command, args, env: claudesEnv as Record<string, string>, stderr: 'ignore' }));
    assert.ok(names((await client.listTools()).tools).includes('desk__note'));
    await client.close();
  });

  it('prints a Cursor entry whose url and token work, and the Claude Code command', async () => {
    const cursor = await run(['cursor', '--name', 'my-cursor']);
    assert.equal(cursor.status, 0, cursor.stderr);
    const entry = (JSON.parse(cursor.stdout) as { mcpServers: { inlet: { url: string; headers: Record<string, string> } } }).mcpServers.inlet;
    assert.equal(entry.url, hub.urls.mcp);
    assert.match(entry.headers.Authorization!, /^Bearer inlet1\.ai:my-cursor\./);
    const client = new Client({ name: 'cursor', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }));
    assert.ok(names((await client.listTools()).tools).includes('desk__note'));
    await client.close();
    const code = await run(['claude-code']);
    assert.match(code.stdout, new RegExp(`^claude mcp add --transport http inlet ${hub.urls.mcp.replace(/[.]/g, '\\.')} --header "Authorization: Bearer inlet1\\.ai:claude-code\\.`));
    const bad = await run(['notepad']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /Unknown client "notepad"/);
  });

  it('writes VS Code\'s user mcp.json (a "servers" map with an http entry), keeping its other servers, and the entry works', async () => {
    const dir = join(home, '.config', 'Code', 'User');
    const path = join(dir, 'mcp.json');
    await mkdir(dir, { recursive: true });
    await writeFile(path, JSON.stringify({ servers: { memory: { command: 'npx', args: ['-y', 'x'] } }, inputs: [] }));
    const result = await run(['vscode', '--write']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Added the "inlet" server in .*Code\/User\/mcp\.json; restart VS Code/);
    const config = JSON.parse(await readFile(path, 'utf8')) as { servers: Record<string, { type: string; url: string; headers: Record<string, string> }>; inputs: unknown[] };
    assert.deepEqual(config.inputs, []);
    assert.ok(config.servers.memory, 'the other server stays');
    const entry = config.servers.inlet!;
    assert.equal(entry.type, 'http');
    assert.match(entry.headers.Authorization!, /^Bearer inlet1\.ai:vscode\./);
    const client = new Client({ name: 'vscode', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }));
    assert.ok(names((await client.listTools()).tools).includes('desk__note'));
    await client.close();
  });
});
