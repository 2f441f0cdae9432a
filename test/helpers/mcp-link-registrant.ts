import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, CLI, ROOT, startHub, type RunningHub } from './hub-process.js';
import { runCommand } from './run-command.js';

/**
 * The standard-library registrants that behave as MCP-Link's published clients: reverse_mcp.py
 * (test/fixtures/mcp_link_registrant.py) and reverse_mcp.js (test/fixtures/mcp-link-registrant.mjs).
 */
const REGISTRANTS = {
  python: ['python3', ['-u', join(ROOT, 'test', 'fixtures', 'mcp_link_registrant.py')]],
  node: [process.execPath, [join(ROOT, 'test', 'fixtures', 'mcp-link-registrant.mjs')]],
} as const;

export interface RegistrantEvent {
  event: string;
  text?: string;
  tool?: string;
  arguments?: Record<string, unknown>;
  ok?: boolean;
  [key: string]: unknown;
}

export interface Registrant {
  process: ChildProcess;
  events: RegistrantEvent[];
  /** Resolves with the first event (counting from `from`) that satisfies `predicate`. */
  next(predicate: (event: RegistrantEvent) => boolean, from?: number): Promise<RegistrantEvent>;
  exited: Promise<number | null>;
  kill(): Promise<number | null>;
}

/**
 * Runs the registrant as a user would run an MCP-Link tool: with HOME `home` (where
 * `inlet manifests install --mcp-link` wrote com.aurafriday.shim.json) and nothing else that
 * names the hub. It prints one JSON line per event.
 */
export function startRegistrant(language: keyof typeof REGISTRANTS, home: string, tool: string, key: string, env: Record<string, string> = {}): Registrant {
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, REGISTRANT_BACKOFF_SCALE: '0.05', ...env };
  const [command, args] = REGISTRANTS[language];
  const child = spawn(command, [...args, tool, key], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: RegistrantEvent[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (line.trim()) events.push(JSON.parse(line) as RegistrantEvent);
    }
    for (const wake of [...waiters]) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const next = (predicate: (event: RegistrantEvent) => boolean, from = 0) =>
    new Promise<RegistrantEvent>((resolve, reject) => {
      const check = () => {
        const found = events.slice(from).find(predicate);
        if (!found) return;
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
      void exited.then((code) => {
        if (waiters.delete(check)) reject(new Error(`the registrant exited (${code}) first; events ${JSON.stringify(events)}; stderr ${stderr}`));
      });
    });
  return {
    process: child,
    events,
    next,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

/**
 * A hub in a scratch HOME where `inlet manifests install --mcp-link` wrote com.aurafriday.shim.json,
 * so a registrant started with that HOME finds the hub as MCP-Link's clients do. Returns the
 * command's stdout too (where it wrote the manifests).
 */
export async function startMcpLinkHub(options: { config?: Record<string, unknown> } = {}): Promise<{ home: string; hub: RunningHub; installed: string }> {
  const home = await mkdtemp(join(tmpdir(), 'inlet-mcp-link-home-'));
  const hub = await startHub({ env: { HOME: home }, config: options.config });
  const install = await runCommand(process.execPath, [CLI, 'manifests', 'install', '--mcp-link'], childEnv(hub.dataDir, { HOME: home }));
  assert.equal(install.status, 0, install.stderr);
  return { home, hub, installed: install.stdout };
}
