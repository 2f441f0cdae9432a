import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema } from '../app/core/config/config.js';
import { loadOrCreateSecret, TokenService } from '../app/core/security/tokens.js';
import { secretFilePath } from '../app/os/data-dir.js';
import { FileSecretStore } from '../app/os/file-secret-store.js';
import { childEnv, INLET_BIN, removeOnExit, sleep, spawnNode, stopChild, type Child } from './procs.js';

export interface HubUrls {
  ws: string;
  mcp: string;
  healthz: string;
  api: string;
}

export interface RunningHub {
  home: string;
  pid: number;
  urls: HubUrls;
  child: Child;
  mint(clientId: string): string;
  stop(): Promise<void>;
}

export interface HubStartOptions {
  config?: Record<string, unknown>;
  /** Extra node flags for the hub process (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

/** Starts `inlet serve --port 0` in its own process with a fresh INLET_HOME. */
export async function startHub(label: string, options: HubStartOptions = {}): Promise<RunningHub> {
  const home = mkdtempSync(join(tmpdir(), `inlet-bench-${label}-`));
  removeOnExit(home);
  if (options.config) writeFileSync(join(home, 'config.json'), JSON.stringify(options.config));
  const child = spawnNode([...(options.nodeArgs ?? []), INLET_BIN, 'serve', '--port', '0'], {
    label: `hub (${label})`,
    env: childEnv({ INLET_HOME: home }),
  });
  const hubFile = join(home, 'hub.json');
  const deadline = Date.now() + 15_000;
  while (!existsSync(hubFile)) {
    if (child.proc.exitCode !== null) throw new Error(`the hub exited during start-up\n  ${child.tail()}`);
    if (Date.now() > deadline) throw new Error(`the hub did not write hub.json within 15 s\n  ${child.tail()}`);
    await sleep(20);
  }
  const file = JSON.parse(readFileSync(hubFile, 'utf8')) as { pid: number; urls: HubUrls };
  const tokens = new TokenService(await loadOrCreateSecret(new FileSecretStore(secretFilePath(home))), ConfigSchema.parse({}));
  return {
    home,
    pid: file.pid,
    urls: file.urls,
    child,
    mint: (clientId) => tokens.mint(clientId),
    stop: async () => {
      await stopChild(child.proc, 5_000);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
