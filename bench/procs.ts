import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file runs from dist/bench/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_DIST = join(ROOT, 'dist', 'bench');
export const INLET_BIN = join(ROOT, 'bin', 'inlet.js');
export const MCP_PROXY_BIN = join(ROOT, 'node_modules', 'mcp-proxy', 'dist', 'bin', 'mcp-proxy.mjs');

const children = new Set<ChildProcess>();
/** Processes spawned by someone else for us (the SDK's StdioClientTransport). */
const foreignPids = new Set<number>();

export function trackPid(pid: number | null | undefined): void {
  if (pid) foreignPids.add(pid);
}

/**
 * The environment for every child: without NODE_EXTRA_CA_CERTS (it costs ~110 ms per Node
 * start) and NODE_OPTIONS, and with INLET_KEYCHAIN=off so the hub keeps its secret in
 * INLET_HOME/secret (where the bench mints tokens) and never touches the user's keychain.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  return { ...env, INLET_KEYCHAIN: 'off', ...extra };
}

export interface Child {
  proc: ChildProcess;
  /** The last lines the child wrote to stderr, for error messages. */
  tail(): string;
  /** Resolves with the first stdout line matching `pattern` (rejects on exit or after timeoutMs). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

let logs: string | undefined;
let logCount = 0;

const tempDirs = new Set<string>();

/**
 * Children's stderr goes to files here: a log never blocks a child on a pipe the bench is slow
 * to read. Removed on exit unless keepLogs() was called (after a failure).
 */
export function logDir(): string {
  if (!logs) tempDirs.add((logs = mkdtempSync(join(tmpdir(), 'inlet-bench-logs-'))));
  return logs;
}

export function keepLogs(): string | undefined {
  if (logs) tempDirs.delete(logs);
  return logs;
}

/** Removes `dir` when the bench exits, however it exits (hub data dirs). */
export function removeOnExit(dir: string): void {
  tempDirs.add(dir);
}

function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Spawns a Node child that is tracked and killed by killAll(). */
export function spawnNode(args: string[], options: SpawnOptions & { label: string }): Child {
  const logFile = join(logDir(), `${++logCount}-${options.label.replace(/[^A-Za-z0-9-]+/g, '_')}.log`);
  const logFd = openSync(logFile, 'a');
  const proc = spawn(process.execPath, args, { env: childEnv(), ...options, stdio: ['pipe', 'pipe', logFd] });
  closeSync(logFd);
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  const outLines: string[] = [];
  const waiters: Array<() => void> = [];
  let partial = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    outLines.push(...parts);
    if (outLines.length > 200) outLines.splice(0, outLines.length - 200);
    for (const wake of [...waiters]) wake();
  });
  const tail = () => `${options.label} (${logFile}):\n  ${readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-10).join('\n  ')}`;
  const waitFor = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<string>((resolvePromise, reject) => {
      const check = () => {
        const line = outLines.find((l) => pattern.test(l));
        if (line === undefined) return false;
        done();
        resolvePromise(line);
        return true;
      };
      const onExit = () => (done(), reject(new Error(`${options.label} exited before printing ${pattern}\n  ${tail()}`)));
      const timer = setTimeout(() => (done(), reject(new Error(`${options.label}: no ${pattern} within ${timeoutMs} ms\n  ${tail()}`))), timeoutMs);
      const wake = () => void check();
      const done = () => {
        clearTimeout(timer);
        proc.off('exit', onExit);
        waiters.splice(waiters.indexOf(wake), 1);
      };
      waiters.push(wake);
      proc.once('exit', onExit);
      if (!check() && proc.exitCode !== null) onExit();
    });
  return { proc, tail, waitFor };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export function stopChild(proc: ChildProcess, graceMs = 3_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => (clearTimeout(timer), resolvePromise()));
    proc.kill('SIGTERM');
  });
}

/** Kills every child still running (used on normal exit, on error and on signals). */
export function killAll(): void {
  for (const proc of children) {
    try {
      proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
  for (const pid of foreignPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  foreignPids.clear();
}

export function installExitHandlers(): void {
  process.on('exit', () => {
    killAll();
    removeTempDirs();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** Resident set size of a process in KB (Linux /proc). */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc, 10 ms ticks). */
export function cpuMs(pid: number): number {
  if (pid === process.pid) {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** CPU time the whole machine has been busy (all cores, /proc/stat), in ms. */
export function systemBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / 100;
}

/** The direct children of a process (e.g. the stdio server mcp-proxy spawned). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function sleep(msDelay: number): Promise<void> {
  return new Promise((r) => setTimeout(r, msDelay));
}
