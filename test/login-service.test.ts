import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isHubError } from '../app/core/base/errors.js';
import { installService, LAUNCHD_LABEL, planService, serviceStatus, uninstallService, type ServiceOptions, type ServiceRunner } from '../app/os/login-service.js';
import { childEnv, CLI } from './helpers/hub-process.js';

/**
 * `inlet service install|status|uninstall` (app/os/login-service.ts): `inlet serve` at login
 * where there is no tray app. Files land in a scratch home; systemctl, launchctl and schtasks
 * are not running here (no user systemd, no macOS, no Windows), so they are reached only
 * through the injectable runner, and each case checks their exact argv, as the manifest tests
 * do for reg.exe.
 */
function recorder(answers: Record<string, { code?: number; stdout?: string; stderr?: string }> = {}) {
  const calls: string[][] = [];
  const run: ServiceRunner = async (command, args) => {
    calls.push([command, ...args]);
    const answer = answers[[command, ...args].join(' ')] ?? {};
    return { code: answer.code ?? 0, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' };
  };
  return { calls, run };
}

describe('inlet service on Linux: a systemd user unit', () => {
  let home: string;
  before(async () => (home = await mkdtemp(join(tmpdir(), 'inlet-service-'))));
  after(async () => rm(home, { recursive: true, force: true }));

  const options = (run: ServiceRunner, over: Partial<ServiceOptions> = {}): ServiceOptions => ({
    platform: 'linux',
    home,
    env: { XDG_CONFIG_HOME: join(home, 'config') },
    inlet: { command: '/usr/bin/node', args: ['/opt/my inlet/bin/inlet.js'] },
    dataDir: '/srv/inlet data',
    run,
    ...over,
  });
  const unit = () => join(home, 'config', 'systemd', 'user', 'inlet.service');

  it('install writes the unit under XDG_CONFIG_HOME, then reloads and enables it now', async () => {
    const { calls, run } = recorder();
    await installService(options(run));
    assert.deepEqual(calls, [
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'enable', '--now', 'inlet.service'],
    ]);
    const text = await readFile(unit(), 'utf8');
    assert.match(text, /^ExecStart=\/usr\/bin\/node "\/opt\/my inlet\/bin\/inlet\.js" serve --data-dir "\/srv\/inlet data"$/m);
    assert.match(text, /^Restart=on-failure$/m);
    assert.match(text, /^WantedBy=default\.target$/m);
    assert.doesNotMatch(text, /Environment=/, 'plain Node needs no environment');
  });

  it('status asks systemctl whether the unit is active', async () => {
    const running = recorder({ 'systemctl --user is-active inlet.service': { stdout: 'active\n' } });
    assert.deepEqual(await serviceStatus(options(running.run)), { kind: 'systemd', installed: true, running: true, where: unit() });
    assert.deepEqual(running.calls, [['systemctl', '--user', 'is-active', 'inlet.service']]);
    const stopped = recorder({ 'systemctl --user is-active inlet.service': { code: 3, stdout: 'inactive\n' } });
    assert.equal((await serviceStatus(options(stopped.run))).running, false);
  });

  it('uninstall disables and stops it, reloads, and removes the file; a second uninstall finds nothing', async () => {
    const { calls, run } = recorder();
    assert.equal(await uninstallService(options(run)), true);
    assert.deepEqual(calls, [
      ['systemctl', '--user', 'is-active', 'inlet.service'],
      ['systemctl', '--user', 'disable', '--now', 'inlet.service'],
      ['systemctl', '--user', 'daemon-reload'],
    ]);
    assert.ok(!existsSync(unit()));
    assert.equal(await uninstallService(options(recorder().run)), false);
  });

  it('the tray app\'s binary runs the CLI as Node: the unit sets ELECTRON_RUN_AS_NODE; % and $ are escaped', () => {
    const plan = planService(options(recorder().run, { inlet: { command: '/opt/Inlet/inlet-app', args: ['/opt/Inlet/resources/app.asar/bin/inlet.js'], env: { ELECTRON_RUN_AS_NODE: '1' } }, dataDir: '/data/100%$HOME' }));
    assert.match(plan.file!.content, /^ExecStart=\/opt\/Inlet\/inlet-app \/opt\/Inlet\/resources\/app\.asar\/bin\/inlet\.js serve --data-dir \/data\/100%%\$\$HOME$/m);
    assert.match(plan.file!.content, /^Environment=ELECTRON_RUN_AS_NODE=1$/m);
  });

  it('a systemctl that fails leaves no unit behind and says what it answered', async () => {
    const { run } = recorder({ 'systemctl --user daemon-reload': { code: 1, stderr: 'Failed to connect to bus: No medium found\n' } });
    await assert.rejects(installService(options(run)), (error) => isHubError(error, 'SERVICE_FAILED') && /systemctl --user daemon-reload failed \(exit code 1\): Failed to connect to bus: No medium found\./.test(error.message));
    assert.ok(!existsSync(unit()));
  });
});

