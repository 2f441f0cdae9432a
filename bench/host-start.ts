import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { COMPANION_EXTENSION_ID } from '../app/os/companion-extension.js';
import { startInProcessHub } from './inproc-hub.js';
import { childEnv, removeOnExit, ROOT } from './procs.js';
import { ms, summarize, type LoadResult } from './stats.js';

/**
 * Native host start to first frame (issue 4; target: p50 under 100 ms). The host is spawned as
 * Chrome spawns it (`node dist/native-host/main.js chrome-extension://ID/`, NODE_EXTRA_CA_CERTS
 * unset) against a data dir whose hub (in this process) answers on the control socket; each
 * sample is spawn() → the first whole frame on its stdout. The floor is `node -e 0`, spawn() →
 * exit, timed in the same rounds. Also: the HUB_NOT_RUNNING path (a data dir with no hub), the
 * host through its launcher script (what the installed manifest names) and, when this shell sets
 * it, the host with NODE_EXTRA_CA_CERTS as set here (what a browser started from such an
 * environment would pass on), directly and through the launcher (which unsets it and
 * NODE_OPTIONS). The kinds are interleaved, run by run.
 *
 * The packaged app runs the host as one bundled file (dist/native-host/inlet-native-host.mjs)
 * through the same launcher, which there execs the app's own binary as Node: `bundle` is that
 * file started directly, `packaged` the launcher in a packaged app's layout, with this node
 * standing in for the app's binary (Electron cannot run here). The launcher's own cost is the
 * ratio `launcher`/`host` and `packaged`/`bundle` (target: at most 1.10).
 */
export interface HostStartPlan {
  warmup: number;
  runs: number;
}

export type HostKind = 'floor' | 'host' | 'notRunning' | 'launcher' | 'bundle' | 'packaged' | 'withCaCerts' | 'launcherWithCaCerts';

export const HOST_LABELS: Record<HostKind, string> = {
  floor: 'node -e 0, spawn -> exit (the floor)',
  host: 'native host, spawn -> discovery frame',
  notRunning: 'native host, no hub: spawn -> HUB_NOT_RUNNING frame',
  launcher: 'through build/native-host/inlet-native-host.sh',
  bundle: 'the bundled host (inlet-native-host.mjs), spawn -> discovery frame',
  packaged: 'through the launcher in a packaged layout (node as the app binary)',
  withCaCerts: 'native host with NODE_EXTRA_CA_CERTS as set here',
  launcherWithCaCerts: 'through the launcher with NODE_EXTRA_CA_CERTS as set here (it unsets it)',
};

export interface HostStartResults {
  runs: number;
  byKind: Partial<Record<HostKind, LoadResult>>;
  /** host p50 over floor p50. */
  ratio: number;
}

const HOST = join(ROOT, 'dist', 'native-host', 'main.js');
/** What the installed manifest names: the launcher script (sh, then node). */
const LAUNCHER = join(ROOT, 'build', 'native-host', 'inlet-native-host.sh');
const BUNDLE = join(ROOT, 'dist', 'native-host', 'inlet-native-host.mjs');

/**
 * A packaged app's native-host files (electron-builder.yml's extraResources) in `dir`, with
 * `runtime` linked in as the app's binary; returns the launcher a manifest would name.
 */
export function stagePackagedHost(dir: string, runtime: string): string {
  const hostDir = join(dir, 'resources', 'native-host');
  mkdirSync(hostDir, { recursive: true });
  symlinkSync(runtime, join(dir, 'inlet-app'));
  const launcher = join(hostDir, 'inlet-native-host.sh');
  copyFileSync(LAUNCHER, launcher);
  chmodSync(launcher, 0o755);
  copyFileSync(BUNDLE, join(hostDir, 'inlet-native-host.mjs'));
  return launcher;
}
const CHROME_ARGV = `chrome-extension://${COMPANION_EXTENSION_ID}/`;

/** ms from spawn() to the first whole frame on stdout (or, with `expect` undefined, to its exit). */
function timeOne(command: string, args: string[], env: Record<string, string>, expect: { type: string; code?: string } | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = Buffer.alloc(0);
    let elapsed: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = Buffer.concat([stdout, chunk]);
      if (elapsed !== undefined || !expect || stdout.length < 4 || stdout.length < 4 + stdout.readUInt32LE(0)) return;
      elapsed = performance.now() - t0;
      child.stdin.end(); // EOF: the host exits, as when the browser closes the port
      const frame = JSON.parse(stdout.subarray(4, 4 + stdout.readUInt32LE(0)).toString('utf8')) as { type?: string; code?: string };
      if (frame.type !== expect.type || (expect.code && frame.code !== expect.code)) {
        reject(new Error(`the native host's first frame was ${JSON.stringify(frame)}, not ${expect.code ?? expect.type}`));
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!expect) return code === 0 ? resolve(performance.now() - t0) : reject(new Error(`node -e 0 exited with ${code}`));
      if (elapsed === undefined) reject(new Error(`the native host exited (${code}) without writing a frame`));
      else resolve(elapsed);
    });
  });
}

