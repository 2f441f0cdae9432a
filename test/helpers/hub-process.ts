import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { HubStatus } from '../../app/core/admin/status.js';
import { ConfigSchema } from '../../app/core/config/config.js';
import type { HubFile } from '../../app/core/discovery/hub-file.js';
import { loadOrCreateSecret, TokenService } from '../../app/core/security/tokens.js';
import { secretFilePath } from '../../app/os/data-dir.js';
import { FileSecretStore } from '../../app/os/file-secret-store.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'bin', 'inlet.js');
export const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const FIXTURES = join(ROOT, 'dist/test/fixtures');

let home: string | undefined;

/**
 * A scratch HOME (and XDG dirs) for every program a test starts: Chromium writes
 * ~/.config/chromium/Crash Reports and ~/.cache/dconf whatever its --user-data-dir, and a command
 * run without INLET_HOME would use the default data dir. One per test process, or below `dir`.
 */
export function scratchHomeEnv(dir?: string): Record<string, string> {
  home ??= mkdtempSync(join(tmpdir(), 'inlet-test-home-'));
  const root = dir ?? home;
  return {
    HOME: root,
    XDG_CONFIG_HOME: join(root, '.config'),
    XDG_CACHE_HOME: join(root, '.cache'),
    XDG_DATA_HOME: join(root, '.local', 'share'),
    XDG_STATE_HOME: join(root, '.local', 'state'),
  };
}

/** Environment for child processes: a private data dir and HOME, and no per-start CA loading. */
export function childEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // INLET_KEYCHAIN=off: test hubs keep their secret in the data dir's file (which mint() below
  // reads), never in the developer's real keychain. The keychain has its own tests.
  // A test that brings its own HOME gets the XDG dirs below it, as a login would.
  const env: NodeJS.ProcessEnv = { ...process.env, ...scratchHomeEnv(extra.HOME), INLET_HOME: dataDir, INLET_LOG: process.env.INLET_LOG ?? 'warn', INLET_KEYCHAIN: 'off', ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/**
 * A fresh data dir. Its config lets calls through (`approvals.default: "allow"`) unless the
 * test brings its own `approvals`: the hub's own default is "ask", which only the approval
 * tests want.
 */
export async function makeDataDir(config?: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'inlet-test-'));
  const withPolicy = { approvals: { default: 'allow' }, ...(config ?? {}) };
  await writeFile(join(dir, 'config.json'), JSON.stringify(withPolicy, null, 2));
  return dir;
}

export interface RunningHub {
  dataDir: string;
  urls: HubFile['urls'];
  process: ChildProcess;
  /** What `inlet serve` printed on stdout so far. */
  stdout: () => string;
  stderr: () => string;
  mint(clientId: string): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `inlet serve --port 0` as users run it, and waits until hub.json appears. */
export async function startHub(options: { config?: Record<string, unknown>; dataDir?: string; args?: string[]; env?: Record<string, string> } = {}): Promise<RunningHub> {
  const dataDir = options.dataDir ?? (await makeDataDir(options.config));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...(options.args ?? [])], {
    env: childEnv(dataDir, options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const hubFile = await new Promise<HubFile>((resolve, reject) => {
    const started = Date.now();
    const poll = async () => {
      if (child.exitCode !== null) return reject(new Error(`inlet serve exited ${child.exitCode}: ${err}`));
      try {
        const file = JSON.parse(await readFile(join(dataDir, 'hub.json'), 'utf8')) as HubFile;
        if (file.pid === child.pid) return resolve(file);
      } catch {
        /* not written yet */
      }
      if (Date.now() - started > 15_000) return reject(new Error(`hub did not start: ${err}`));
      setTimeout(poll, 25);
    };
    void poll();
  });
  let tokens: TokenService | undefined;
  return {
    dataDir,
    urls: hubFile.urls,
    process: child,
    stdout: () => out,
    stderr: () => err,
    async mint(clientId) {
      tokens ??= new TokenService(await loadOrCreateSecret(new FileSecretStore(secretFilePath(dataDir))), ConfigSchema.parse({}));
      return tokens.mint(clientId);
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Resolves once `inlet serve` has printed this text (its welcome is printed after hub.json). */
export async function untilPrinted(hub: RunningHub, text: string): Promise<string> {
  const stdout = hub.process.stdout!;
  while (!hub.stdout().includes(text)) {
    if (hub.process.exitCode !== null) throw new Error(`inlet serve exited before printing "${text}": ${hub.stderr()}`);
    await new Promise((resolve) => stdout.once('data', resolve));
  }
  return hub.stdout();
}

/** The real SDK client on the hub's /mcp endpoint. */
export async function connectAi(hub: RunningHub, name = 'ai:test'): Promise<AiClient> {
  const token = await hub.mint(name);
  const client = new Client({ name: 'inlet-test', version: '1.0.0' });
  const changes: Array<() => void> = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    for (const wake of changes.splice(0)) wake();
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(hub.urls.mcp), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return Object.assign(client, {
    /** Waits (on tools/list_changed notifications, rechecking) until the predicate holds. */
    async waitForTools(predicate: (tools: Tool[]) => boolean, timeoutMs = 10_000): Promise<Tool[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const changed = new Promise<void>((resolve) => changes.push(resolve));
        const { tools } = await client.listTools();
        if (predicate(tools)) return tools;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`tools never matched; last list: ${tools.map((t) => t.name).join(', ')}`);
        // Notifications are the signal; a slow poll covers a change that raced the listing.
        await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, Math.min(left, 250)))]);
      }
    },
  });
}
export type AiClient = Client & { waitForTools(predicate: (tools: Tool[]) => boolean, timeoutMs?: number): Promise<Tool[]> };

export interface BridgeProcess {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startBridge(hub: RunningHub, name: string, command: string[], extraArgs: string[] = []): BridgeProcess {
  const child = spawn(process.execPath, [CLI, 'bridge', '--name', name, ...extraArgs, '--', ...command], {
    env: childEnv(hub.dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, output: () => out, exited };
}

/** The provider tools' names, sorted (the hub's own permissions__approve left out). */
export function names(tools: Tool[]): string[] {
  return tools.map((t) => t.name).filter((n) => n !== 'permissions__approve').sort();
}

/** The text of a tool result's text contents, joined. */
export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

/** The running hub's `/api/status`, asked with an admin token. */
export async function hubStatus(hub: RunningHub): Promise<HubStatus> {
  const response = await fetch(`${hub.urls.api}/status`, { headers: { Authorization: `Bearer ${await hub.mint('admin')}` } });
  if (response.status !== 200) throw new Error(`/api/status answered ${response.status}`);
  return (await response.json()) as HubStatus;
}

/** The companion extension's tools, as AI clients see them. */
export const BROWSER_TOOLS = ['browser__list_tabs', 'browser__open_url', 'browser__read_tab_text', 'browser__screenshot'];

export function hasBrowserTools(tools: Array<{ name: string }>): boolean {
  return BROWSER_TOOLS.every((name) => tools.some((t) => t.name === name));
}
