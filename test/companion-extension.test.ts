import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import {
  chromeExtensionIdFromKey, COMPANION_EXTENSION_DIR, COMPANION_EXTENSION_ID, COMPANION_FIREFOX_ID,
} from '../app/os/companion-extension.js';
import { ROOT } from './helpers/hub-process.js';

/**
 * The companion's ids are fixed in app/os/companion-extension.ts because the manifest installer
 * must allow them; these tests keep them in step with clients/browser-extension/manifest.json.
 * The JSON-RPC side of the extension is plain JavaScript, checked here without a browser.
 */
const EXTENSION = join(ROOT, COMPANION_EXTENSION_DIR);

interface Manifest {
  manifest_version: number;
  key: string;
  background: { service_worker: string; scripts: string[]; type: string };
  permissions: string[];
  host_permissions: string[];
  browser_specific_settings: { gecko: { id: string } };
}

async function manifest(): Promise<Manifest> {
  return JSON.parse(await readFile(join(EXTENSION, 'manifest.json'), 'utf8')) as Manifest;
}

describe('companion extension ids', () => {
  it('the Chromium id is the one derived from the manifest key', async () => {
    assert.equal(chromeExtensionIdFromKey((await manifest()).key), COMPANION_EXTENSION_ID);
    assert.match(COMPANION_EXTENSION_ID, /^[a-p]{32}$/);
  });

  it('the Firefox id is the manifest gecko id', async () => {
    assert.equal((await manifest()).browser_specific_settings.gecko.id, COMPANION_FIREFOX_ID);
  });

  it('another key gives another id', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    assert.notEqual(chromeExtensionIdFromKey(other), COMPANION_EXTENSION_ID);
    assert.throws(() => chromeExtensionIdFromKey(''), /non-empty/);
  });

  it('one manifest serves Chromium (service_worker) and Firefox (scripts)', async () => {
    const m = await manifest();
    assert.equal(m.manifest_version, 3);
    assert.equal(m.background.service_worker, 'background.js');
    assert.deepEqual(m.background.scripts, ['background.js']);
    for (const permission of ['nativeMessaging', 'tabs', 'scripting', 'activeTab']) assert.ok(m.permissions.includes(permission), permission);
    assert.deepEqual(m.host_permissions, ['<all_urls>']);
  });
});

interface Session {
  receive(text: string): void;
}
type SessionFactory = (options: { tools: unknown[]; serverInfo: object; send: (m: unknown) => void; onReady?: () => void }) => Session;

describe('companion extension MCP server', async () => {
  const { createMcpSession } = (await import(pathToFileURL(join(EXTENSION, 'mcp-server.js')).href)) as { createMcpSession: SessionFactory };
  const echo = { name: 'echo', description: 'echo', inputSchema: { type: 'object' }, run: async (a: { text?: string }) => ({ content: [{ type: 'text', text: a.text ?? '' }] }) };
  const broken = { name: 'broken', description: 'fails', inputSchema: { type: 'object' }, run: async () => Promise.reject(new Error('boom')) };

  function session(): { sent: Array<Record<string, unknown>>; ready: () => boolean; s: Session; next: () => Promise<Record<string, unknown>> } {
    const sent: Array<Record<string, unknown>> = [];
    const waiters: Array<() => void> = [];
    let ready = false;
    const s = createMcpSession({
      tools: [echo, broken],
      serverInfo: { name: 'test', version: '1' },
      send: (m) => {
        sent.push(m as Record<string, unknown>);
        waiters.splice(0).forEach((wake) => wake());
      },
      onReady: () => (ready = true),
    });
    const next = async () => {
      while (sent.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return sent.shift()!;
    };
    return { sent, ready: () => ready, s, next };
  }

  it('echoes a supported protocol version and offers the newest for an unknown one', async () => {
    const t = session();
    t.s.receive(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26' } }) + '\n');
    assert.deepEqual(((await t.next()).result as { protocolVersion: string }).protocolVersion, '2025-03-26');
    t.s.receive(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'initialize', params: { protocolVersion: '2099-01-01' } }));
    const answer = (await t.next()).result as { protocolVersion: string; capabilities: unknown };
    assert.equal(answer.protocolVersion, '2025-11-25');
    assert.deepEqual(answer.capabilities, { tools: { listChanged: false } });
  });

  it('answers ping, lists tools, ignores notifications and refuses unknown methods', async () => {
    const t = session();
    t.s.receive(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    assert.equal(t.ready(), true);
    t.s.receive(`${JSON.stringify({ jsonrpc: '2.0', id: 'p', method: 'ping' })}\n${JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' })}`);
    assert.deepEqual(await t.next(), { jsonrpc: '2.0', id: 'p', result: {} });
    const listed = (await t.next()).result as { tools: Array<Record<string, unknown>> };
    assert.deepEqual(listed.tools.map((tool) => tool.name), ['echo', 'broken']);
    assert.equal('run' in listed.tools[0]!, false);
    t.s.receive(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'resources/list' }));
    assert.equal(((await t.next()).error as { code: number }).code, -32601);
    t.s.receive(JSON.stringify({ jsonrpc: '2.0', id: 'keepalive-1', result: {} }));
    t.s.receive(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 9 } }));
    assert.equal(t.sent.length, 0);
  });

  it('calls tools; a throwing tool is a tool error, an unknown tool a JSON-RPC error', async () => {
    const t = session();
    t.s.receive(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } }));
    assert.deepEqual((await t.next()).result, { content: [{ type: 'text', text: 'hi' }] });
    t.s.receive(JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'broken', arguments: {} } }));
    assert.deepEqual((await t.next()).result, { content: [{ type: 'text', text: 'broken failed: boom' }], isError: true });
    t.s.receive(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'nope' } }));
    assert.equal(((await t.next()).error as { code: number }).code, -32602);
    t.s.receive('not json');
    assert.equal(((await t.next()).error as { code: number }).code, -32700);
  });
});
