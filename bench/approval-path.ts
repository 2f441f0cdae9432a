import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { AUDIT_FILE, digestArguments, sealLine, type AuditEntry } from '../app/core/calls/audit-log.js';
import { resolvePolicy } from '../app/core/calls/policy.js';
import type { Activity, RouterHooks } from '../app/core/calls/tool-router.js';
import { ECHO_ARGS, ECHO_TOOL, startInProcessHub, type InProcessHub } from './inproc-hub.js';
import { ms, summarize, type LoadResult } from './stats.js';

/**
 * The cost of the approval path when the policy is `allow` (issue 3; target: under 10%), in
 * one process: two in-process hubs (config.json: approvals.default allow; audit.enabled true in
 * one, false in the other), each with an in-process echo provider, and three ways to make the
 * same call:
 *   plain     the provider connection's callTool, as the router ends up calling it
 *   audit on  ToolRouter.call (policy, argument digest, audit line, activity record, then the
 *             same callTool) on the hub with audit on
 *   audit off the same on the hub with audit off: no argument digest (the router computes it
 *             only when auditing) and no audit line
 * The three alternate call by call (plain / on / off, the order rotated each cycle), so drift
 * on the machine falls on all three alike; there is no config switch between them to wait for.
 */
export interface ApprovalPathPlan {
  warmup: number;
  rounds: number;
  perRound: number;
}

export type PathVariant = 'plain' | 'auditOn' | 'auditOff';

export interface ApprovalPathResults {
  plan: ApprovalPathPlan;
  latency: Record<PathVariant, LoadResult>;
  /** p50 of the routed call over p50 of the plain call. */
  ratio: { auditOn: number; auditOff: number };
  /** CPU µs per call of this whole process (caller, hub and provider are all in it). */
  cpuUs: Record<PathVariant, number>;
  /** µs per call of each piece of the router's work, each timed alone in a loop. */
  pieces: Record<string, number>;
}

const VARIANTS: PathVariant[] = ['plain', 'auditOn', 'auditOff'];
/** Calls of one kind in a row, after each round, for its CPU time per call and calls/s. */
const CPU_BLOCK = 200;
export const PATH_LABELS: Record<PathVariant, string> = {
  plain: 'plain call (provider.callTool)',
  auditOn: 'router.call, policy allow, audit on',
  auditOff: 'router.call, policy allow, audit off',
};

export async function runApprovalPath(plan: ApprovalPathPlan, say: (line: string) => void): Promise<ApprovalPathResults> {
  const config = (enabled: boolean) => ({ approvals: { default: 'allow' }, audit: { enabled } });
  const hubs = { on: await startInProcessHub({ config: config(true) }), off: await startInProcessHub({ config: config(false) }) };
  try {
    const check = (result: CallToolResult) => {
      if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
    };
    // A fresh AbortController per routed call, as the /mcp endpoint makes one per request.
    const routed = (ip: InProcessHub) => async () =>
      check(await ip.router.call({ name: ECHO_TOOL, arguments: ECHO_ARGS }, { caller: 'ai:bench', signal: new AbortController().signal }));
    const plain = (ip: InProcessHub) => {
      const entry = ip.hub.catalog.get(ECHO_TOOL)!;
      return async () => check(await entry.provider.callTool('echo', ECHO_ARGS, { timeoutMs: 60_000 }));
    };
    // The plain call alternates between the two hubs' provider connections.
    const plainCalls = [plain(hubs.on), plain(hubs.off)];
    let cycle = 0;
    const calls: Record<PathVariant, () => Promise<void>> = { plain: () => plainCalls[cycle % 2]!(), auditOn: routed(hubs.on), auditOff: routed(hubs.off) };
    const samples: Record<PathVariant, number[]> = { plain: [], auditOn: [], auditOff: [] };
    const run = async (cycles: number, record: boolean) => {
      for (let end = cycle + cycles; cycle < end; cycle++) {
        for (let i = 0; i < VARIANTS.length; i++) {
          const variant = VARIANTS[(cycle + i) % VARIANTS.length]!; // rotated: no kind always follows another
          const t0 = performance.now();
          await calls[variant]();
          if (record) samples[variant].push(performance.now() - t0);
        }
      }
    };
    say(`approval path: warming up (${plan.warmup} calls each)`);
    await run(plan.warmup, false);
    const cpuMs: Record<PathVariant, number> = { plain: 0, auditOn: 0, auditOff: 0 };
    const wallMs: Record<PathVariant, number> = { plain: 0, auditOn: 0, auditOff: 0 };
    for (let round = 1; round <= plan.rounds; round++) {
      await run(plan.perRound, true);
      // CPU per call of each kind alone: a short block of each after every round.
      for (const variant of VARIANTS) {
        const cpu = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < CPU_BLOCK; i++) await calls[variant]();
        wallMs[variant] += performance.now() - t0;
        const used = process.cpuUsage(cpu);
        cpuMs[variant] += (used.user + used.system) / 1000;
      }
      if (round % 2 === 0 || round === plan.rounds) {
        const p50 = (v: PathVariant) => ms(summarize(samples[v], 1).p50);
        say(`approval path round ${round}/${plan.rounds}: p50 plain ${p50('plain')}, audit on ${p50('auditOn')}, audit off ${p50('auditOff')} ms`);
      }
    }
    const lines = (ip: InProcessHub) => (existsSync(join(ip.dataDir, AUDIT_FILE)) ? readFileSync(join(ip.dataDir, AUDIT_FILE), 'utf8').split('\n').length - 1 : 0);
    const onCalls = plan.warmup + plan.rounds * (plan.perRound + CPU_BLOCK);
    if (lines(hubs.on) < onCalls || lines(hubs.off) !== 0) throw new Error(`audit lines: ${lines(hubs.on)} with audit on (${onCalls} calls), ${lines(hubs.off)} with it off`);
    // p50/p99 from the interleaved calls; calls/s from the blocks of one kind.
    const latency = Object.fromEntries(VARIANTS.map((v) => [v, { ...summarize(samples[v], 0), callsPerSec: (plan.rounds * CPU_BLOCK * 1000) / wallMs[v] }])) as Record<PathVariant, LoadResult>;
    const cpuUs = Object.fromEntries(VARIANTS.map((v) => [v, (cpuMs[v] * 1000) / (plan.rounds * CPU_BLOCK)])) as Record<PathVariant, number>;
    return {
      plan,
      latency,
      ratio: { auditOn: latency.auditOn.p50 / latency.plain.p50, auditOff: latency.auditOff.p50 / latency.plain.p50 },
      cpuUs,
      pieces: timePieces(hubs.on),
    };
  } finally {
    await hubs.on.stop();
    await hubs.off.stop();
  }
}

