import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { posix, win32 } from 'node:path';
import { writeFileAtomic } from '../core/base/atomic-file.js';
import { HubError } from '../core/base/errors.js';
import type { InletCommand } from '../core/base/version.js';

/**
 * `inlet serve` started at login where there is no tray app (issue 8): a systemd user unit on
 * Linux, a launchd agent on macOS, a scheduled task at logon on Windows. Like the manifests,
 * everything the OS provides is a parameter: the file goes under `home` (so tests write into a
 * scratch directory), and systemctl, launchctl and schtasks run through `run`, so the tests
 * check their exact argv on a machine that has none of them running.
 */
export const SYSTEMD_UNIT = 'inlet.service';
export const LAUNCHD_LABEL = 'com.inlet.serve';
export const TASK_NAME = 'Inlet Hub';

export type ServiceRunner = (command: string, args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface ServiceEnvironment {
  platform: NodeJS.Platform;
  home: string;
  env?: NodeJS.ProcessEnv;
  /** macOS: the user's id, for launchctl's `gui/<uid>` domain. */
  uid?: number;
  /** Windows: `DOMAIN\user`, whom the task runs as. */
  user?: string;
  run?: ServiceRunner;
}

export interface ServiceOptions extends ServiceEnvironment {
  /** How to run `inlet` (app/core/base/version.ts). */
  inlet: InletCommand;
  /** Windows, when `inlet` needs an environment variable: the `inlet.cmd` launcher that sets it. */
  launcher?: string;
  /** Serve this data dir (`--data-dir`); else the default one. */
  dataDir?: string;
}

export type ServiceKind = 'systemd' | 'launchd' | 'schtasks';

export interface ServicePlan {
  kind: ServiceKind;
  /** The unit or agent file (none on Windows: the task lives in the Task Scheduler). */
  file?: { path: string; content: string };
  install: string[][];
  uninstall: string[][];
  status: string[][];
  /** Where a user finds its output. */
  logs: string;
}

export interface ServiceStatus {
  kind: ServiceKind;
  installed: boolean;
  running: boolean;
  /** The unit file, agent file or task name. */
  where: string;
}

export function planService(options: ServiceOptions): ServicePlan {
  const serve = ['serve', ...(options.dataDir ? ['--data-dir', options.dataDir] : [])];
  if (options.platform === 'darwin') return launchdPlan(options, serve);
  if (options.platform === 'win32') return schtasksPlan(options, serve);
  return systemdPlan(options, serve);
}

/** Writes the unit or agent and registers it, so `inlet serve` runs now and at every login. */
export async function installService(options: ServiceOptions): Promise<ServicePlan> {
  const plan = planService(options);
  const existed = plan.file !== undefined && existsSync(plan.file.path);
  if (plan.file) await writeFileAtomic(plan.file.path, plan.file.content, 0o644);
  try {
    const [first, ...rest] = plan.install;
    // launchd: a stale registration of an older agent makes bootstrap fail; drop it first.
    if (plan.kind === 'launchd') await runner(options)(first![0]!, first!.slice(1));
    else await must(options, first!);
    for (const argv of rest) await must(options, argv);
  } catch (error) {
    // A unit nobody could register would only look installed: take back what was written.
    if (plan.file && !existed) await rm(plan.file.path, { force: true });
    throw error;
  }
  return plan;
}

/** Stops and unregisters it, and removes the file; false when nothing was installed. */
export async function uninstallService(options: ServiceOptions): Promise<boolean> {
  const plan = planService(options);
  const { installed } = await serviceStatus(options);
  if (!installed) return false;
  // Stopping something that is not running fails; what counts is that it is gone afterwards.
  for (const argv of plan.uninstall) await runner(options)(argv[0]!, argv.slice(1));
  if (plan.file) await rm(plan.file.path, { force: true });
  return true;
}

export async function serviceStatus(options: ServiceOptions): Promise<ServiceStatus> {
  const plan = planService(options);
  const run = runner(options);
  const [query] = plan.status;
  const answer = await run(query![0]!, query!.slice(1));
  if (plan.kind === 'systemd') {
    return { kind: plan.kind, installed: existsSync(plan.file!.path), running: answer.stdout.trim() === 'active', where: plan.file!.path };
  }
  if (plan.kind === 'launchd') {
    return { kind: plan.kind, installed: existsSync(plan.file!.path), running: answer.code === 0 && /\bstate = running\b/.test(answer.stdout), where: plan.file!.path };
  }
  return { kind: plan.kind, installed: answer.code === 0, running: answer.code === 0 && /:\s*Running\b/i.test(answer.stdout), where: `the scheduled task "${TASK_NAME}"` };
}

function systemdPlan(options: ServiceOptions, serve: string[]): ServicePlan {
  const env = options.env ?? {};
  const configHome = env.XDG_CONFIG_HOME && posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : posix.join(options.home, '.config');
  const path = posix.join(configHome, 'systemd', 'user', SYSTEMD_UNIT);
  const { command, args, env: extra } = options.inlet;
  const content = [
    '[Unit]',
    'Description=Inlet, the MCP hub the tools connect in to (inlet serve)',
    'After=network.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[command, ...args, ...serve].map(systemdQuote).join(' ')}`,
    ...Object.entries(extra ?? {}).map(([key, value]) => `Environment=${systemdQuote(`${key}=${value}`)}`),
    'Restart=on-failure',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
  const ctl = (...args: string[]) => ['systemctl', '--user', ...args];
  return {
    kind: 'systemd',
    file: { path, content },
    install: [ctl('daemon-reload'), ctl('enable', '--now', SYSTEMD_UNIT)],
    uninstall: [ctl('disable', '--now', SYSTEMD_UNIT), ctl('daemon-reload')],
    status: [ctl('is-active', SYSTEMD_UNIT)],
    logs: `journalctl --user -u ${SYSTEMD_UNIT}`,
  };
}

function launchdPlan(options: ServiceOptions, serve: string[]): ServicePlan {
  const path = posix.join(options.home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  const log = posix.join(options.home, 'Library', 'Logs', 'Inlet', 'serve.log');
  const { command, args, env } = options.inlet;
  const string = (value: string) => `<string>${xml(value)}</string>`;
  const content = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key>${string(LAUNCHD_LABEL)}`,
    `  <key>ProgramArguments</key><array>${[command, ...args, ...serve].map(string).join('')}</array>`,
    ...(env ? [`  <key>EnvironmentVariables</key><dict>${Object.entries(env).map(([key, value]) => `<key>${xml(key)}</key>${string(value)}`).join('')}</dict>`] : []),
    '  <key>RunAtLoad</key><true/>',
    // Restarted when it fails, not after a clean stop (`inlet service uninstall`, a logout).
    '  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>',
    `  <key>StandardOutPath</key>${string(log)}`,
    `  <key>StandardErrorPath</key>${string(log)}`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
  const domain = `gui/${options.uid ?? process.getuid?.() ?? 501}`;
  return {
    kind: 'launchd',
    file: { path, content },
    install: [['launchctl', 'bootout', `${domain}/${LAUNCHD_LABEL}`], ['launchctl', 'bootstrap', domain, path]],
    uninstall: [['launchctl', 'bootout', `${domain}/${LAUNCHD_LABEL}`]],
    status: [['launchctl', 'print', `${domain}/${LAUNCHD_LABEL}`]],
    logs: log,
  };
}

function schtasksPlan(options: ServiceOptions, serve: string[]): ServicePlan {
  const { command, args, env } = options.inlet;
  let argv = [command, ...args, ...serve];
  if (env) {
    // A task runs one command line and sets no environment: the launcher sets it instead.
    if (!options.launcher) throw new HubError('USAGE', 'This installation has no inlet.cmd launcher to run `inlet serve` from a scheduled task.');
    argv = [options.launcher, ...serve];
  }
  const commandLine = argv.map(windowsQuote).join(' ');
  if (commandLine.length > 261) {
    throw new HubError('USAGE', `The command line for the scheduled task is ${commandLine.length} characters, more than the 261 schtasks takes; install Inlet in a shorter path.`);
  }
  const user = options.user ?? windowsUser(options.env ?? {});
  const task = ['/TN', TASK_NAME];
  return {
    kind: 'schtasks',
    install: [
      // /IT: only while that user is logged on, so no password is stored; /RL LIMITED: no elevation.
      ['schtasks', '/Create', '/F', '/SC', 'ONLOGON', ...task, '/TR', commandLine, '/RU', user, '/IT', '/RL', 'LIMITED'],
      ['schtasks', '/Run', ...task],
    ],
    uninstall: [['schtasks', '/End', ...task], ['schtasks', '/Delete', '/F', ...task]],
    status: [['schtasks', '/Query', ...task, '/FO', 'LIST']],
    logs: 'the console window the task opens',
  };
}

function windowsUser(env: NodeJS.ProcessEnv): string {
  const name = env.USERNAME ?? 'user';
  return env.USERDOMAIN ? win32.join(env.USERDOMAIN, name) : name;
}

function runner(options: ServiceEnvironment): ServiceRunner {
  return options.run ?? runProgram;
}

async function must(options: ServiceEnvironment, argv: string[]): Promise<void> {
  const result = await runner(options)(argv[0]!, argv.slice(1));
  if (result.code !== 0) {
    const said = (result.stderr || result.stdout).trim().split('\n')[0];
    throw new HubError('SERVICE_FAILED', `${argv.slice(0, 3).join(' ')} failed (exit code ${result.code})${said ? `: ${said}` : ''}.`);
  }
}

/** Runs a program without a shell; a missing program is exit code 127, as a shell would say. */
export const runProgram: ServiceRunner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { windowsHide: true, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : (error as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: error && !stderr ? error.message : String(stderr) });
    });
  });

/** systemd's command-line quoting: double quotes with \ and " escaped; % and $ doubled (specifiers, variables). */
function systemdQuote(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /^[A-Za-z0-9_@%+=:,./$-]+$/.test(escaped) ? escaped : `"${escaped.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** One argument of a Windows command line (CommandLineToArgvW rules). */
function windowsQuote(arg: string): string {
  if (arg && !/[\s"]/.test(arg)) return arg;
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
}

function xml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
