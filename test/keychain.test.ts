import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigSchema } from '../app/core/config/config.js';
import { describeError } from '../app/core/base/errors.js';
import { TokenService } from '../app/core/security/tokens.js';
import { secretFilePath } from '../app/os/data-dir.js';
import { FileSecretStore } from '../app/os/file-secret-store.js';
import { loadKeytar } from '../app/os/keychain-secret-store.js';
import { CLI, FIXTURES } from './helpers/hub-process.js';
import { runCommand, type CommandRun } from './helpers/run-command.js';

// The keychain against a real Secret Service: gnome-keyring in a private D-Bus session
// (dbus-run-session) with a scratch HOME and XDG dirs, so the user's own keyring is never touched.
const PROBE = join(FIXTURES, 'keychain-probe.js');
const INSTALL = 'apt-get install -y libsecret-1-dev gnome-keyring dbus dbus-x11 (then npm install, to build keytar)';
const onPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const missing = [
  ...['dbus-run-session', 'gnome-keyring-daemon'].filter((command) => !onPath(command)).map((command) => `${command} is not installed`),
  ...(await loadKeytar().then(() => [], (error: unknown) => [describeError(error)])),
].join('; ');
// A missing Secret Service skips with the fix; scripts/run-tests.mjs fails a CI run on any skip.
const skip = missing ? `${missing}; install with: ${INSTALL}` : false;
const WARNING = /The OS keychain cannot be used/g;