/** µs per call of `fn`, over `n` calls after n/10 of warm-up. */
function perCallUs(fn: () => void, n = 20_000): number {
  for (let i = 0; i < n / 10; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t0) * 1000) / n;
}

/** The router's own steps for one allowed call, timed alone (the hub's real hooks, audit on). */
function timePieces(ip: InProcessHub): Record<string, number> {
  const hooks: RouterHooks = ip.router['gate']['hooks']; // private; the hub's real audit and activity hooks
  const config = ip.hub.config;
  const subject = { caller: 'ai:bench', provider: 'echo', tool: 'echo', readOnly: false };
  const line: AuditEntry = { event: 'call', caller: 'ai:bench', provider: 'echo', tool: 'echo', args_digest: digestArguments(ECHO_ARGS), decision: 'allow', decided_by: 'default', duration_ms: 0.12, outcome: 'ok' };
  let id = 1;
  const activity = (): Activity => ({ id: id++, time: new Date().toISOString(), caller: 'ai:bench', provider: 'echo', tool: 'echo', decision: 'allow', decidedBy: 'default', outcome: 'ok', durationMs: 0.12 });
  const noop = () => undefined;
  return {
    'registry lookup + resolvePolicy': perCallUs(() => void (ip.hub.catalog.get(ECHO_TOOL), resolvePolicy(config.approvals, subject))),
    'digestArguments (canonical JSON + SHA-256), audit on only': perCallUs(() => void digestArguments(ECHO_ARGS)),
    'audit line: sealLine alone (JSON + SHA-256)': perCallUs(() => void sealLine({ time: new Date().toISOString(), ...line, prev: '0'.repeat(64) })),
    'audit line: hook (sealLine + writeSync)': perCallUs(() => hooks.audit(line), 10_000),
    'activity record (hook)': perCallUs(() => hooks.activity(activity())),
    'AbortController + abort listener add/remove': perCallUs(() => {
      const signal = new AbortController().signal;
      signal.addEventListener('abort', noop, { once: true });
      signal.removeEventListener('abort', noop);
    }),
  };
}

export function approvalPathRows(r: ApprovalPathResults): string[][] {
  const rows = [['approval path (one process)', 'p50 ms', 'p99 ms', 'calls/s', 'ratio to plain (p50)', 'CPU µs/call']];
  for (const v of VARIANTS) {
    const l = r.latency[v];
    rows.push([PATH_LABELS[v], ms(l.p50), ms(l.p99), Math.round(l.callsPerSec).toString(), v === 'plain' ? '1.00' : r.ratio[v].toFixed(3), Math.round(r.cpuUs[v]).toString()]);
  }
  return rows;
}

export function pieceRows(r: ApprovalPathResults): string[][] {
  return [['piece of the allow path (timed alone)', 'µs/call'], ...Object.entries(r.pieces).map(([piece, us]) => [piece, us.toFixed(2)])];
}
