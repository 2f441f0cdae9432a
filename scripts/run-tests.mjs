// Runs the compiled tests (dist/test/**/*.test.js) with node's test runner. Node 20's
// `node --test` takes no globs, so the files are listed here. Pass file name filters as args.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? find(path) : path.endsWith('.test.js') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = find('dist/test').filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/test (did the build run?)');
  process.exit(1);
}
const env = { ...process.env };
// Every test process spawns more Node processes; extra CA loading only slows them down.
delete env.NODE_EXTRA_CA_CERTS;
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=120000', ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
