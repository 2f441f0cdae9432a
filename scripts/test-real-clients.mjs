// `npm run test:clients`: Inlet's /mcp against real AI clients from npm, Claude Code and Codex
// (test/real-clients/). Each is a ~400 MB native binary in an optional npm package, and neither
// is needed to build or run Inlet, so they are no devDependencies: this script installs the
// versions pinned below into a cache folder with `npm install --prefix` (from the npm registry,
// nothing else is downloaded; a second run finds them there and installs nothing), then runs the
// compiled tests through scripts/run-tests.mjs --real-clients. Its rule for missing parts holds
// here too: a client that cannot be installed or run skips locally and fails a run under CI=true.
// It runs what `npm run build` made (`npm run test:clients` builds first; .ci/run calls it right
// after `npm test`). docs/decisions.md says why it is a script of its own.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The clients under test; raise a version here to test a newer one. */
const CLIENTS = {
  '@anthropic-ai/claude-code': '2.1.332',
  '@openai/codex': '0.171.0',
};

const root = fileURLToPath(new URL('..', import.meta.url));
const cache = resolve(process.env.INLET_CLIENTS_CACHE ?? join(root, 'node_modules', '.cache', 'inlet-real-clients'));
const bin = join(cache, 'node_modules', '.bin');

function installed(name) {
  try {
    return JSON.parse(readFileSync(join(cache, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

const stale = Object.entries(CLIENTS).filter(([name, version]) => installed(name) !== version);
if (stale.length > 0 || !existsSync(bin)) {
  mkdirSync(cache, { recursive: true });
  // Claude Code's postinstall puts its platform's native binary in place of its bin stub.
  const manifest = { name: 'inlet-real-clients', private: true, dependencies: CLIENTS, allowScripts: { '@anthropic-ai/claude-code': true } };
  writeFileSync(join(cache, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`test-real-clients: installing ${stale.map(([n, v]) => `${n}@${v}`).join(', ') || 'the clients'} into ${cache}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(npm, ['install', '--prefix', cache, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  if (install.status !== 0) console.error(`test-real-clients: npm install failed (${install.status ?? install.signal}); the tests of the missing clients skip, and fail under CI=true.`);
}

const tests = spawnSync(process.execPath, [join(root, 'scripts', 'run-tests.mjs'), '--real-clients', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, INLET_REAL_CLIENTS: bin },
});
process.exit(tests.status ?? 1);