interface ProbeResult {
  kind: 'keychain' | 'file';
  secondKind: 'keychain' | 'file';
  reason: string;
  token: string;
  verified: boolean[];
  fileExists: boolean;
  fileMode: number | null;
  inKeychain: boolean | null;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

async function scratch() {
  const root = await mkdtemp(join(tmpdir(), 'inlet-keychain-'));
  await mkdir(join(root, 'run'), { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: root,
    XDG_DATA_HOME: join(root, '.local/share'),
    XDG_CONFIG_HOME: join(root, '.config'),
    XDG_CACHE_HOME: join(root, '.cache'),
    XDG_RUNTIME_DIR: join(root, 'run'),
    INLET_LOG: 'info',
  };
  // No display: an unlock prompt must never pop up on a developer's desktop. No outer session
  // bus, no forced store, no extra CA loading in every child Node.
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY', 'INLET_KEYCHAIN', 'INLET_HOME', 'NODE_EXTRA_CA_CERTS']) delete env[name];
  const dataDir = join(root, 'data');
  const probe = (name: string, tokensFile?: string) =>
    [process.execPath, PROBE, dataDir, join(root, name), ...(tokensFile ? [join(root, tokensFile)] : [])].map(quote).join(' ');
  const result = async (name: string) => JSON.parse(await readFile(join(root, name), 'utf8')) as ProbeResult;
  return { root, env, dataDir, probe, result };
}

/** Runs shell commands in a fresh D-Bus session with gnome-keyring started (unlocked or not). */
async function inSession(env: NodeJS.ProcessEnv, commands: string[], unlock = true): Promise<CommandRun> {
  const keyring = unlock ? "printf '%s' pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null" : 'gnome-keyring-daemon --components=secrets >/dev/null';
  const run = await runCommand('dbus-run-session', ['--', 'sh', '-c', [keyring, ...commands].join(' && ')], env);
  assert.equal(run.status, 0, `session failed: ${run.stderr}`);
  return run;
}

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

describe('keychain secret store (docs/config.md, Tokens)', () => {
  it('puts the secret in the keychain, and tokens survive a restart', { skip }, async () => {
    const s = await scratch();
    const run = await inSession(s.env, [s.probe('first.json'), s.probe('second.json', 'first.json')]);
    const first = await s.result('first.json');
    assert.equal(first.kind, 'keychain', first.reason);
    assert.equal(first.inKeychain, true);
    assert.equal(first.fileExists, false, 'no secret file when the keychain holds the secret');
    const second = await s.result('second.json');
    assert.equal(second.kind, 'keychain');
    assert.deepEqual(second.verified, [true], 'a token minted by the first process verifies in the second');
    assert.equal(second.token, first.token);
    assert.equal(count(run.stderr, WARNING), 0, run.stderr);
    // A new session restarts gnome-keyring: the secret was persisted by the keyring, not just held.
    await inSession(s.env, [s.probe('third.json', 'first.json')]);
    assert.deepEqual((await s.result('third.json')).verified, [true]);
  });

  it('moves a secret from the file store into the keychain without changing any token', { skip }, async () => {
    const s = await scratch();
    const secret = randomBytes(32);
    await new FileSecretStore(secretFilePath(s.dataDir)).set(secret);
    const before = new TokenService(secret, ConfigSchema.parse({}));
    await writeFile(join(s.root, 'tokens.json'), JSON.stringify({ tokens: [before.mint('ai:before'), before.mint('provider:tools')] }));
    const run = await inSession(s.env, [s.probe('moved.json', 'tokens.json')]);
    const moved = await s.result('moved.json');
    assert.equal(moved.kind, 'keychain', moved.reason);
    assert.match(moved.reason, /moved there from .*secret, unchanged/);
    assert.deepEqual(moved.verified, [true, true]);
    assert.equal(moved.token, before.mint('ai:probe'), 'the secret is the same bytes');
    assert.equal(moved.inKeychain, true);
    assert.equal(moved.fileExists, false, 'the file is deleted once the keychain holds the secret');
    assert.match(run.stderr, /Moved the install secret from/);
  });

  it('falls back to the file store, warning once, when there is no D-Bus session', { skip }, async () => {
    const s = await scratch();
    const run = await runCommand(process.execPath, [PROBE, s.dataDir, join(s.root, 'nobus.json')], s.env);
    assert.equal(run.status, 0, run.stderr);
    const result = await s.result('nobus.json');
    assert.equal(result.kind, 'file');
    assert.equal(result.secondKind, 'file');
    assert.match(result.reason, /no D-Bus session/);
    assert.equal(result.fileMode, 0o600, 'the fallback file is readable by its owner only');
    assert.equal(count(run.stderr, WARNING), 1, `one warning for two selections: ${run.stderr}`);
    assert.match(run.stderr, /no D-Bus session.*0600 file .*secret/);
  });

  it('detects a locked keyring with the canary and refuses, rather than making a second secret', { skip }, async () => {
    const s = await scratch();
    await inSession(s.env, [s.probe('unlocked.json')]);
    const unlocked = await s.result('unlocked.json');
    assert.equal(unlocked.kind, 'keychain', unlocked.reason);
    // The login keyring now exists on disk; a daemon started without the password has it locked.
    // The probe must fail (its secret is in there), so its exit status and stderr go to files.
    const errFile = join(s.root, 'locked.err');
    await inSession(s.env, [`{ ${s.probe('locked.json')} 2> ${quote(errFile)}; echo $? > ${quote(errFile + '.status')}; }`], false);
    assert.notEqual((await readFile(errFile + '.status', 'utf8')).trim(), '0');
    const refusal = await readFile(errFile, 'utf8');
    assert.match(refusal, /lives in the OS keychain, which cannot be used now: the keyring is locked/);
    assert.match(refusal, /Unlock the keychain/);
    assert.equal(existsSync(secretFilePath(s.dataDir)), false, 'no second secret was made in a file');
    // Without any D-Bus session the same: a refusal, not a new secret.
    const nobus = await runCommand(process.execPath, [PROBE, s.dataDir, join(s.root, 'nobus.json')], s.env);
    assert.notEqual(nobus.status, 0);
    assert.match(nobus.stderr, /lives in the OS keychain, which cannot be used now: there is no D-Bus session/);
    assert.equal(existsSync(secretFilePath(s.dataDir)), false);
    // Unlocked again, the keychain's secret is back and the first token still verifies.
    await inSession(s.env, [s.probe('again.json', 'unlocked.json')]);
    const back = await s.result('again.json');
    assert.equal(back.kind, 'keychain');
    assert.deepEqual(back.verified, [true]);
    assert.equal(back.fileExists, false);
  });

  it('`inlet doctor` names the file store when INLET_KEYCHAIN=off, with the data dir, hub and Node', async () => {
    const s = await scratch();
    const run = await runCommand(process.execPath, [CLI, 'doctor'], { ...s.env, INLET_HOME: s.dataDir, INLET_KEYCHAIN: 'off' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`Data dir: +${s.dataDir}`));
    assert.match(run.stdout, /Secret store: +file: file .*secret\n +INLET_KEYCHAIN=off is set/);
    assert.match(run.stdout, /Secret: +not created yet/, 'doctor only looks: it creates no secret');
    assert.match(run.stdout, /Hub: +not running/);
    assert.match(run.stdout, new RegExp(`Node: +${process.version.replace(/\./g, '\\.')}`));
    assert.equal(run.stderr, '');
  });

  it('`inlet doctor` names the keychain in a Secret Service session, and says why not without D-Bus', { skip }, async () => {
    const s = await scratch();
    const env = { ...s.env, INLET_HOME: s.dataDir };
    const nobus = await runCommand(process.execPath, [CLI, 'doctor'], env);
    assert.equal(nobus.status, 0, nobus.stderr);
    assert.match(nobus.stdout, /Secret store: +file: .*\n.*no D-Bus session/);
    await inSession(env, [[process.execPath, CLI, 'doctor'].map(quote).join(' ') + ' > ' + quote(join(s.root, 'doctor.txt'))]);
    assert.match(await readFile(join(s.root, 'doctor.txt'), 'utf8'), /Secret store: +keychain: keychain \(Secret Service, service "Inlet"/);
  });
});
