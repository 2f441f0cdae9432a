import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { approvalPathRows, pieceRows, runApprovalPath, type ApprovalPathPlan } from './approval-path.js';
import { decisionRows, runDecision, type DecisionPlan } from './decision-latency.js';
import { extensionRows, measureExtensionStart, type ExtensionStartMode, type ExtensionStartResult } from './extension-start.js';
import { hostStartRows, runHostStart, type HostStartPlan } from './host-start.js';
import { runListChange, type ListChangePlan } from './list-change.js';
import { runManyProviders, type ManyPlan, type ManyResults } from './many-providers.js';
import { installExitHandlers, keepLogs, killAll, ROOT } from './procs.js';
import { progressiveRows, runProgressiveSize } from './progressive-size.js';
import { formatProfile, runProfiles, summarizeProfile, type ProfileSummary } from './profile.js';
import { runLatency, SCENARIOS, type LatencyResults, type ScenarioKey } from './scenarios/latency.js';
import { markdownTable, table, type LoadPlan } from './stats.js';
import { cpuRows, evaluateTargets, latencyRows, listChangeRows, manyRows, type ExtraResults } from './targets.js';

const USAGE = `Usage: npm run bench [-- --quick] [--only a,b,b26,b0,c,c26,d,e,e26,f] [--no-many] [--providers N] [--profile]
  --quick        a short run (for development): fewer calls, 200 providers
  --only KEYS    run only these latency scenarios (b0: (b) with the audit log off; *26: MCP 2026-07-28)
  --no-latency   skip the latency scenarios (a)-(f)
  --no-many      skip the 1,000-provider run
  --no-list-change      skip the cost of a tool-list change per open AI client
  --sessions N   open AI clients in the list-change run (default 200)
  --providers N  providers in the many-providers run (default 1000; 10 tools each)
  --no-approval-path    skip the cost of the approval path under \`allow\` (issue 3)
  --no-decision         skip decision -> provider latency (issue 3)
  --no-host-start       skip native host start to first frame (issue 4)
  --no-extension-start  skip extension start -> tools listed (issue 4; needs /usr/bin/chromium)
  --extension-modes M   reload, launch or reload,launch (default)
  --no-progressive      skip the size of a tools/list with progressive discovery (issue 11)
  --profile      also profile the hub (node --cpu-prof) under (b) and the many-providers run
  --summarize F  only print the self/inclusive time summary of the .cpuprofile file F`;

function machine(): Record<string, unknown> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    loadavgBefore: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) return (console.log(USAGE), 0);
  const profileFile = argv.includes('--summarize') ? argv[argv.indexOf('--summarize') + 1] : undefined;
  if (profileFile) return (console.log(formatProfile('profile', summarizeProfile(profileFile, 30))), 0);
  const quick = argv.includes('--quick');
  const only = argv[argv.indexOf('--only') + 1];
  const keys = (argv.includes('--only') && only ? only.split(',') : Object.keys(SCENARIOS)) as ScenarioKey[];
  const unknown = keys.filter((key) => !(key in SCENARIOS));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')} (use ${Object.keys(SCENARIOS).join(', ')})`);
  const plan: LoadPlan = quick
    ? { warmup: 200, rounds: 1, sequential: 300, concurrency: 32, perCaller: 20 }
    : { warmup: 1_000, rounds: 4, sequential: 500, concurrency: 32, perCaller: 50 };
  const providersFlag = argv.includes('--providers') ? Number(argv[argv.indexOf('--providers') + 1]) : undefined;
  const providers = providersFlag ?? (quick ? 200 : 1_000);
  const many: ManyPlan = { providers, toolsEach: 10, processes: providers >= 500 ? 4 : 2, listCalls: quick ? 10 : 100 };
  const say = (line: string) => console.log(line);
  const info = machine();
  say(`Inlet benchmark (${quick ? 'quick' : 'full'}) on ${info.cpu}, ${info.cores} cores, Node ${info.node}`);
  say(`calls per scenario: ${plan.warmup} warm-up, then ${plan.rounds} round(s) of ${plan.sequential} sequential and ${plan.concurrency} callers x ${plan.perCaller}`);
  say(`load average before the run: ${info.loadavgBefore}\n`);

  const latency: Partial<LatencyResults> = argv.includes('--no-latency') ? {} : await runLatency(plan, keys, say);
  let manyResults: ManyResults | undefined;
  if (!argv.includes('--no-many')) {
    say(`\n${many.providers} providers x ${many.toolsEach} tools ...`);
    manyResults = await runManyProviders(many, say);
  }
  const extra = await runExtras(argv, quick, say);
  let profiles: Record<string, ProfileSummary> | undefined;
  if (argv.includes('--profile')) profiles = await runProfiles(plan, many, say);

  info.loadavgAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const latRows = latencyRows(latency, plan.concurrency);
  const targets = evaluateTargets(latency, manyResults, extra);
  const targetRows = [['target', 'measured', 'result'], ...targets.map((t) => [t.target, t.measured, t.met ? 'met' : 'MISSED'])];
  const cpu = cpuRows(latency, plan.concurrency);
  const tables = [latRows.length > 1 ? latRows : undefined, cpu.length > 1 ? cpu : undefined, manyResults && manyRows(manyResults), ...extraTables(extra), targetRows];
  for (const rows of tables) if (rows) say('\n' + table(rows));
  if (profiles) for (const [name, summary] of Object.entries(profiles)) say('\n' + formatProfile(`hub profile (${name})`, summary));

  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const result = { machine: info, mode: quick ? 'quick' : 'full', plan, manyPlan: many, latency, many: manyResults, ...extra, targets, profiles };
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  const md = tables.filter((rows): rows is string[][] => !!rows).map(markdownTable);
  writeFileSync(join(dir, 'latest.md'), md.join('\n\n') + '\n');
  say(`\nwrote ${join(dir, 'latest.json')} and latest.md`);
  return 0;
}

