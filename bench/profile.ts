import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runManyProviders, type ManyPlan } from './many-providers.js';
import { startRunner, waitForRunnerTool } from './runner.js';
import { sharedHub } from './scenarios/setup.js';
import type { LoadPlan } from './stats.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface Row {
  fn: string;
  where: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  byModule: Array<{ module: string; ms: number; pct: number }>;
  /** Self time: the function's own code. */
  topSelf: Row[];
  /** Inclusive time of JavaScript frames outside Node core (what each layer costs with its callees). */
  topInclusive: Row[];
}

function moduleOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const app = /\/dist\/(app\/.+)\.js$/.exec(url);
  if (app) return `inlet ${app[1]}`;
  if (url.startsWith('node:')) return 'node core';
  return url.replace(/^file:\/\//, '');
}

function whereOf(url: string, line: number): string {
  if (!url) return '';
  const module = moduleOf(url, '');
  const file = url.slice(url.lastIndexOf('/') + 1);
  return `${module.startsWith('inlet ') ? module.slice(6) : `${module}/${file}`}:${line + 1}`;
}

/** Self and inclusive time per function, and self time per module, from a V8 .cpuprofile. */
export function summarizeProfile(file: string, topN = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}\t${whereOf(n.callFrame.url, n.callFrame.lineNumber)}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const modules = new Map<string, number>();
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') return;
    busyUs += us;
    self.set(key(node), (self.get(key(node)) ?? 0) + us);
    const module = moduleOf(node.callFrame.url, node.callFrame.functionName);
    modules.set(module, (modules.get(module) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      const m = moduleOf(frame.callFrame.url, frame.callFrame.functionName);
      if (m === 'node core' || m.startsWith('(')) continue;
      seen.add(key(frame));
    }
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  });
  const rows = (map: Map<string, number>): Row[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([k, us]) => {
        const [fn, where] = k.split('\t') as [string, string];
        return { fn, where, ms: us / 1000, pct: Math.round((us / busyUs) * 1000) / 10 };
      });
  return {
    file,
    busyMs: busyUs / 1000,
    byModule: [...modules].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([module, us]) => ({ module, ms: us / 1000, pct: Math.round((us / busyUs) * 1000) / 10 })),
    topSelf: rows(self),
    topInclusive: rows(inclusive),
  };
}

export function formatProfile(title: string, s: ProfileSummary): string {
  const line = (pct: number, msValue: number, text: string) => `    ${pct.toFixed(1).padStart(5)}%  ${msValue.toFixed(0).padStart(6)} ms  ${text}`;
  const lines = [`${title}: ${s.busyMs.toFixed(0)} ms busy (idle excluded), ${s.file}`, '  by module (self time):'];
  for (const m of s.byModule) lines.push(line(m.pct, m.ms, m.module));
  lines.push('  top functions (self time):');
  for (const f of s.topSelf) lines.push(line(f.pct, f.ms, `${f.fn}  ${f.where}`));
  lines.push('  top JavaScript frames outside Node core (inclusive time):');
  for (const f of s.topInclusive) lines.push(line(f.pct, f.ms, `${f.fn}  ${f.where}`));
  return lines.join('\n');
}

function newestProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`the hub wrote no .cpuprofile into ${dir} (did it exit cleanly?)`);
  return join(dir, files.sort().at(-1)!);
}

/** Profiles the hub process under scenarios (b) and (b26) together, and under the 1,000-provider run. */
export async function runProfiles(plan: LoadPlan, many: ManyPlan, say: (line: string) => void): Promise<Record<string, ProfileSummary>> {
  const out: Record<string, ProfileSummary> = {};
  const callsDir = mkdtempSync(join(tmpdir(), 'inlet-prof-calls-'));
  const side = sharedHub(true, ['--cpu-prof', `--cpu-prof-dir=${callsDir}`]);
  try {
    const { hub } = await side.get();
    const runners = [];
    for (const sdk of ['v1', 'v2'] as const) {
      const runner = await startRunner({ label: `AI client ${sdk} (profile)`, sdk, tool: 'echo__echo', http: hub.urls.mcp, token: hub.mint(`ai:bench-${sdk}`) });
      await waitForRunnerTool(runner, 'echo__echo');
      runners.push(runner);
    }
    say('profiling the hub under (b) and (b26) ...');
    for (const runner of runners) await runner.run(plan.concurrency, Math.ceil(plan.warmup / plan.concurrency));
    for (let round = 0; round < plan.rounds; round++) {
      for (const runner of runners) {
        await runner.run(1, plan.sequential);
        await runner.run(plan.concurrency, plan.perCaller);
      }
    }
    for (const runner of runners) await runner.close();
  } finally {
    await side.stop();
  }
  out.calls = summarizeProfile(newestProfile(callsDir));
  const manyDir = mkdtempSync(join(tmpdir(), 'inlet-prof-many-'));
  say('profiling the hub under 1,000 providers and tools/list ...');
  await runManyProviders(many, say, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${manyDir}`] });
  out.many = summarizeProfile(newestProfile(manyDir));
  writeFileSync(join(callsDir, 'summary.json'), JSON.stringify(out, null, 2));
  return out;
}
