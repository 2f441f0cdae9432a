import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFile, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AuditLog, sealLine, verifyAudit } from '../app/core/calls/audit-log.js';
import type { Logger } from '../app/core/base/log.js';
import { adminEvents } from './helpers/admin-events.js';
import { silentProvider } from './fixtures/silent-provider.js';
import { childEnv, CLI, connectAi, makeDataDir, names, startHub } from './helpers/hub-process.js';

const entry = (i: number) => ({ event: 'call' as const, caller: 'ai:t', provider: 'p', tool: `t${i}`, args_digest: 'x', decision: 'allow' as const, decided_by: 'default', duration_ms: i, outcome: 'ok' });

function verifyCli(dir: string) {
  return spawnSync(process.execPath, [CLI, 'audit', 'verify'], { env: childEnv(dir), encoding: 'utf8' });
}

function writeLog(dir: string, count: number): void {
  const log = new AuditLog(dir);
  for (let i = 0; i < count; i++) log.append(entry(i));
  log.close();
}

/** A logger that keeps its warnings. */
function capture(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log: Logger & { warnings: string[] } = {
    warnings,
    error: () => undefined,
    warn: (message, fields) => void warnings.push(`${message} ${JSON.stringify(fields ?? {})}`),
    info: () => undefined,
    debug: () => undefined,
    child: () => log,
  };
  return log;
}

const tornFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.startsWith('audit.torn-'));

