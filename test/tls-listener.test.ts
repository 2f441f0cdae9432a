import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebSocketTransport } from '../app/core/providers/ws-transport.js';
import { connectAi, makeDataDir, names, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';

describe('the optional second provider listener with TLS (reverse_mcp_settings)', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let cert: Buffer;

  before(async () => {
    const dir = await makeDataDir();
    // A real self-signed certificate from the system's openssl (installed by .ci/run).
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = await readFile(join(dir, 'cert.pem'));
    const config = {
      reverse_mcp_settings: { enabled: true, listen_host: '127.0.0.1:0', tls: { enabled: true, cert_file: join(dir, 'cert.pem'), key_file: join(dir, 'key.pem') } },
      tools_servers: { far_away: { transport: 'reverse_mcp', auth_token: 'remote-secret' } },
      approvals: { default: 'allow' },
    };
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    hub = await startHub({ dataDir: dir });
    ai = await connectAi(hub);
  });
  after(async () => {
    await ai?.close();
    await hub?.stop();
  });

  it('serves wss:// for providers and their tools reach AI clients on loopback', async () => {
    const remote = (hub.urls as Record<string, string>).remoteWs ?? '';
    assert.match(remote, /^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
    const server = new McpServer({ name: 'far', version: '1' });
    server.registerTool('where', {}, async () => ({ content: [{ type: 'text', text: 'over TLS' }] }));
    const socket = new WebSocket(remote, { ca: cert, headers: { 'X-MCP-Server-Name': 'far_away', Authorization: 'Bearer remote-secret' } });
    await server.connect(new WebSocketTransport(socket));
    await ai.waitForTools((tools) => names(tools).includes('far_away__where'));
    const result = await ai.callTool({ name: 'far_away__where', arguments: {} });
    assert.deepEqual(result.content, [{ type: 'text', text: 'over TLS' }]);
    const health = await new Promise<number>((resolve) => {
      const url = new URL(remote.replace('wss:', 'https:').replace('/ws', '/health'));
      import('node:https').then(({ get }) => get(url, { ca: cert }, (res) => resolve(res.statusCode ?? 0)));
    });
    assert.equal(health, 200);
    socket.close();
  });
});