describe('inlet service on macOS: a launchd agent', () => {
  let home: string;
  before(async () => (home = await mkdtemp(join(tmpdir(), 'inlet-service-'))));
  after(async () => rm(home, { recursive: true, force: true }));
  const options = (run: ServiceRunner): ServiceOptions => ({
    platform: 'darwin',
    home,
    uid: 501,
    inlet: { command: '/Applications/Inlet.app/Contents/MacOS/Inlet', args: ['/Applications/Inlet.app/Contents/Resources/app.asar/bin/inlet.js'], env: { ELECTRON_RUN_AS_NODE: '1' } },
    dataDir: '/Users/me/R&D',
    run,
  });
  const plist = () => join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);

  it('install writes the agent to ~/Library/LaunchAgents and bootstraps it into the GUI domain', async () => {
    const { calls, run } = recorder({ [`launchctl bootout gui/501/${LAUNCHD_LABEL}`]: { code: 3, stderr: 'Boot-out failed: 3: No such process' } });
    await installService(options(run));
    assert.deepEqual(calls, [
      ['launchctl', 'bootout', `gui/501/${LAUNCHD_LABEL}`],
      ['launchctl', 'bootstrap', 'gui/501', plist()],
    ]);
    const text = await readFile(plist(), 'utf8');
    assert.ok(text.includes(
      '<key>ProgramArguments</key><array><string>/Applications/Inlet.app/Contents/MacOS/Inlet</string><string>/Applications/Inlet.app/Contents/Resources/app.asar/bin/inlet.js</string>' +
        '<string>serve</string><string>--data-dir</string><string>/Users/me/R&amp;D</string></array>',
    ));
    assert.ok(text.includes('<key>EnvironmentVariables</key><dict><key>ELECTRON_RUN_AS_NODE</key><string>1</string></dict>'));
    assert.ok(text.includes('<key>RunAtLoad</key><true/>'));
    assert.ok(text.includes(`<string>${join(home, 'Library', 'Logs', 'Inlet', 'serve.log')}</string>`));
  });

  it('status reads launchctl print; uninstall boots it out and removes the agent', async () => {
    const printed = recorder({ [`launchctl print gui/501/${LAUNCHD_LABEL}`]: { stdout: `gui/501/${LAUNCHD_LABEL} = {\n\tstate = running\n}` } });
    assert.deepEqual(await serviceStatus(options(printed.run)), { kind: 'launchd', installed: true, running: true, where: plist() });
    const { calls, run } = recorder();
    assert.equal(await uninstallService(options(run)), true);
    assert.deepEqual(calls, [['launchctl', 'print', `gui/501/${LAUNCHD_LABEL}`], ['launchctl', 'bootout', `gui/501/${LAUNCHD_LABEL}`]]);
    assert.ok(!existsSync(plist()));
  });
});

