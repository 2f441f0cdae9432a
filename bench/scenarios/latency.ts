import { cpuMs, stopChild, systemBusyMs } from '../procs.js';
import { pool, type LoadPlan, type LoadResult, type RawRun } from '../stats.js';
import { SCENARIOS, setup, sharedHub, type ScenarioKey, type Setup } from './setup.js';

export { SCENARIOS, type ScenarioKey } from './setup.js';

/** CPU time per call (µs) of each process on the path; "other" is the rest of the machine. */
export interface CpuPerCall {
  seq: Record<string, number>;
  conc: Record<string, number>;
}
export type LatencyResults = Record<ScenarioKey, { seq: LoadResult; conc: LoadResult; cpu: CpuPerCall }>;

interface Accumulated {
  seq: RawRun[];
  conc: RawRun[];
  cpuMs: { seq: Record<string, number>; conc: Record<string, number> };
}

/** Runs one phase and adds the CPU time each process spent to `into`. */
async function accounted(pids: Record<string, number>, into: Record<string, number>, run: () => Promise<RawRun>): Promise<RawRun> {
  const read = (): Record<string, number> => {
    const used: Record<string, number> = Object.fromEntries(Object.entries(pids).map(([role, pid]) => [role, cpuMs(pid)]));
    return { ...used, system: systemBusyMs() };
  };
  const before = read();
  const result = await run();
  const after = read();
  let ours = 0;
  for (const role of Object.keys(pids)) {
    const used = after[role]! - before[role]!;
    ours += used;
    into[role] = (into[role] ?? 0) + used;
  }
  into.other = (into.other ?? 0) + Math.max(0, after.system! - before.system! - ours);
  return result;
}

function perCall(totals: Record<string, number>, calls: number): Record<string, number> {
  return Object.fromEntries(Object.entries(totals).map(([role, used]) => [role, (used * 1000) / calls]));
}

/**
 * (a)–(f): every scenario is set up first (its processes then sit idle while the others run),
 * warmed up, then measured in `plan.rounds` rounds, alternating the order each round so drift
 * on the machine falls on every scenario alike. Samples of all rounds are pooled.
 */
export async function runLatency(plan: LoadPlan, keys: ScenarioKey[], say: (line: string) => void): Promise<LatencyResults> {
  const hubs = { main: sharedHub(true), noAudit: sharedHub(false) };
  const setups = new Map<ScenarioKey, Setup>();
  const acc = new Map<ScenarioKey, Accumulated>();
  try {
    for (const key of keys) {
      say(`setting up ${SCENARIOS[key]}`);
      setups.set(key, await setup(key, { main: hubs.main.get, noAudit: hubs.noAudit.get }));
      acc.set(key, { seq: [], conc: [], cpuMs: { seq: {}, conc: {} } });
    }
    for (const key of keys) {
      say(`warming up ${key} (${plan.warmup} calls)`);
      const { runner } = setups.get(key)!;
      // Concurrent and sequential calls, so every code path on the way is compiled.
      await runner.run(plan.concurrency, Math.ceil(plan.warmup / 2 / plan.concurrency));
      await runner.run(1, Math.ceil(plan.warmup / 2));
    }
    for (let round = 1; round <= plan.rounds; round++) {
      for (const key of round % 2 ? keys : [...keys].reverse()) {
        const s = setups.get(key)!;
        const a = acc.get(key)!;
        const pids = { 'AI client': s.runner.pid, ...s.pids };
        a.seq.push(await accounted(pids, a.cpuMs.seq, () => s.runner.run(1, plan.sequential)));
        a.conc.push(await accounted(pids, a.cpuMs.conc, () => s.runner.run(plan.concurrency, plan.perCaller)));
        say(`round ${round}/${plan.rounds} ${SCENARIOS[key]}: p50 ${pool(a.seq.slice(-1)).p50.toFixed(3)} ms`);
      }
    }
  } finally {
    for (const s of setups.values()) {
      await s.runner.close();
      await Promise.all(s.children.map((c) => stopChild(c.proc)));
    }
    await hubs.main.stop();
    await hubs.noAudit.stop();
  }
  const results = {} as LatencyResults;
  for (const [key, a] of acc) {
    const seqCalls = plan.rounds * plan.sequential;
    const concCalls = plan.rounds * plan.concurrency * plan.perCaller;
    results[key] = {
      seq: pool(a.seq),
      conc: pool(a.conc),
      cpu: { seq: perCall(a.cpuMs.seq, seqCalls), conc: perCall(a.cpuMs.conc, concCalls) },
    };
  }
  return results;
}
