import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { childEnv, CLI, startHub, type RunningHub } from './helpers/hub-process.js';

describe('inlet stdio (for AI clients that speak only stdio)', () => {
  let hub: RunningHub;
  let client: Client;
  let changed: Promise<void>;

  before(async () => {
    hub = await startHub();
    client = new Client({ name: 'claude-desktop-like', version: '1' });
    changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'stdio'], env: childEnv(hub.dataDir) as Record<string, string>, stderr: 'pipe' }));
  });
  after(async () => {
    await client?.close();
    await hub?.stop();
  });

  it('finds the local hub by itself, lists and calls provider tools, and hears tools/list_changed', async () => {
    assert.equal(client.getServerVersion()?.name, 'inlet');
    assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['permissions__approve']);
    const token = await hub.mint('provider:desk');
    const provider = await dialProvider(`${hub.urls.ws}?server_name=desk&token=${encodeURIComponent(token)}`, { tools: ['note'] });
    await changed;
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['permissions__approve', 'desk__note']);
    const result = await client.callTool({ name: 'desk__note', arguments: { text: 'hi' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'note:hi' }]);
    provider.socket.close();
  });
});
