import type { ApprovalPathResults } from './approval-path.js';
import type { DecisionResults } from './decision-latency.js';
import type { ExtensionStartResult } from './extension-start.js';
import type { HostStartResults } from './host-start.js';
import type { ManyResults } from './many-providers.js';
import { SCENARIOS, type LatencyResults, type ScenarioKey } from './scenarios/latency.js';
import { ms, rate } from './stats.js';

/** CPU µs per call of the processes behind the AI client (hub, provider, proxy, servers). */
export function serverCpu(byRole: Record<string, number>): number {
  return Object.entries(byRole).reduce((sum, [role, us]) => (role === 'other' || role.startsWith('AI client') ? sum : sum + us), 0);
}

export interface TargetResult {
  target: string;
  measured: string;
  met: boolean;
}

/** The groups of issues 3 and 4 (each may be skipped). */
export interface ExtraResults {
  approvalPath?: ApprovalPathResults;
  decision?: DecisionResults;
  hostStart?: HostStartResults;
  extensionStart?: ExtensionStartResult[];
}

/** The targets of the issues, computed against the baselines measured in the same run. */
export function evaluateTargets(lat: Partial<LatencyResults>, many: ManyResults | undefined, extra: ExtraResults = {}): TargetResult[] {
  const out: TargetResult[] = [];
  const { b, c, d, e, f } = lat;
  if (b && e) {
    const cost = b.seq.p50 - e.seq.p50;
    out.push({ target: "hub's own cost (b - e) <= 0.5 ms at p50", measured: `${ms(b.seq.p50)} - ${ms(e.seq.p50)} = ${ms(cost)} ms`, met: cost <= 0.5 });
  }
  if (b && d) {
    out.push({ target: '(b) p50 <= (d) p50', measured: `${ms(b.seq.p50)} vs ${ms(d.seq.p50)} ms (${(b.seq.p50 / d.seq.p50).toFixed(2)}x)`, met: b.seq.p50 <= d.seq.p50 });
    const ratio = b.conc.callsPerSec / d.conc.callsPerSec;
    const [bCpu, dCpu] = [serverCpu(b.cpu.conc), serverCpu(d.cpu.conc)];
    out.push({
      target: '(b) calls/s with 32 callers >= 2x (d)',
      measured:
        `${rate(b.conc.callsPerSec)} vs ${rate(d.conc.callsPerSec)} calls/s (${ratio.toFixed(2)}x); ` +
        `server-side CPU ${Math.round(bCpu)} vs ${Math.round(dCpu)} µs/call (${(dCpu / bCpu).toFixed(2)}x)`,
      met: ratio >= 2,
    });
  }
  if (c && f) {
    const ratio = c.seq.p50 / f.seq.p50;
    out.push({ target: '(c) p50 <= 2x (f) p50', measured: `${ms(c.seq.p50)} vs ${ms(f.seq.p50)} ms (${ratio.toFixed(2)}x)`, met: ratio <= 2 });
  }
  if (many) {
    out.push({
      target: `tools/list with ${many.toolsListed} tools < 20 ms p50`,
      measured: `${ms(many.toolsList.p50, 1)} ms (SDK client; ${ms(many.toolsListFloor.p50, 1)} against a static server; hub's answer alone ${ms(many.toolsListRaw.p50, 1)})`,
      met: many.toolsList.p50 < 20,
    });
    const kb = many.rssPerProviderBytes / 1024;
    out.push({ target: '< 64 KB RSS per idle provider', measured: `${kb.toFixed(1)} KB`, met: kb < 64 });
  }
  return [...out, ...extraTargets(extra, b?.seq.p50)];
}