describe('the audit trail after a crash', () => {
  it('a line a crash cut short is set aside at the next start: the log verifies, the fragment is kept (0600) and the hub says where, once', async () => {
    const dir = await makeDataDir();
    writeLog(dir, 5);
    const path = join(dir, 'audit.jsonl');
    // What a crash in the middle of a write leaves: the start of the next line, no newline.
    const fragment = sealLine({ ...entry(5), prev: 'x' }).line.slice(0, 57);
    await appendFile(path, fragment);
    const before = verifyCli(dir);
    assert.equal(before.status, 1);
    assert.match(before.stdout, /line 6: the last line is incomplete \(a crash cut it short; the next hub start sets it aside\)/);

    const hub = await startHub({ dataDir: dir });
    const ai = await connectAi(hub);
    await ai.callTool({ name: 'permissions__approve', arguments: { tool_name: 'Read', input: {} } });
    await ai.close();
    await hub.stop();

    const [side, ...more] = await tornFiles(dir);
    assert.ok(side && more.length === 0, `one side file: ${side} ${more.join(' ')}`);
    assert.equal(await readFile(join(dir, side), 'utf8'), fragment);
    assert.equal((await stat(join(dir, side))).mode & 0o777, 0o600);
    const said = hub.stderr().split('\n').filter((line) => line.includes(side));
    assert.equal(said.length, 1, hub.stderr());
    assert.match(said[0]!, /audit\.jsonl ended in a line a crash cut short: its 57 byte\(s\) were moved aside/);

    const after = verifyCli(dir);
    assert.equal(after.status, 0, after.stdout);
    assert.match(after.stdout, /The audit log is intact: 7 line\(s\)/); // 5, the torn-tail record, the prompt's decision
    assert.match(after.stdout, new RegExp(`1 fragment\\(s\\) of a line a crash cut short, set aside at a hub start \\(not part of the chain\\):\\n  .*${side}  57 byte\\(s\\), recorded in the log`));
    const torn = (await readFile(path, 'utf8')).split('\n').map((l) => (l ? (JSON.parse(l) as Record<string, unknown>) : {})).find((l) => l.event === 'torn-tail');
    assert.equal(torn?.file, side);
    assert.equal(torn?.bytes, 57);
  });

  it('a side file changed after it was set aside is reported as not matching the log', async () => {
    const dir = await makeDataDir();
    writeLog(dir, 2);
    await appendFile(join(dir, 'audit.jsonl'), '{"time":"20');
    new AuditLog(dir).open();
    const [side] = await tornFiles(dir);
    await writeFile(join(dir, side!), '{"time":"21');
    const result = verifyAudit(dir);
    assert.equal(result.ok, true);
    assert.deepEqual(result.setAside.map((s) => s.recorded), [false]);
    assert.match(verifyCli(dir).stdout, /with no torn-tail line in the log naming this content/);
  });

  it('a last record that lost only its line break is kept in the chain, not set aside', async () => {
    const dir = await makeDataDir();
    writeLog(dir, 3);
    const path = join(dir, 'audit.jsonl');
    await truncate(path, (await stat(path)).size - 1);
    const log = new AuditLog(dir, undefined, capture());
    log.append(entry(3));
    log.close();
    const result = verifyAudit(dir);
    assert.equal(result.ok, true, JSON.stringify(result.broken));
    assert.equal(result.lines, 4);
    assert.deepEqual(await tornFiles(dir), []);
  });

  it('a whole last line that fails its own hash stays where it is: verify names it, the hub warns, and later lines do not vouch for it', async () => {
    const dir = await makeDataDir();
    writeLog(dir, 3);
    const path = join(dir, 'audit.jsonl');
    const original = await readFile(path, 'utf8');
    await writeFile(path, original.replace('"t2"', '"t9"'));
    const log = capture();
    const audit = new AuditLog(dir, undefined, log);
    audit.append(entry(3));
    audit.close();
    assert.equal(log.warnings.length, 1);
    assert.match(log.warnings[0]!, /does not match its own hash: .* it stays in place and `inlet audit verify` names it/);
    assert.deepEqual(await tornFiles(dir), []);
    const result = verifyAudit(dir);
    assert.deepEqual(result.broken, { file: path, line: 3, reason: 'its content does not match its hash' });
    // The new line chains to the hash the changed line recorded: putting the original text
    // back makes the whole log verify again.
    await writeFile(path, (await readFile(path, 'utf8')).replace('"t9"', '"t2"'));
    assert.equal(verifyAudit(dir).ok, true);
  });

  it('calls in flight when the hub is killed (-9) are listed by verify after a restart, with time, caller, tool and call id', async () => {
    const config = { approvals: { default: 'allow', rules: [{ provider: 'silent', tool: 'confirm', policy: 'ask' }] } };
    const hub = await startHub({ config });
    const provider = await silentProvider(`${hub.urls.ws}?server_name=silent&token=${encodeURIComponent(await hub.mint('provider:silent'))}`, ['wait', 'confirm']);
    const ai = await connectAi(hub, 'ai:crashy');
    await ai.waitForTools((tools) => names(tools).includes('silent__wait'));
    await ai.callTool({ name: 'silent__quick', arguments: {} }); // finished: never listed
    const events = await adminEvents(hub);
    const calls = Array.from({ length: 5 }, (_, i) => ai.callTool({ name: 'silent__wait', arguments: { n: i } }).catch(() => 'cut off'));
    const asked = ai.callTool({ name: 'silent__confirm', arguments: {} }).catch(() => 'cut off');
    await provider.received(5);
    await events.until((state) => state.pending.length === 1);
    hub.process.kill('SIGKILL');
    assert.deepEqual(await Promise.all([...calls, asked]), Array(6).fill('cut off'));
    await hub.stop();
    events.close();
    provider.socket.terminate();
    await ai.close();

    const restarted = await startHub({ dataDir: hub.dataDir });
    await restarted.stop();
    const result = verifyAudit(hub.dataDir);
    assert.equal(result.ok, true, JSON.stringify(result.broken));
    assert.deepEqual(result.unfinished.map((c) => `${c.caller} ${c.provider}/${c.tool} ${c.decision}`).sort(), [
      'ai:crashy silent/confirm ask',
      ...Array(5).fill('ai:crashy silent/wait allow'),
    ]);
    const lines = (await readFile(join(hub.dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const started = lines.filter((l) => l.event === 'call-start');
    assert.equal(started.length, 7, 'the quick call, five waits and the call asking for approval');
    assert.equal(lines.find((l) => l.event === 'call')?.call_id, started[0]!.call_id, 'the finished call carries its start line\'s id');

    const cli = verifyCli(hub.dataDir);
    assert.equal(cli.status, 0, cli.stdout);
    assert.match(cli.stdout, /6 call\(s\) started and never finished \(the hub stopped while they ran\):/);
    for (const call of result.unfinished) {
      const row = new RegExp(`^  ${call.time}  ai:crashy  silent/${call.tool}  call ${call.call_id}${call.tool === 'confirm' ? '  \\(was waiting for approval\\)' : ''}$`, 'm');
      assert.match(cli.stdout, row);
    }
  });
});
