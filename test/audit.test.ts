import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { readFile, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AuditLog, verifyAudit } from '../app/core/calls/audit-log.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { childEnv, CLI, connectAi, makeDataDir, names, startHub } from './helpers/hub-process.js';

const entry = (i: number) => ({ event: 'call' as const, caller: 'ai:t', provider: 'p', tool: `t${i}`, args_digest: 'x', decision: 'allow' as const, decided_by: 'default', duration_ms: i, outcome: 'ok' });

function verifyCli(dir: string) {
  return spawnSync(process.execPath, [CLI, 'audit', 'verify'], { env: childEnv(dir), encoding: 'utf8' });
}

describe('the audit trail', () => {
  it('verify passes on a clean log and fails at the line where one byte was changed', async () => {
    const dir = await makeDataDir();
    const log = new AuditLog(dir);
    for (let i = 0; i < 20; i++) log.append(entry(i));
    log.close();
    assert.deepEqual(verifyAudit(dir).ok, true);
    const clean = verifyCli(dir);
    assert.equal(clean.status, 0);
    assert.match(clean.stdout, /intact: 20 line\(s\)/);

    const path = join(dir, 'audit.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[6] = lines[6]!.replace('"t6"', '"t7"'); // one byte of line 7
    await writeFile(path, lines.join('\n'));
    const result = verifyAudit(dir);
    assert.equal(result.ok, false);
    assert.equal(result.broken?.line, 7);
    const broken = verifyCli(dir);
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, /broken at .*audit\.jsonl line 7: its content does not match its hash/);
  });

  it('removing a line breaks the chain at the line after it', async () => {
    const dir = await makeDataDir();
    const log = new AuditLog(dir);
    for (let i = 0; i < 5; i++) log.append(entry(i));
    log.close();
    const path = join(dir, 'audit.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines.splice(2, 1);
    await writeFile(path, lines.join('\n'));
    assert.deepEqual(verifyAudit(dir).broken?.line, 3);
  });

  it('rotation by size keeps the chain across files, also after a reopen', async () => {
    const dir = await makeDataDir();
    let log = new AuditLog(dir, 4096);
    for (let i = 0; i < 40; i++) log.append(entry(i));
    log.close();
    log = new AuditLog(dir, 4096);
    for (let i = 40; i < 80; i++) log.append(entry(i));
    log.close();
    const files = (await readdir(dir)).filter((f) => f.startsWith('audit'));
    assert.ok(files.length >= 3, `rotated into ${files.join(', ')}`);
    const result = verifyAudit(dir);
    assert.equal(result.ok, true, JSON.stringify(result.broken));
    assert.equal(result.lines, 80);
    // Tampering with a rotated file is found too.
    const first = join(dir, 'audit.1.jsonl');
    const text = await readFile(first, 'utf8');
    await writeFile(first, text.replace('"t3"', '"t9"'));
    assert.equal(verifyAudit(dir).broken?.file, first);
  });

  it('a reopened log longer than the tail it reads continues the chain', async () => {
    const dir = await makeDataDir();
    let log = new AuditLog(dir);
    for (let i = 0; i < 1500; i++) log.append({ ...entry(i), outcome: 'x'.repeat(200) });
    log.close();
    log = new AuditLog(dir);
    log.append(entry(1500));
    log.close();
    const result = verifyAudit(dir);
    assert.equal(result.ok, true, JSON.stringify(result.broken));
    assert.equal(result.lines, 1501);
  });

  it('every call through the hub is audited, and kill -9 during a burst leaves a log that verifies', async () => {
    const hub = await startHub();
    const token = await hub.mint('provider:burst');
    const provider = await dialProvider(`${hub.urls.ws}?server_name=burst&token=${encodeURIComponent(token)}`, { tools: ['go'] });
    const ai = await connectAi(hub);
    await ai.waitForTools((tools) => names(tools).includes('burst__go'));
    await ai.callTool({ name: 'burst__go', arguments: { text: 'first' } });
    const [start, first] = (await readFile(join(hub.dataDir, 'audit.jsonl'), 'utf8')).split('\n').slice(0, 2).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(start!.event, 'call-start', 'the call is recorded before it reaches the provider');
    assert.equal(first!.event, 'call');
    assert.equal(first!.call_id, start!.call_id);
    assert.match(String(first!.call_id), /^[0-9a-f-]{36}$/);
    assert.equal(first!.caller, 'ai:test');
    assert.equal(first!.provider, 'burst');
    assert.equal(first!.tool, 'go');
    assert.equal(first!.decision, 'allow');
    assert.equal(first!.outcome, 'ok');
    assert.match(String(first!.args_digest), /^[0-9a-f]{64}$/);
    assert.equal(start!.args_digest, first!.args_digest);
    assert.doesNotMatch(JSON.stringify([start, first]), /first/, 'arguments are digested, not stored');
    // 16 callers loop until 100 calls are done, then the hub is killed in the middle of the burst;
    // its exit ends the calls still in flight (a killed hub answers none of them).
    let done = 0;
    let killed = false;
    const gone = new AbortController();
    setMaxListeners(32, gone.signal);
    hub.process.once('exit', () => gone.abort());
    const caller = async () => {
      while (!killed) {
        try {
          await ai.callTool({ name: 'burst__go', arguments: { text: String(done) } }, undefined, { signal: gone.signal });
        } catch {
          return;
        }
        if (++done >= 100 && !killed) {
          killed = true;
          hub.process.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, caller));
    await hub.stop();
    provider.socket.terminate();
    const result = verifyAudit(hub.dataDir);
    assert.equal(result.ok, true, JSON.stringify(result.broken));
    assert.ok(result.lines >= 100, `${result.lines} lines`);
    const restarted = await startHub({ dataDir: hub.dataDir });
    try {
      const again = await connectAi(restarted);
      await again.callTool({ name: 'permissions__approve', arguments: { tool_name: 'X', input: {} } }).catch(() => undefined);
      await again.close();
    } finally {
      await restarted.stop();
    }
    assert.equal(verifyAudit(hub.dataDir).ok, true, 'the chain continues after a crash and restart');
  });
});
