import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scratchHomeEnv } from './hub-process.js';
import { startRichHub, type RichHub } from './rich-hub.js';

/**
 * The real AI clients of test/real-clients (Claude Code, Codex): large native programs from npm
 * that `npm run test:clients` (scripts/test-real-clients.mjs) installs into a cache folder and
 * names here through INLET_REAL_CLIENTS (that folder's node_modules/.bin).
 */
export interface RealClient {
  path: string;
  /** What `<client> --version` printed: proof that it runs here, and the version under test. */
  version: string;
}

const LABELS = { claude: 'Claude Code', codex: 'Codex' } as const;

/** The client, or why it cannot run here (a skip reason; scripts/run-tests.mjs fails a CI run on any skip). */
export function realClient(name: keyof typeof LABELS): RealClient | { missing: string } {
  const bin = process.env.INLET_REAL_CLIENTS;
  const hint = 'run `npm run test:clients`, which installs it from npm';
  if (!bin) return { missing: `${LABELS[name]} is not installed for the tests (INLET_REAL_CLIENTS is unset): ${hint}.` };
  const path = join(bin, name);
  if (!existsSync(path)) return { missing: `${LABELS[name]} is not in ${bin}: ${hint}.` };
  try {
    // Synchronous at load time, before any hub or provider runs in this process.
    const version = execFileSync(path, ['--version'], { env: offlineEnv(scratchHomeEnv()), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    return { path, version };
  } catch (error) {
    return { missing: `${LABELS[name]} (${path}) does not run here: ${(error as Error).message.split('\n')[0]}.` };
  }
}

/** A loopback port nothing listens on: connections to it are refused at once. */
export async function refusingPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The environment a real client runs in: a scratch HOME, and nothing reaching the internet. Its
 * HTTP(S) proxies and Claude Code's model API are a loopback port that refuses (`refused`), only
 * loopback goes direct (the hub), and the clients' own switches for update checks, telemetry and
 * error reports are off.
 */
export function offlineEnv(home: Record<string, string>, refused = 9, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const nowhere = `http://127.0.0.1:${refused}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...home,
    HTTP_PROXY: nowhere,
    HTTPS_PROXY: nowhere,
    http_proxy: nowhere,
    https_proxy: nowhere,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    ANTHROPIC_BASE_URL: nowhere,
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    ...extra,
  };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** A fresh scratch HOME (with its XDG dirs) below `dir`. */
export async function scratchHome(dir: string): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  return scratchHomeEnv(dir);
}

/** What a real client's tests run against: a hub with the rich provider, a scratch folder, a refusing port. */
export interface ClientRig extends RichHub {
  scratch: string;
  refused: number;
}

export async function startClientRig(name: string): Promise<ClientRig> {
  const rich = await startRichHub();
  return { ...rich, scratch: await mkdtemp(join(tmpdir(), `inlet-${name}-`)), refused: await refusingPort() };
}
