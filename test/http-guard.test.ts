import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHub, type RunningHub } from './helpers/hub-process.js';
import { INITIALIZE, rawRequest, rawUpgrade, type RawAnswer } from './helpers/raw-http.js';
import { settledLog } from './helpers/hub-log.js';

const AI_ORIGIN = 'http://localhost:6274';

describe('Host and Origin guards on every surface (DNS rebinding, hostile pages)', () => {
  let hub: RunningHub;
  let port: number;
  let tokens: { ai: string; admin: string; provider: string };

  before(async () => {
    hub = await startHub({
      config: {
        // The second listener on all interfaces: only ever reached here on 127.0.0.1.
        reverse_mcp_settings: { enabled: true, listen_host: '0.0.0.0:0', allowed_hosts: ['hub.example.test', 'proxy.example.test:8443'] },
        ai: { allowed_origins: [AI_ORIGIN] },
      },
    });
    port = Number(new URL(hub.urls.mcp).port);
    tokens = { ai: await hub.mint('ai:probe'), admin: await hub.mint('admin'), provider: await hub.mint('provider:probe') };
  });
  after(async () => {
    await hub?.stop();
  });

  /** One request per surface, with the given extra headers; returns each surface's status. */
  async function surfaces(headers: Record<string, string>, ws = hub.urls.ws): Promise<Record<string, number>> {
    const answers: Record<string, RawAnswer> = {
      mcp: await rawRequest(hub.urls.mcp, { method: 'POST', headers: { Authorization: `Bearer ${tokens.ai}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers }, body: INITIALIZE }),
      sse: await rawRequest(hub.urls.mcp.replace(/\/mcp$/, '/sse'), { headers: { Authorization: `Bearer ${tokens.ai}`, ...headers } }),
      api: await rawRequest(`${hub.urls.api}/status`, { headers: { Authorization: `Bearer ${tokens.admin}`, ...headers } }),
      ws: await rawUpgrade(`${ws}?server_name=probe&token=${encodeURIComponent(tokens.provider)}`, headers),
    };
    return Object.fromEntries(Object.entries(answers).map(([surface, answer]) => [surface, answer.status]));
  }

  it('refuses Host names that only look like loopback, and loopback names with another port', async () => {
    const hostile = ['127.0.0.1.evil.example', '127.evil.example', '127.0.0.1.nip.io', '[::1].evil.example', `127.0.0.1.evil.example:${port}`, `localhost:${port + 1}`, '127.0.0.1', `127.0.0.2:${port}`, `192.0.2.7:${port}`, `proxy.example.test:${port}`, ''];
    for (const host of hostile) {
      assert.deepEqual(await surfaces({ Host: host }), { mcp: 403, sse: 403, api: 403, ws: 403 }, `Host: ${host}`);
    }
  });

  it('answers to 127.0.0.1, localhost and [::1] with its port, and to the names in allowed_hosts', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`, `hub.example.test:${port}`, 'hub.example.test', 'proxy.example.test:8443']) {
      assert.deepEqual(await surfaces({ Host: host }), { mcp: 200, sse: 200, api: 200, ws: 101 }, `Host: ${host}`);
    }
  });

  it('the second listener answers to IP literals and allowed_hosts, and refuses other names', async () => {
    const remote = (hub.urls as Record<string, string>).remoteWs!;
    const remotePort = new URL(remote).port;
    const upgrade = (host: string) => rawUpgrade(`${remote}?server_name=probe&token=${encodeURIComponent(tokens.provider)}`, { Host: host }).then((a) => a.status);
    assert.equal(await upgrade(`192.0.2.7:${remotePort}`), 101, 'a LAN peer dialling the IP');
    assert.equal(await upgrade('[2001:db8::7]:443'), 101, 'an IP literal behind port forwarding');
    assert.equal(await upgrade(`127.0.0.1:${remotePort}`), 101);
    assert.equal(await upgrade('hub.example.test'), 101);
    assert.equal(await upgrade(`evil.example:${remotePort}`), 403);
    assert.equal(await upgrade(`127.0.0.1.nip.io:${remotePort}`), 403);
  });

  it('logs each refused Host once', async () => {
    for (let i = 0; i < 3; i++) await rawRequest(hub.urls.mcp, { method: 'POST', headers: { Host: 'once.evil.example' } });
    const lines = (await settledLog(hub)).split('\n').filter((line) => line.includes('host="once.evil.example"'));
    assert.equal(lines.length, 1, hub.stderr());
    assert.match(lines[0]!, /WARN .*request refused: Host not allowed/);
  });

  it('/ws takes browser-extension origins only; null, other localhost ports and the panel are web pages', async () => {
    for (const origin of ['chrome-extension://abcdefghijklmnopabcdefghijklmnop', 'moz-extension://1b0e6c1e-0000-4000-8000-5a1b2c3d4e5f']) {
      assert.equal((await rawUpgrade(`${hub.urls.ws}?server_name=probe&token=${encodeURIComponent(tokens.provider)}`, { Origin: origin })).status, 101, origin);
    }
    for (const origin of ['null', 'http://127.0.0.1:8080', 'http://localhost:3000', `http://127.0.0.1:${port}`, AI_ORIGIN, 'https://evil.example']) {
      assert.equal((await rawUpgrade(`${hub.urls.ws}?server_name=probe&token=${encodeURIComponent(tokens.provider)}`, { Origin: origin })).status, 403, origin);
    }
  });

  it('/mcp and /sse take no browser origin but those in ai.allowed_origins; the admin API only the panel’s own', async () => {
    const panel = `http://127.0.0.1:${port}`;
    const table: Array<[string, Record<string, number>]> = [
      ['null', { mcp: 403, sse: 403, api: 403, ws: 403 }],
      ['http://127.0.0.1:8080', { mcp: 403, sse: 403, api: 403, ws: 403 }],
      ['http://localhost:3000', { mcp: 403, sse: 403, api: 403, ws: 403 }],
      ['chrome-extension://abcdefghijklmnopabcdefghijklmnop', { mcp: 403, sse: 403, api: 403, ws: 101 }],
      [panel, { mcp: 403, sse: 403, api: 200, ws: 403 }],
      [AI_ORIGIN, { mcp: 200, sse: 200, api: 403, ws: 403 }],
    ];
    for (const [origin, expected] of table) assert.deepEqual(await surfaces({ Origin: origin }), expected, origin);
    assert.deepEqual(await surfaces({}), { mcp: 200, sse: 200, api: 200, ws: 101 }, 'programs send no Origin');
  });

  it('an allowed AI origin gets CORS: the preflight is answered and the session id exposed', async () => {
    const preflight = await rawRequest(hub.urls.mcp, { method: 'OPTIONS', headers: { Origin: AI_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type, mcp-session-id' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], AI_ORIGIN);
    assert.match(String(preflight.headers['access-control-allow-headers']), /Mcp-Session-Id/);
    const post = await rawRequest(hub.urls.mcp, { method: 'POST', headers: { Origin: AI_ORIGIN, Authorization: `Bearer ${tokens.ai}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: INITIALIZE });
    assert.equal(post.headers['access-control-allow-origin'], AI_ORIGIN);
    assert.match(String(post.headers['access-control-expose-headers']), /Mcp-Session-Id/);
    const foreign = await rawRequest(hub.urls.mcp, { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
  });
});
