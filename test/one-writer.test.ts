import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApprovalSettings, Rule } from '../app/shared/admin-types.js';
import { runCommand } from './helpers/run-command.js';
import { adminRequest, childEnv, CLI, makeDataDir, startHub, type RunningHub } from './helpers/hub-process.js';

/**
 * One writer of the hub's state (docs/decisions.md): while a hub runs, `inlet policy` and `inlet
 * token revoke` ask it to make the change through the admin API's atomic operations, so that a
 * click in the panel at the same moment is kept too; with no hub, they edit config.json
 * themselves and say so.
 */
const cli = (dataDir: string, args: string[]) => runCommand(process.execPath, [CLI, ...args], childEnv(dataDir));
const readConfig = async (dataDir: string) =>
  JSON.parse(await readFile(join(dataDir, 'config.json'), 'utf8')) as { approvals: ApprovalSettings; tokens?: { revoked?: string[] } };

/** The panel as a browser drives it: the login cookie from `inlet panel`, and its own Origin. */
async function panelSession(hub: RunningHub) {
  const login = await cli(hub.dataDir, ['panel']);
  assert.equal(login.status, 0, login.stderr);
  const answer = await fetch(login.stdout.trim(), { redirect: 'manual' });
  const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0]!;
  const origin = new URL(hub.urls.api).origin;
  return async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${hub.urls.api}${path}`, { method, headers: { Cookie: cookie, Origin: origin, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(response.status, 200, `${method} ${path}: ${await response.clone().text()}`);
    return response.json() as Promise<unknown>;
  };
}

describe('one writer of the hub state: CLI and panel at the same moment', () => {
  let hub: RunningHub;
  let panel: Awaited<ReturnType<typeof panelSession>>;

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', rules: [{ provider: 'keep', policy: 'allow' }, { provider: 'old', policy: 'deny' }] } } });
    panel = await panelSession(hub);
  });
  after(async () => {
    await hub?.stop();
  });

  it('keeps every rule added at once by `inlet policy add` and by the panel', async () => {
    const fromCli = ['c1', 'c2', 'c3'].map((p) => cli(hub.dataDir, ['policy', 'add', '--provider', p, 'deny']));
    const fromPanel = ['p1', 'p2', 'p3'].map((p) => panel('POST', '/policy/rules', { provider: p, policy: 'allow' } satisfies Rule));
    const [runs] = await Promise.all([Promise.all(fromCli), Promise.all(fromPanel)]);
    for (const run of runs) {
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, new RegExp(`Applied by the running hub \\(pid ${hub.process.pid}\\)`));
    }
    const providers = (await readConfig(hub.dataDir)).approvals.rules.map((r) => r.provider).sort();
    assert.deepEqual(providers, ['c1', 'c2', 'c3', 'keep', 'old', 'p1', 'p2', 'p3']);
    const live = (await adminRequest<ApprovalSettings>(hub, 'GET', '/policy')).data;
    assert.deepEqual(live.rules.map((r) => r.provider).sort(), providers, 'the hub applies what the file says');
  });

  it('`inlet policy remove RULE` removes that rule, while the panel removes the rule before it, adds one and pauses', async () => {
    // At the same moment the panel deletes rule 1 ("keep"), which moves "old" up the list.
    const [removed] = await Promise.all([
      cli(hub.dataDir, ['policy', 'remove', '--provider', 'old', 'deny']),
      panel('DELETE', '/policy/rules/0', { rule: { provider: 'keep', policy: 'allow' } }),
      panel('POST', '/policy/rules', { provider: 'p4', policy: 'ask' } satisfies Rule),
      panel('POST', '/pause', { paused: true }),
    ]);
    assert.equal(removed.status, 0, removed.stderr);
    const approvals = (await readConfig(hub.dataDir)).approvals;
    const providers = approvals.rules.map((r) => r.provider);
    assert.deepEqual(providers.sort(), ['c1', 'c2', 'c3', 'p1', 'p2', 'p3', 'p4'], 'the two rules named are gone, every other stays');
    assert.equal(approvals.paused, true, 'the pause set in the panel stays');
    const gone = await cli(hub.dataDir, ['policy', 'remove', '--provider', 'old', 'deny']);
    assert.equal(gone.status, 2);
    assert.equal(gone.stderr, 'inlet policy: No rule is "provider old → deny" (now, at least: it may have been removed meanwhile); nothing was removed.\n');
    await panel('POST', '/pause', { paused: false });
  });

  it('keeps both revocations made at once by `inlet token revoke` and by the panel, and the rule the panel added', async () => {
    const [revoked] = await Promise.all([
      cli(hub.dataDir, ['token', 'revoke', '--client', 'ai:laptop']),
      panel('POST', '/tokens/revoke', { client: 'ai:tablet' }),
      panel('POST', '/policy/rules', { provider: 'p5', policy: 'deny' } satisfies Rule),
    ]);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stderr, /Revoked ai:laptop: its tokens stop working now\.\nApplied by the running hub/);
    const config = await readConfig(hub.dataDir);
    assert.deepEqual([...(config.tokens?.revoked ?? [])].sort(), ['ai:laptop', 'ai:tablet']);
    assert.ok(config.approvals.rules.some((r) => r.provider === 'p5'));
    const token = await hub.mint('ai:laptop');
    const refused = await fetch(hub.urls.mcp, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: '{}' });
    assert.equal(refused.status, 401, 'the running hub refuses the revoked token at once');
    const again = await cli(hub.dataDir, ['token', 'revoke', '--client', 'ai:laptop']);
    assert.equal(again.stderr, 'ai:laptop was already revoked.\n');
  });

  it('`inlet token allow` lets a revoked client in again at once, keeping the other revocation', async () => {
    const allowed = await cli(hub.dataDir, ['token', 'allow', '--client', 'ai:laptop']);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stderr, /^Allowed ai:laptop again: its tokens work again\.\nApplied by the running hub/);
    assert.deepEqual((await readConfig(hub.dataDir)).tokens?.revoked, ['ai:tablet']);
    const token = await hub.mint('ai:laptop');
    const status = await fetch(hub.urls.mcp, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: '{}' });
    assert.notEqual(status.status, 401, 'the running hub takes the token again');
    assert.equal((await cli(hub.dataDir, ['token', 'allow', '--client', 'ai:laptop'])).stderr, 'ai:laptop was not revoked.\n');
  });
});

describe('the same commands with no hub running', () => {
  let dataDir: string;

  before(async () => {
    dataDir = await makeDataDir({ approvals: { default: 'ask', rules: [{ provider: 'old', policy: 'deny' }] }, custom: { kept: true } });
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('`inlet policy` edits config.json itself, keeps keys Inlet does not know, and says so', async () => {
    const added = await cli(dataDir, ['policy', 'add', '--provider', 'new', '--tool', 'echo', 'allow']);
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stderr, /^No hub is running: wrote .*config\.json directly; the hub applies it when it starts\.\n$/);
    assert.match(added.stdout, /2\. provider new, tool echo → allow/);
    assert.equal((await cli(dataDir, ['policy', 'remove', '1'])).status, 0);
    assert.equal((await cli(dataDir, ['policy', 'timeout', '30'])).status, 0);
    const config = (await readConfig(dataDir)) as Awaited<ReturnType<typeof readConfig>> & { custom?: unknown };
    assert.deepEqual(config.approvals.rules, [{ provider: 'new', tool: 'echo', policy: 'allow' }]);
    assert.equal(config.approvals.timeout_s, 30);
    assert.deepEqual(config.custom, { kept: true });
  });

  it('`inlet token revoke` edits config.json itself and says so; a hub started later refuses the token', async () => {
    const revoked = await cli(dataDir, ['token', 'revoke', '--client', 'ai:old-laptop']);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stderr, /Revoked ai:old-laptop: its tokens stop working now\.\nNo hub is running: wrote .*config\.json directly/);
    assert.deepEqual((await readConfig(dataDir)).tokens?.revoked, ['ai:old-laptop']);
    const hub = await startHub({ dataDir });
    try {
      const token = await hub.mint('ai:old-laptop');
      const refused = await fetch(hub.urls.mcp, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: '{}' });
      assert.equal(refused.status, 401);
    } finally {
      await hub.stop();
    }
  });

  it('`inlet token allow` edits config.json itself too, and says so', async () => {
    const allowed = await cli(dataDir, ['token', 'allow', '--client', 'ai:old-laptop']);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stderr, /^Allowed ai:old-laptop again: its tokens work again\.\nNo hub is running: wrote .*config\.json directly/);
    assert.deepEqual((await readConfig(dataDir)).tokens?.revoked, []);
  });

  it('two edits at once take turns: `inlet policy` waits, saying for whom, while another program holds config.json, then keeps both edits', async () => {
    const configPath = join(dataDir, 'config.json');
    const lock = `${configPath}.lock`;
    // This test process is the other program: it holds the lock as an editor would.
    await writeFile(lock, String(process.pid));
    const child = spawn(process.execPath, [CLI, 'policy', 'add', '--provider', 'waited', 'allow'], { env: childEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = once(child, 'exit');
    const waiting = new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes(`Waiting for process ${process.pid}, which is editing ${configPath}`)) resolve();
      });
      void exited.then(() => reject(new Error(`inlet policy ended without waiting for the lock: ${stderr}`)));
    });
    await waiting;
    const mine = JSON.parse(await readFile(configPath, 'utf8')) as { approvals: { rules: Rule[] } };
    mine.approvals.rules.push({ provider: 'meanwhile', policy: 'deny' });
    await writeFile(configPath, JSON.stringify(mine, null, 2));
    await rm(lock);
    const [code] = (await exited) as [number];
    assert.equal(code, 0, stderr);
    const providers = (await readConfig(dataDir)).approvals.rules.map((rule) => rule.provider);
    assert.ok(providers.includes('meanwhile') && providers.includes('waited'), `both edits are kept: ${providers.join(', ')}`);
    await assert.rejects(access(lock), 'the lock is gone once the edit is written');
  });

  it('a lock left by a program that died does not block the next edit', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    await writeFile(join(dataDir, 'config.json.lock'), String(dead.pid));
    const added = await cli(dataDir, ['policy', 'add', '--provider', 'after-crash', 'allow']);
    assert.equal(added.status, 0, added.stderr);
    assert.doesNotMatch(added.stderr, /Waiting/);
    assert.ok((await readConfig(dataDir)).approvals.rules.some((rule) => rule.provider === 'after-crash'));
  });

  it('`inlet approvals approve` says plainly that no hub runs (calls wait only inside a hub)', async () => {
    const run = await cli(dataDir, ['approvals', 'approve', 'abcd']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^inlet approvals: No hub is running for the data dir .* \(start one with `inlet serve`\)\.\n$/);
  });
});
