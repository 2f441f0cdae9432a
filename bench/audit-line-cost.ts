import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AuditLog, digestArguments } from '../app/core/calls/audit-log.js';
import { ECHO_ARGS } from './inproc-hub.js';

/**
 * What the audit log costs one allowed call, in µs: the `call` line alone (before call-start
 * lines existed) against `call-start` + `call` (now), each on its own AuditLog in a temp dir,
 * alternating in blocks so drift on a shared machine falls on both. Prints the median of the
 * blocks' wall-clock and CPU µs per call (CPU time is the steadier figure on a busy machine). Run: `npm run build && node dist/bench/audit-line-cost.js [blocks]`.
 */
const BLOCK = 2_000;

interface Sample {
  wall: number;
  cpu: number;
}

function main(blocks: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-audit-bench-'));
  try {
    for (const sub of ['one', 'two']) mkdirSync(join(dir, sub));
    const logs = { one: new AuditLog(join(dir, 'one'), 1 << 30), two: new AuditLog(join(dir, 'two'), 1 << 30) };
    const base = { caller: 'ai:bench', provider: 'echo', tool: 'echo' };
    const oneLine = () => {
      const line = { ...base, call_id: randomUUID(), args_digest: digestArguments(ECHO_ARGS) };
      logs.one.append({ event: 'call', ...line, decision: 'allow', decided_by: 'default', duration_ms: 0.12, outcome: 'ok' });
    };
    const twoLines = () => {
      const line = { ...base, call_id: randomUUID(), args_digest: digestArguments(ECHO_ARGS) };
      logs.two.append({ event: 'call-start', ...line, decision: 'allow', decided_by: 'default' });
      logs.two.append({ event: 'call', ...line, decision: 'allow', decided_by: 'default', duration_ms: 0.12, outcome: 'ok' });
    };
    const samples = { one: [] as Sample[], two: [] as Sample[] };
    const block = (fn: () => void): Sample => {
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < BLOCK; i++) fn();
      const used = process.cpuUsage(cpu);
      return { wall: ((performance.now() - t0) * 1000) / BLOCK, cpu: (used.user + used.system) / BLOCK };
    };
    block(oneLine);
    block(twoLines);
    for (let b = 0; b < blocks; b++) {
      if (b % 2 === 0) {
        samples.one.push(block(oneLine));
        samples.two.push(block(twoLines));
      } else {
        samples.two.push(block(twoLines));
        samples.one.push(block(oneLine));
      }
    }
    logs.one.close();
    logs.two.close();
    const median = (xs: Sample[], key: keyof Sample) => xs.map((x) => x[key]).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const row = (label: string, key: keyof Sample) => {
      const one = median(samples.one, key);
      const two = median(samples.two, key);
      console.log(`  ${label.padEnd(5)} ${one.toFixed(2).padStart(8)} ${two.toFixed(2).padStart(12)} ${(two - one).toFixed(2).padStart(10)}`);
    };
    console.log(`audit work per allowed call, ${blocks} blocks of ${BLOCK} calls each, median µs/call (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}):`);
    console.log('        call only  start + call      added');
    row('wall', 'wall');
    row('CPU', 'cpu');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main(Number(process.argv[2] ?? 20));
