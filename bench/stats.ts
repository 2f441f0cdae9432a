/**
 * Load generation and statistics for the benchmark: a bounded number of calls, sequential or
 * from N concurrent callers, each call timed with performance.now().
 */

export interface LoadResult {
  calls: number;
  p50: number;
  p99: number;
  mean: number;
  callsPerSec: number;
}

/** Calls per scenario: `warmup`, then `rounds` × (`sequential` + `concurrency` × `perCaller`). */
export interface LoadPlan {
  warmup: number;
  rounds: number;
  sequential: number;
  concurrency: number;
  perCaller: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(samples: number[], wallMs: number): LoadResult {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((sum, x) => sum + x, 0);
  return {
    calls: samples.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: samples.length ? total / samples.length : NaN,
    callsPerSec: wallMs > 0 ? (samples.length / wallMs) * 1000 : NaN,
  };
}

export interface RawRun {
  samples: number[];
  wallMs: number;
}

/** Runs `callers` loops of `each` calls at once; every call's latency is one sample. */
export async function runRaw(call: () => Promise<unknown>, callers: number, each: number): Promise<RawRun> {
  const samples: number[] = [];
  let errors = 0;
  let firstError: unknown;
  const started = performance.now();
  const loop = async () => {
    for (let i = 0; i < each && errors === 0; i++) {
      const t0 = performance.now();
      try {
        await call();
      } catch (error) {
        errors++;
        firstError ??= error;
      }
      samples.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: callers }, loop));
  if (errors > 0) throw new Error(`${errors} call(s) failed; the first: ${String(firstError)}`);
  return { samples, wallMs: performance.now() - started };
}

export async function runLoad(call: () => Promise<unknown>, callers: number, each: number): Promise<LoadResult> {
  const run = await runRaw(call, callers, each);
  return summarize(run.samples, run.wallMs);
}

/** Pools the runs of several rounds: all samples, total calls over total time. */
export function pool(runs: RawRun[]): LoadResult {
  return summarize(
    runs.flatMap((r) => r.samples),
    runs.reduce((sum, r) => sum + r.wallMs, 0),
  );
}

/** Warm-up: concurrent and sequential calls, so every code path on the way is compiled. */
export async function warmUp(call: () => Promise<unknown>, plan: LoadPlan): Promise<void> {
  await runRaw(call, plan.concurrency, Math.ceil(plan.warmup / 2 / plan.concurrency));
  await runRaw(call, 1, Math.ceil(plan.warmup / 2));
}

export function ms(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

export function rate(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toString() : '-';
}

/** A plain text table: the first row is the header; columns after the first are right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** A Markdown table with the same rows. */
export function markdownTable(rows: string[][]): string {
  const out = [`| ${rows[0]!.join(' | ')} |`, `|${rows[0]!.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of rows.slice(1)) out.push(`| ${row.join(' | ')} |`);
  return out.join('\n');
}