describe('inlet service on Windows: a scheduled task at logon', () => {
  const base: ServiceOptions = {
    platform: 'win32',
    home: 'C:\\Users\\me',
    env: { USERNAME: 'me', USERDOMAIN: 'DESK' },
    inlet: { command: 'C:\\Program Files\\nodejs\\node.exe', args: ['C:\\Users\\me\\inlet\\bin\\inlet.js'] },
  };

  it('install creates the task for this user at logon, without elevation, and runs it now (exact argv)', async () => {
    const { calls, run } = recorder();
    await installService({ ...base, run });
    assert.deepEqual(calls, [
      ['schtasks', '/Create', '/F', '/SC', 'ONLOGON', '/TN', 'Inlet Hub', '/TR', '"C:\\Program Files\\nodejs\\node.exe" C:\\Users\\me\\inlet\\bin\\inlet.js serve', '/RU', 'DESK\\me', '/IT', '/RL', 'LIMITED'],
      ['schtasks', '/Run', '/TN', 'Inlet Hub'],
    ]);
  });

  it('the tray app\'s binary goes through its inlet.cmd launcher, which sets what a task cannot', () => {
    const plan = planService({
      ...base,
      inlet: { command: 'C:\\Users\\me\\AppData\\Local\\Programs\\Inlet\\Inlet.exe', args: ['C:\\Users\\me\\AppData\\Local\\Programs\\Inlet\\resources\\app.asar\\bin\\inlet.js'], env: { ELECTRON_RUN_AS_NODE: '1' } },
      launcher: 'C:\\Users\\me\\AppData\\Local\\Programs\\Inlet\\resources\\bin\\inlet.cmd',
      dataDir: 'D:\\inlet data',
    });
    assert.equal(plan.install[0]![8], 'C:\\Users\\me\\AppData\\Local\\Programs\\Inlet\\resources\\bin\\inlet.cmd serve --data-dir "D:\\inlet data"');
    assert.throws(() => planService({ ...base, inlet: { ...base.inlet, env: { ELECTRON_RUN_AS_NODE: '1' } } }), (error) => isHubError(error, 'USAGE'));
    assert.throws(() => planService({ ...base, dataDir: `D:\\${'x'.repeat(250)}` }), /more than the 261 schtasks takes/);
  });

  it('status queries the task; uninstall ends and deletes it (exact argv)', async () => {
    const query = 'schtasks /Query /TN Inlet Hub /FO LIST';
    const listed = recorder({ [query]: { stdout: 'Folder: \\\r\nTaskName:      \\Inlet Hub\r\nStatus:        Running\r\n' } });
    assert.deepEqual(await serviceStatus({ ...base, run: listed.run }), { kind: 'schtasks', installed: true, running: true, where: 'the scheduled task "Inlet Hub"' });
    const { calls, run } = recorder();
    assert.equal(await uninstallService({ ...base, run }), true);
    assert.deepEqual(calls, [
      ['schtasks', '/Query', '/TN', 'Inlet Hub', '/FO', 'LIST'],
      ['schtasks', '/End', '/TN', 'Inlet Hub'],
      ['schtasks', '/Delete', '/F', '/TN', 'Inlet Hub'],
    ]);
    const missing = recorder({ [query]: { code: 1, stderr: 'ERROR: The system cannot find the file specified.' } });
    assert.equal(await uninstallService({ ...base, run: missing.run }), false);
    assert.deepEqual(missing.calls, [['schtasks', '/Query', '/TN', 'Inlet Hub', '/FO', 'LIST']]);
  });
});

describe('the inlet service command', () => {
  let scratch: string;
  before(async () => (scratch = await mkdtemp(join(tmpdir(), 'inlet-service-cli-'))));
  after(async () => rm(scratch, { recursive: true, force: true }));

  /**
   * A `systemctl` on PATH that records its argv: there is no user systemd on this machine, so
   * the command's own runner reaches this stand-in instead of the real one.
   */
  async function withSystemctl(script: string | undefined) {
    const bin = join(scratch, script ? 'bin' : 'empty-bin');
    const log = join(scratch, 'systemctl.log');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(bin, { recursive: true });
    if (script) {
      await writeFile(join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >> "${log}"\n${script}\n`);
      chmodSync(join(bin, 'systemctl'), 0o755);
    }
    const env = childEnv(scratch, { HOME: scratch, XDG_CONFIG_HOME: join(scratch, 'config'), PATH: bin });
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'service', ...args], { env, encoding: 'utf8', timeout: 20_000 });
    return { run, log: async () => (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean) };
  }

  it('install, status and uninstall go through systemctl --user and the unit file', async () => {
    const { run, log } = await withSystemctl('[ "$2" = is-active ] && echo active; exit 0');
    const installed = run('install');
    assert.equal(installed.status, 0, installed.stderr);
    const unit = join(scratch, 'config', 'systemd', 'user', 'inlet.service');
    assert.match(installed.stdout, new RegExp(`Installed ${unit.replace(/[/.]/g, '\\$&')}: inlet serve runs now and at every login`));
    // INLET_HOME (the scratch data dir) is not the default: the unit names it, as it starts without this shell's environment.
    assert.match(await readFile(unit, 'utf8'), new RegExp(`^ExecStart=${process.execPath.replace(/[/.]/g, '\\$&')} \\S+/bin/inlet\\.js serve --data-dir ${scratch.replace(/[/.]/g, '\\$&')}$`, 'm'));
    const status = run('status');
    assert.equal(status.stdout.trim(), `installed (${unit}), running`);
    assert.equal(run('uninstall').stdout.trim(), `Stopped and removed ${unit}.`);
    assert.deepEqual(await log(), ['--user daemon-reload', '--user enable --now inlet.service', '--user is-active inlet.service', '--user is-active inlet.service', '--user disable --now inlet.service', '--user daemon-reload']);
    const none = run('status');
    assert.equal(none.status, 3);
    assert.equal(none.stdout.trim(), 'not installed');
  });

  it('without systemctl it fails with one sentence and leaves nothing behind', async () => {
    const { run } = await withSystemctl(undefined);
    const result = run('install');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^inlet service: systemctl --user daemon-reload failed \(exit code 127\)/);
    assert.ok(!existsSync(join(scratch, 'config', 'systemd', 'user', 'inlet.service')));
    assert.equal(run('bogus').status, 2);
  });
});
