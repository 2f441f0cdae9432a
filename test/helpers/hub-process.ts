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

/**
 * Starts `inlet serve --port 0` as users run it, and resolves once it says on stdout that it
 * runs (it writes hub.json before that line). No deadline: a hub that never starts is a hang
 * the runner's hang guard ends; one that exits first rejects with its stderr.
 */
export async function startHub(options: { config?: Record<string, unknown>; dataDir?: string; args?: string[]; env?: Record<string, string> } = {}): Promise<RunningHub> {
  const dataDir = options.dataDir ?? (await makeDataDir(options.config));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...(options.args ?? [])], {
    env: childEnv(dataDir, options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (/^Inlet hub running/m.test(out)) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`inlet serve exited (${code ?? signal}) before it was running: ${err}`)));
  });
  const hubFile = JSON.parse(await readFile(join(dataDir, 'hub.json'), 'utf8')) as HubFile;
  if (hubFile.pid !== child.pid) throw new Error(`hub.json names pid ${hubFile.pid}, not the hub just started (${child.pid})`);
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

/**
 * The real SDK client on the hub's /mcp endpoint, resolved once its standalone SSE stream (the
 * GET the SDK opens after `initialize`, which carries tools/list_changed) is open: a change
 * before that would be announced to nobody, and waitForTools below waits on announcements.
 */
export async function connectAi(hub: RunningHub, name = 'ai:test'): Promise<AiClient> {
  const token = await hub.mint(name);
  const client = new Client({ name: 'inlet-test', version: '1.0.0' });
  const changes: Array<() => void> = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    for (const wake of changes.splice(0)) wake();
  });
  let streamOpen!: () => void;
  const listening = new Promise<void>((resolve) => (streamOpen = resolve));
  const watchingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'GET' && response.ok) streamOpen();
    return response;
  };
  await client.connect(
    new StreamableHTTPClientTransport(new URL(hub.urls.mcp), { requestInit: { headers: { Authorization: `Bearer ${token}` } }, fetch: watchingFetch }),
  );
  await listening;
  return Object.assign(client, {
    /** Lists, and lists again after each tools/list_changed, until the predicate holds. */
    async waitForTools(predicate: (tools: Tool[]) => boolean): Promise<Tool[]> {
      for (;;) {
        // Armed before the listing: a change after the list was made wakes us, one before is in it.
        const changed = new Promise<void>((resolve) => changes.push(resolve));
        const { tools } = await client.listTools();
        if (predicate(tools)) return tools;
        await changed;
      }
    },
  });
}
export type AiClient = Client & { waitForTools(predicate: (tools: Tool[]) => boolean): Promise<Tool[]> };

export interface BridgeProcess {
  process: ChildProcess;
  output: () => string;
  /** Resolves once the bridge's output (its server's stderr included) satisfies `predicate`. */
  waitForOutput(predicate: (output: string) => boolean): Promise<string>;
  exited: Promise<number | null>;
}

export function startBridge(hub: RunningHub, name: string, command: string[], extraArgs: string[] = []): BridgeProcess {
  const child = spawn(process.execPath, [CLI, 'bridge', '--name', name, ...extraArgs, '--', ...command], {
    env: childEnv(hub.dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  const append = (chunk: string) => {
    out += chunk;
    for (const wake of waiters) wake();
  };
  child.stdout!.setEncoding('utf8').on('data', append);
  child.stderr!.setEncoding('utf8').on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // 'close' comes once the output is complete, unlike 'exit'.
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const waitForOutput = (predicate: (output: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!predicate(out)) return;
        waiters.delete(check);
        resolve(out);
      };
      waiters.add(check);
      check();
      void closed.then((code) => {
        if (waiters.delete(check)) reject(new Error(`the bridge exited (${code}) first; its output: ${out}`));
      });
    });
  return { process: child, output: () => out, waitForOutput, exited };
}

/** The provider tools' names, sorted (the hub's own permissions__approve left out). */
export function names(tools: Tool[]): string[] {
  return tools.map((t) => t.name).filter((n) => n !== 'permissions__approve').sort();
}

/** The text of a tool result's text contents, joined. */
export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

/** One admin API request with an admin token, as the CLI makes it: its status and JSON body. */
export async function adminRequest<T = Record<string, unknown>>(hub: RunningHub, method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
  const response = await fetch(`${hub.urls.api}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await hub.mint('admin')}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, data: (await response.json()) as T };
}

/** The running hub's `/api/status`, asked with an admin token. */
export async function hubStatus(hub: RunningHub): Promise<HubStatus> {
  const { status, data } = await adminRequest<HubStatus>(hub, 'GET', '/status');
  if (status !== 200) throw new Error(`/api/status answered ${status}`);
  return data;
}

/** The companion extension's tools, as AI clients see them. */
export const BROWSER_TOOLS = ['browser__list_tabs', 'browser__open_url', 'browser__read_tab_text', 'browser__screenshot'];

export function hasBrowserTools(tools: Array<{ name: string }>): boolean {
  return BROWSER_TOOLS.every((name) => tools.some((t) => t.name === name));
}
