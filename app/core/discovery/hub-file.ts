import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../base/atomic-file.js';
import { HubError } from '../base/errors.js';

/**
 * `hub.json`: how local programs find a running hub (docs/discovery.md). Mode 0600, no secrets;
 * written atomically when the hub is listening, removed when it stops.
 */
export const HubFileSchema = z.object({
  pid: z.number().int(),
  version: z.string(),
  startedAt: z.string(),
  urls: z.object({
    ws: z.string(),
    mcp: z.string(),
    healthz: z.string(),
    api: z.string(),
  }).catchall(z.string()),
});
export type HubFile = z.infer<typeof HubFileSchema>;

export const HUB_FILE = 'hub.json';
export const CONFIG_FILE = 'config.json';

export function hubFilePath(dataDir: string): string {
  return join(dataDir, HUB_FILE);
}

export async function writeHubFile(dataDir: string, hub: HubFile): Promise<void> {
  await writeFileAtomic(hubFilePath(dataDir), JSON.stringify(hub, null, 2) + '\n', 0o600);
}

export async function removeHubFile(dataDir: string, pid: number): Promise<void> {
  // Only remove our own file: a second hub may have replaced it.
  const current = await readHubFile(dataDir).catch(() => null);
  if (!current || current.pid === pid) await rm(hubFilePath(dataDir), { force: true });
}

/** The hub file, or null when none exists. A damaged file is an error naming the file. */
export async function readHubFile(dataDir: string): Promise<HubFile | null> {
  let text: string;
  try {
    text = await readFile(hubFilePath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return HubFileSchema.parse(JSON.parse(text));
  } catch {
    throw new HubError('HUB_NOT_RUNNING', `The hub file ${hubFilePath(dataDir)} is damaged; remove it and start the hub again.`);
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads hub.json and checks that its hub answers /healthz. Throws HUB_NOT_RUNNING otherwise. */
export async function findRunningHub(dataDir: string, timeoutMs = 2_000): Promise<HubFile> {
  const hub = await readHubFile(dataDir);
  if (!hub || !isProcessAlive(hub.pid)) {
    throw new HubError('HUB_NOT_RUNNING', `No hub is running for the data dir ${dataDir} (start one with \`inlet serve\`).`);
  }
  try {
    const response = await fetch(hub.urls.healthz, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`status ${response.status}`);
  } catch (error) {
    throw new HubError('HUB_NOT_RUNNING', `The hub in ${hubFilePath(dataDir)} (pid ${hub.pid}) does not answer at ${hub.urls.healthz} (${(error as Error).message}).`);
  }
  return hub;
}

/** Throws when another live hub already serves `dataDir` (its hub.json names a live pid that answers). */
export async function refuseSecondHub(dataDir: string): Promise<void> {
  try {
    const other = await findRunningHub(dataDir, 1_000);
    if (other.pid !== process.pid) {
      throw new HubError('LISTEN_FAILED', `Another hub is already running for ${dataDir} (pid ${other.pid}, ${other.urls.mcp}).`);
    }
  } catch (error) {
    if (error instanceof HubError && error.code === 'HUB_NOT_RUNNING') return;
    throw error;
  }
}