/** The groups of issues 3 and 4, each skipped by its own flag. */
async function runExtras(argv: string[], quick: boolean, say: (line: string) => void): Promise<ExtraResults> {
  const extra: ExtraResults = {};
  if (!argv.includes('--no-list-change')) {
    const sessions = argv.includes('--sessions') ? Number(argv[argv.indexOf('--sessions') + 1]) : quick ? 50 : 200;
    const plan: ListChangePlan = { sessions, cycles: quick ? 5 : 20 };
    say(`\ntool-list change: ${plan.cycles} joins and leaves of a provider, 1 then ${sessions + 1} clients listening, per revision`);
    extra.listChange = await runListChange(plan, say);
  }
  if (!argv.includes('--no-approval-path')) {
    const pathPlan: ApprovalPathPlan = quick ? { warmup: 300, rounds: 4, perRound: 250 } : { warmup: 1_000, rounds: 10, perRound: 500 };
    say(`\napproval path under allow: ${pathPlan.rounds} rounds x ${pathPlan.perRound} calls of each kind, interleaved`);
    extra.approvalPath = await runApprovalPath(pathPlan, say);
  }
  if (!argv.includes('--no-decision')) {
    const decisionPlan: DecisionPlan = quick ? { warmup: 10, samples: 50 } : { warmup: 40, samples: 200 };
    say(`\ndecision -> provider: ${decisionPlan.samples} decisions through the admin API and ${decisionPlan.samples} in-process`);
    extra.decision = await runDecision(decisionPlan, say);
  }
  if (!argv.includes('--no-host-start')) {
    const hostPlan: HostStartPlan = quick ? { warmup: 2, runs: 10 } : { warmup: 5, runs: 30 };
    say('');
    extra.hostStart = await runHostStart(hostPlan, say);
  }
  if (!argv.includes('--no-progressive')) {
    say('\nprogressive discovery: server-everything bridged in as it is and wrapped');
    extra.progressiveSize = await runProgressiveSize(say);
  }
  if (!argv.includes('--no-extension-start')) {
    const chromium = '/usr/bin/chromium';
    if (!existsSync(chromium)) {
      say(`\nextension start: skipped, ${chromium} is missing (apt-get install -y chromium)`);
    } else {
      const modesFlag = argv.includes('--extension-modes') ? argv[argv.indexOf('--extension-modes') + 1] : undefined;
      const modes = (modesFlag ?? 'reload,launch').split(',') as ExtensionStartMode[];
      extra.extensionStart = [] as ExtensionStartResult[];
      for (const mode of modes) {
        if (mode !== 'reload' && mode !== 'launch') throw new Error(`unknown extension mode ${mode} (use reload, launch)`);
        const runs = mode === 'reload' ? (quick ? 3 : 15) : quick ? 2 : 10;
        say(`\nextension start (${mode}): ${runs} runs after one warm-up start`);
        extra.extensionStart.push(await measureExtensionStart({ mode, runs, chromiumPath: chromium, say }));
      }
    }
  }
  return extra;
}

function extraTables(extra: ExtraResults): Array<string[][] | undefined> {
  return [
    extra.listChange && listChangeRows(extra.listChange),
    extra.approvalPath && approvalPathRows(extra.approvalPath),
    extra.approvalPath && pieceRows(extra.approvalPath),
    extra.decision && decisionRows(extra.decision),
    extra.hostStart && hostStartRows(extra.hostStart),
    extra.extensionStart?.length ? extensionRows(extra.extensionStart) : undefined,
    extra.progressiveSize && progressiveRows(extra.progressiveSize),
  ];
}

installExitHandlers();
// Bounded: whatever hangs, the run ends (and its children die) after this long.
const limitMin = process.argv.includes('--quick') ? 10 : 40;
setTimeout(() => {
  console.error(`bench failed: still running after ${limitMin} minutes; stopping.`);
  killAll();
  process.exit(1);
}, limitMin * 60_000).unref();
main(process.argv.slice(2)).then(
  (code) => {
    killAll();
    process.exit(code);
  },
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    const logs = keepLogs();
    if (logs) console.error(`the children's stderr is in ${logs}`);
    killAll();
    process.exit(1);
  },
);
