import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { adminRequest, childEnv, CLI, startHub, type RunningHub } from './helpers/hub-process.js';

describe('the admin API guards', () => {
  let hub: RunningHub;
  let origin: string;

  before(async () => {
    hub = await startHub();
    origin = hub.urls.mcp.replace(/\/mcp$/, '');
  });
  after(async () => {
    await hub?.stop();
  });

  function loginUrl(): string {
    const run = spawnSync(process.execPath, [CLI, 'panel'], { env: childEnv(hub.dataDir), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  }

  it('refuses the API and the panel without a login', async () => {
    assert.equal((await fetch(`${hub.urls.api}/state`)).status, 401);
    assert.equal((await fetch(`${hub.urls.api}/state`, { headers: { Authorization: `Bearer ${await hub.mint('ai:x')}` } })).status, 401);
    const panel = await fetch(`${origin}/`);
    assert.equal(panel.status, 401);
    assert.match(await panel.text(), /inlet panel/);
  });

  it('a one-time URL turns into an HttpOnly, SameSite=Strict cookie, and works once', async () => {
    const url = loginUrl();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/login\?code=/);
    const first = await fetch(url, { redirect: 'manual' });
    assert.equal(first.status, 303);
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^inlet_admin_\d+=[^;]+; HttpOnly; SameSite=Strict; Path=\//, 'the cookie name carries the port');
    const value = cookie.split(';')[0]!;
    assert.equal((await fetch(`${hub.urls.api}/state`, { headers: { Cookie: value } })).status, 200);
    assert.equal((await fetch(url, { redirect: 'manual' })).status, 401, 'a used code is refused');
    assert.equal((await fetch(`${hub.urls.api}/state`, { headers: { Cookie: value.slice(0, -2) + 'xx' } })).status, 401, 'a forged cookie is refused');
  });

  it('a settings save leaves the rules alone, and a rule is deleted only if it is still the one shown', async () => {
    const api = async (method: string, path: string, body: unknown) => {
      const response = await fetch(`${hub.urls.api}${path}`, { method, headers: { Authorization: `Bearer ${await hub.mint('admin')}` }, body: JSON.stringify(body) });
      return { status: response.status, data: (await response.json()) as { rules: unknown[]; timeout_s: number } };
    };
    await api('POST', '/policy/rules', { provider: 'a', policy: 'allow' });
    await api('POST', '/policy/rules', { provider: 'b', policy: 'deny' });
    const saved = await api('PUT', '/policy', { timeout_s: 30 });
    assert.equal(saved.data.timeout_s, 30);
    assert.deepEqual(saved.data.rules, [{ provider: 'a', policy: 'allow' }, { provider: 'b', policy: 'deny' }]);
    const stale = await api('DELETE', '/policy/rules/0', { rule: { provider: 'b', policy: 'deny' } });
    assert.equal(stale.status, 409);
    const ok = await api('DELETE', '/policy/rules/1', { rule: { provider: 'b', policy: 'deny' } });
    assert.deepEqual(ok.data.rules, [{ provider: 'a', policy: 'allow' }]);
    await api('DELETE', '/policy/rules/0', {});
  });

  it('checks Origin on every state-changing request', async () => {
    const login = await fetch(loginUrl(), { redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const pause = (headers: Record<string, string>) =>
      fetch(`${hub.urls.api}/pause`, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie, ...headers }, body: JSON.stringify({ paused: false }) });
    assert.equal((await pause({ Origin: 'http://evil.example' })).status, 403);
    assert.equal((await pause({})).status, 403, 'a cookie request must name its origin');
    assert.equal((await pause({ Origin: origin })).status, 200);
    const admin = await hub.mint('admin');
    const cross = await fetch(`${hub.urls.api}/pause`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, Origin: 'http://evil.example' }, body: '{"paused":false}' });
    assert.equal(cross.status, 403);
  });

  it('refuses DNS-rebinding Host headers on every surface', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const url = new URL(`${hub.urls.api}/state`);
      request({ host: url.hostname, port: url.port, path: url.pathname, headers: { Host: 'attacker.example' } }, (res) => resolve(res.statusCode ?? 0)).end();
    });
    assert.equal(status, 403);
  });
});

describe('the revoked list', () => {
  let hub: RunningHub;

  before(async () => {
    hub = await startHub({ config: { tokens: { revoked: ['Old Laptop'] } } });
  });
  after(async () => {
    await hub?.stop();
  });

  it('takes out an entry that is not a client id (a hand edit), while revoke still refuses one', async () => {
    const refused = await adminRequest<{ error: string }>(hub, 'POST', '/tokens/revoke', { client: 'Another Laptop' });
    assert.equal(refused.status, 400);
    const allowed = await adminRequest<{ ok: boolean; revoked: string[] }>(hub, 'POST', '/tokens/allow', { client: 'Old Laptop' });
    assert.equal(allowed.status, 200);
    assert.deepEqual(allowed.data.revoked, []);
    assert.equal((await adminRequest(hub, 'POST', '/tokens/allow', { client: 'Not Listed' })).status, 400, 'anything else is still checked');
  });
});