/** `endToEnd`: (b)'s p50, the whole AI call through the hub, to put the path's cost in scale. */
function extraTargets({ approvalPath: path, decision, hostStart: host, extensionStart }: ExtraResults, endToEnd?: number): TargetResult[] {
  const out: TargetResult[] = [];
  if (path) {
    const plain = path.latency.plain.p50;
    for (const [variant, label] of [['auditOn', 'with'], ['auditOff', 'without']] as const) {
      const ratio = path.ratio[variant];
      out.push({
        target: `allow-path p50 ${label} audit <= 1.10x the plain call`,
        measured:
          `${ms(path.latency[variant].p50)} vs ${ms(plain)} ms (${ratio.toFixed(3)}x, +${((path.latency[variant].p50 - plain) * 1000).toFixed(0)} µs` +
          (endToEnd ? `; ${(((path.latency[variant].p50 - plain) / endToEnd) * 100).toFixed(1)}% of (b)'s p50)` : ')'),
        met: ratio <= 1.1,
      });
    }
  }
  if (decision) {
    out.push({
      target: 'admin API decision -> provider p50 < 5 ms',
      measured: `${ms(decision.api.p50)} ms (p99 ${ms(decision.api.p99)}; queue alone ${ms(decision.queue.p50)}) = ${(decision.api.p50 / 5).toFixed(3)}x the target`,
      met: decision.api.p50 < 5,
    });
  }
  if (host?.byKind.host && host.byKind.floor) {
    const p50 = host.byKind.host.p50;
    out.push({
      target: 'native host start -> first frame p50 < 100 ms',
      measured: `${ms(p50, 1)} ms (floor node -e 0: ${ms(host.byKind.floor.p50, 1)} ms, ${host.ratio.toFixed(2)}x)`,
      met: p50 < 100,
    });
  }
  // The launcher's own cost (issue 8): through it against the same host started directly.
  for (const [through, direct, what] of [['launcher', 'host', 'source checkout'], ['packaged', 'bundle', 'packaged app']] as const) {
    const a = host?.byKind[through];
    const b = host?.byKind[direct];
    if (!a || !b) continue;
    out.push({
      target: `native host launcher (${what}) <= 1.10x the host's own start (p50)`,
      measured: `${ms(a.p50, 1)} vs ${ms(b.p50, 1)} ms (${(a.p50 / b.p50).toFixed(3)}x)`,
      met: a.p50 / b.p50 <= 1.1,
    });
  }
  for (const ext of extensionStart ?? []) {
    out.push({
      target: `extension start (${ext.mode}) -> tools listed < 1 s`,
      measured: `p50 ${ext.p50} ms over ${ext.samples.length} (${[...ext.samples].sort((a, b) => a - b).join(', ')} ms)`,
      met: ext.p50 < 1000,
    });
  }
  return out;
}

export function latencyRows(lat: Partial<LatencyResults>, concurrency: number): string[][] {
  const rows = [['scenario', 'p50 ms', 'p99 ms', 'calls/s', `${concurrency}x p50 ms`, `${concurrency}x p99 ms`, `${concurrency}x calls/s`]];
  for (const key of Object.keys(SCENARIOS) as ScenarioKey[]) {
    const r = lat[key];
    if (!r) continue;
    rows.push([SCENARIOS[key], ms(r.seq.p50), ms(r.seq.p99), rate(r.seq.callsPerSec), ms(r.conc.p50), ms(r.conc.p99), rate(r.conc.callsPerSec)]);
  }
  return rows;
}

/** CPU µs per call of each process on the path: where the work happens, not just how long it took. */
export function cpuRows(lat: Partial<LatencyResults>, concurrency: number): string[][] {
  const rows = [['scenario', 'CPU µs/call, sequential', 'total', `CPU µs/call, ${concurrency} callers`, 'total', 'server side']];
  const list = (byRole: Record<string, number>) =>
    Object.entries(byRole)
      .map(([role, us]) => `${role.replace(' (bench)', '')} ${Math.round(us)}`)
      .join(', ');
  const total = (byRole: Record<string, number>) => Math.round(Object.values(byRole).reduce((a, b) => a + b, 0)).toString();
  for (const key of Object.keys(SCENARIOS) as ScenarioKey[]) {
    const r = lat[key];
    if (!r) continue;
    rows.push([SCENARIOS[key].split(' ')[0]!, list(r.cpu.seq), total(r.cpu.seq), list(r.cpu.conc), total(r.cpu.conc), Math.round(serverCpu(r.cpu.conc)).toString()]);
  }
  return rows;
}

export function manyRows(m: ManyResults): string[][] {
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  return [
    ['1,000 providers', 'value'],
    ['providers x tools (child processes)', `${m.providers} x ${m.toolsEach} (${m.processes})`],
    ['time until every socket is open', `${m.socketsOpenMs.toFixed(0)} ms`],
    [`time until tools/list shows ${m.toolsListed} tools`, `${m.connectAllMs.toFixed(0)} ms`],
    ['tools/list p50 / p99 (SDK client)', `${ms(m.toolsList.p50, 1)} / ${ms(m.toolsList.p99, 1)} ms`],
    ['tools/list p50 / p99 (raw HTTP, no client parsing)', `${ms(m.toolsListRaw.p50, 1)} / ${ms(m.toolsListRaw.p99, 1)} ms`],
    ['tools/list p50 / p99 (same client, static server: the floor)', `${ms(m.toolsListFloor.p50, 1)} / ${ms(m.toolsListFloor.p99, 1)} ms`],
    ['tools/list answer size', `${(m.listBytes / 1024).toFixed(0)} KB`],
    ['hub CPU while connecting (per provider)', `${m.hubCpuConnectMs.toFixed(0)} ms (${((m.hubCpuConnectMs * 1000) / m.providers).toFixed(0)} µs)`],
    ['provider processes CPU while connecting', `${m.providersCpuConnectMs.toFixed(0)} ms`],
    ['hub RSS before / after connect / after tools/list runs', `${mb(m.rssBeforeKb)} / ${mb(m.rssAfterConnectKb)} / ${mb(m.rssAfterListKb)}`],
    ['RSS per idle provider connection', `${(m.rssPerProviderBytes / 1024).toFixed(1)} KB`],
  ];
}
