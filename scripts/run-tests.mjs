// Runs the compiled tests (dist/test/**/*.test.js) with node's test runner. Node 20's
// `node --test` takes no globs, so the files are listed here. Pass file name filters as args.
// The real AI clients' tests (dist/test/real-clients/) run only with --real-clients, which
// scripts/test-real-clients.mjs passes once it has installed the clients (docs/decisions.md).
//
// One rule for missing parts, decided here and nowhere else: a test file whose real part
// (a browser, the Secret Service) is missing skips with a reason that says how to install it.
// Locally the run passes and ends with the list of skips and their hints; under CI=true any
// skipped or todo test fails the run, since there a missing part is a broken image.
//
// Tests wait for events, never for time. The clocks left are hang guards, far beyond what a
// loaded machine needs, which turn a hang into a failure: one per browser step
// (test/helpers/chromium.ts), and --test-timeout below, which Node 20 applies to each test and
// to each test file as a whole (panel.test took 7 minutes on a 2-core machine at load 25).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HANG_GUARD_MS = 1_200_000;

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? find(path) : path.endsWith('.test.js') ? [path] : [];
  });
}

const realClients = process.argv.includes('--real-clients');
const filters = process.argv.slice(2).filter((arg) => arg !== '--real-clients');
const inRealClients = (f) => f.startsWith(join('dist', 'test', 'real-clients') + sep);
const files = find('dist/test')
  .filter((f) => inRealClients(f) === realClients)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/test (did the build run?)');
  process.exit(1);
}
const ci = process.env.CI === 'true' || process.env.CI === '1';
const env = { ...process.env };
// Every test process spawns more Node processes; extra CA loading only slows them down.
delete env.NODE_EXTRA_CA_CERTS;

const scratch = mkdtempSync(join(tmpdir(), 'inlet-run-tests-'));
const skipsFile = join(scratch, 'skipped.jsonl');
const reporter = fileURLToPath(new URL('./skipped-tests-reporter.mjs', import.meta.url));
const result = spawnSync(
  process.execPath,
  [
    '--test', '--test-concurrency=2', `--test-timeout=${HANG_GUARD_MS}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${reporter}`, `--test-reporter-destination=${skipsFile}`,
    ...files,
  ],
  { stdio: 'inherit', env },
);
let skipped = [];
try {
  skipped = readFileSync(skipsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
} catch {
  /* no file: the runner itself failed, and its status says so */
}
rmSync(scratch, { recursive: true, force: true });

let status = result.status ?? 1;
if (skipped.length > 0) {
  // dist/test/x.test.js -> test/x.test.ts: name the file a person edits.
  const source = (file) => relative(process.cwd(), file).replace(/^dist\//, '').replace(/\.js$/, '.ts');
  const byReason = new Map();
  for (const s of skipped) {
    const key = `${source(s.file)}\n${s.kind}\n${s.reason}`;
    byReason.set(key, [...(byReason.get(key) ?? []), s.name]);
  }
  const out = ci ? console.error : console.log;
  out(`\n${skipped.length} test(s) skipped or todo${ci ? ' under CI=true, which fails the run' : ''}:`);
  for (const [key, names] of byReason) {
    const [file, kind, reason] = key.split('\n');
    out(`  ${file} (${kind}): ${reason || 'no reason given'}`);
    for (const name of names) out(`    - ${name}`);
  }
  if (ci) status = status || 1;
}
process.exit(status);