export async function runHostStart(plan: HostStartPlan, say: (line: string) => void): Promise<HostStartResults> {
  const ip = await startInProcessHub({ config: {}, controlSocket: true, provider: false });
  const noHub = mkdtempSync(join(tmpdir(), 'inlet-bench-nohub-'));
  removeOnExit(noHub);
  const app = mkdtempSync(join(tmpdir(), 'inlet-bench-app-'));
  removeOnExit(app);
  const packaged = stagePackagedHost(app, process.execPath);
  try {
    const base = childEnv();
    delete base.INLET_APP_PATH; // with no hub, the host would start the tray app
    delete base.INLET_HOST_DEBUG;
    const env: Record<string, string> = { ...base, INLET_HOME: ip.dataDir };
    const caCerts = process.env.NODE_EXTRA_CA_CERTS;
    const node = process.execPath;
    const discovery = { type: 'inlet.discovery' };
    const kinds: Array<[HostKind, () => Promise<number>]> = [
      ['floor', () => timeOne(node, ['-e', '0'], base, undefined)],
      ['host', () => timeOne(node, [HOST, CHROME_ARGV], env, discovery)],
      ['notRunning', () => timeOne(node, [HOST, CHROME_ARGV], { ...base, INLET_HOME: noHub }, { type: 'inlet.error', code: 'HUB_NOT_RUNNING' })],
      // The launcher finds node on PATH: put this node first, so it runs the same binary.
      ['launcher', () => timeOne(LAUNCHER, [CHROME_ARGV], { ...env, PATH: `${dirname(node)}:${env.PATH ?? ''}` }, discovery)],
      ['bundle', () => timeOne(node, [BUNDLE, CHROME_ARGV], env, discovery)],
      ['packaged', () => timeOne(packaged, [CHROME_ARGV], env, discovery)],
    ];
    if (caCerts) {
      kinds.push(['withCaCerts', () => timeOne(node, [HOST, CHROME_ARGV], { ...env, NODE_EXTRA_CA_CERTS: caCerts }, discovery)]);
      kinds.push(['launcherWithCaCerts', () => timeOne(LAUNCHER, [CHROME_ARGV], { ...env, PATH: `${dirname(node)}:${env.PATH ?? ''}`, NODE_EXTRA_CA_CERTS: caCerts }, discovery)]);
    }
    const samples = new Map<HostKind, number[]>(kinds.map(([kind]) => [kind, []]));
    say(`native host start: ${plan.warmup} warm-up + ${plan.runs} runs of ${kinds.map(([k]) => k).join(', ')}`);
    for (let run = 0; run < plan.warmup + plan.runs; run++) {
      // Rotate the order each run, so no kind always follows the same one.
      for (let i = 0; i < kinds.length; i++) {
        const [kind, time] = kinds[(run + i) % kinds.length]!;
        const elapsed = await time();
        if (run >= plan.warmup) samples.get(kind)!.push(elapsed);
      }
    }
    const byKind: Partial<Record<HostKind, LoadResult>> = {};
    for (const [kind, values] of samples) byKind[kind] = summarize(values, 0);
    const ratio = byKind.host!.p50 / byKind.floor!.p50;
    say(`native host start: p50 ${ms(byKind.host!.p50, 1)} ms, floor ${ms(byKind.floor!.p50, 1)} ms (${ratio.toFixed(2)}x)`);
    return { runs: plan.runs, byKind, ratio };
  } finally {
    await ip.stop();
    rmSync(noHub, { recursive: true, force: true });
    rmSync(app, { recursive: true, force: true });
  }
}

export function hostStartRows(r: HostStartResults): string[][] {
  const rows = [[`native host start (${r.runs} runs each)`, 'p50 ms', 'p99 ms', 'ratio to floor (p50)']];
  for (const [kind, l] of Object.entries(r.byKind) as Array<[HostKind, LoadResult]>) {
    rows.push([HOST_LABELS[kind], ms(l.p50, 1), ms(l.p99, 1), (l.p50 / r.byKind.floor!.p50).toFixed(2)]);
  }
  return rows;
}
