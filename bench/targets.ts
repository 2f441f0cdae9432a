import type { ApprovalPathResults } from './approval-path.js';
import type { DecisionResults } from './decision-latency.js';
import type { ExtensionStartResult } from './extension-start.js';
import type { HostStartResults } from './host-start.js';
import type { ListChangeResults } from './list-change.js';
import type { ManyResults } from './many-providers.js';
import type { ProgressiveSizeResults } from './progressive-size.js';
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
  listChange?: ListChangeResults;
  approvalPath?: ApprovalPathResults;
  decision?: DecisionResults;
  hostStart?: HostStartResults;
  extensionStart?: ExtensionStartResult[];
  progressiveSize?: ProgressiveSizeResults;
}

/** The hub process's CPU µs per call at 32 callers in scenario `r`. */
function hubCpu(r: { cpu: { conc: Record<string, number> } }): number {
  return r.cpu.conc.hub ?? NaN;
}

/** The targets of the issues, computed against the baselines measured in the same run. */
export function evaluateTargets(lat: Partial<LatencyResults>, many: ManyResults | undefined, extra: ExtraResults = {}): TargetResult[] {
  const out: TargetResult[] = [];
  const { b, b26, c, c26, d, e, e26 } = lat;
  for (const [label, hub, floor] of [['2025', b, e], ['2026-07-28', b26, e26]] as const) {
    if (!hub || !floor) continue;
    const cost = hub.seq.p50 - floor.seq.p50;
    out.push({
      target: `${label}: hub's own cost over the SDK serving the echo directly <= 0.3 ms p50`,
      measured: `${ms(hub.seq.p50)} - ${ms(floor.seq.p50)} = ${ms(cost)} ms (${(cost / 0.3).toFixed(2)}x the budget)`,
      met: cost <= 0.3,
    });
  }
  if (d) {
    const proxy = serverCpu(d.cpu.conc);
    for (const [label, hub] of [['2025', b], ['2026-07-28', b26]] as const) {
      if (!hub) continue;
      const ratio = hubCpu(hub) / proxy;
      out.push({
        target: `${label}: hub CPU per call <= 1/3 of mcp-proxy's (with its stdio child), 32 callers`,
        measured: `${Math.round(hubCpu(hub))} vs ${Math.round(proxy)} µs/call (${ratio.toFixed(2)}x; target 0.33x)`,
        met: ratio <= 1 / 3,
      });
    }
  }
  for (const [label, stdio, direct] of [['2025', c, b], ['2026-07-28', c26, b26]] as const) {
    if (!stdio || !direct) continue;
    const added = stdio.seq.p50 - direct.seq.p50;
    out.push({ target: `${label}: inlet stdio adds <= 0.3 ms p50 over /mcp directly`, measured: `${ms(stdio.seq.p50)} - ${ms(direct.seq.p50)} = ${ms(added)} ms`, met: added <= 0.3 });
    const [own, hub] = [stdio.cpu.seq['inlet stdio'] ?? NaN, stdio.cpu.seq.hub ?? NaN];
    out.push({ target: `${label}: inlet stdio uses less CPU per call than the hub`, measured: `${Math.round(own)} vs ${Math.round(hub)} µs/call (sequential)`, met: own < hub });
  }
  if (many) {
    for (const [label, r] of [['2025', many.toolsListRaw], ['2026-07-28', many.toolsListRaw26]] as const) {
      out.push({ target: `${label}: tools/list of ${many.toolsListed} tools answered in <= 5 ms (raw HTTP, p50)`, measured: `${ms(r.p50, 2)} ms (p99 ${ms(r.p99, 2)})`, met: r.p50 <= 5 });
    }
    const ratio = many.interference.loaded.p99 / many.interference.alone.p99;
    out.push({
      target: "a client looping tools/list raises other clients' call p99 < 2x",
      measured: `${ms(many.interference.alone.p99, 2)} -> ${ms(many.interference.loaded.p99, 2)} ms (${ratio.toFixed(2)}x)`,
      met: ratio < 2,
    });
    const kb = many.rssPerProviderBytes / 1024;
    out.push({ target: '< 64 KB RSS per idle provider', measured: `${kb.toFixed(1)} KB`, met: kb < 64 });
  }
  if (extra.listChange) {
    const open = extra.listChange.sessions + 1;
    for (const [label, r] of [['2025 session', extra.listChange.legacy], ['2026 listen stream', extra.listChange.modern]] as const) {
      out.push({ target: `a tool-list change costs <= 5 µs per open ${label}`, measured: `${r.perSessionUs.toFixed(1)} µs (${extra.listChange.sessions} open)`, met: r.perSessionUs <= 5 });
      const typical = Math.max(r.join.p50, r.leave.p50);
      out.push({
        target: `every ${label} hears a provider join or leave within 50 ms (p50)`,
        measured: `join p50 ${ms(r.join.p50, 1)} / max ${ms(r.join.max, 1)} ms, leave p50 ${ms(r.leave.p50, 1)} / max ${ms(r.leave.max, 1)} ms (last of ${open} to hear)`,
        met: typical <= 50,
      });
    }
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
    ['tools/list p50 / p99 (raw HTTP, no client parsing; 2025 session)', `${ms(m.toolsListRaw.p50, 1)} / ${ms(m.toolsListRaw.p99, 1)} ms`],
    ['tools/list p50 / p99 (raw HTTP; 2026-07-28)', `${ms(m.toolsListRaw26.p50, 1)} / ${ms(m.toolsListRaw26.p99, 1)} ms`],
    ["another client's calls p50 / p99, alone", `${ms(m.interference.alone.p50, 2)} / ${ms(m.interference.alone.p99, 2)} ms`],
    ["the same, while a third client loops tools/list", `${ms(m.interference.loaded.p50, 2)} / ${ms(m.interference.loaded.p99, 2)} ms`],
    ['tools/list p50 / p99 (same client, static server: the floor)', `${ms(m.toolsListFloor.p50, 1)} / ${ms(m.toolsListFloor.p99, 1)} ms`],
    ['tools/list answer size', `${(m.listBytes / 1024).toFixed(0)} KB`],
    ['hub CPU while connecting (per provider)', `${m.hubCpuConnectMs.toFixed(0)} ms (${((m.hubCpuConnectMs * 1000) / m.providers).toFixed(0)} µs)`],
    ['provider processes CPU while connecting', `${m.providersCpuConnectMs.toFixed(0)} ms`],
    ['hub RSS before / after connect / after tools/list runs', `${mb(m.rssBeforeKb)} / ${mb(m.rssAfterConnectKb)} / ${mb(m.rssAfterListKb)}`],
    ['RSS per idle provider connection', `${(m.rssPerProviderBytes / 1024).toFixed(1)} KB`],
  ];
}

export function listChangeRows(r: ListChangeResults): string[][] {
  const us = (value: number) => `${value.toFixed(0)} µs`;
  return [
    [`tool-list change, hub CPU per change (${r.changes} changes)`, '1 client', `${r.sessions + 1} clients`, 'per extra client', 'heard after a join (p50 / max)', 'after a leave'],
    ...([['2025 sessions (GET stream)', r.legacy], ['2026-07-28 subscriptions/listen', r.modern]] as const).map(([label, m]) => [
      label,
      us(m.baseUs),
      us(m.loadedUs),
      `${m.perSessionUs.toFixed(1)} µs`,
      `${ms(m.join.p50, 1)} / ${ms(m.join.max, 1)} ms`,
      `${ms(m.leave.p50, 1)} / ${ms(m.leave.max, 1)} ms`,
    ]),
  ];
}
