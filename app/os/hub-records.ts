import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { defaultDataDir, nonDefaultDataDir } from './data-dir.js';

/**
 * How the native host finds a hub that runs outside the default data dir (docs/discovery.md).
 * The browser starts the host with its own environment, so INLET_HOME or --data-dir of the shell
 * that started the hub never reaches it. Such a hub therefore records itself in a per-user
 * well-known place, the default data dir's `hubs/` folder: one file per data dir, naming it, its
 * control socket and the hub's pid. The host asks the default data dir's socket first, then the
 * recorded ones, newest first.
 *
 * The folder is inside the 0700 default data dir, so only this OS user (or root) adds to it; the
 * host still skips a record, or a socket, owned by anyone else, and a record whose hub is gone
 * (its pid no longer runs). A hub that crashed leaves its record behind until its data dir's
 * next hub overwrites it. On Windows the control socket is one named pipe per user, whatever the
 * data dir, so nothing is recorded there.
 *
 * Imported by the native host: node:* only.
 */
export const HUB_RECORDS_DIR = 'hubs';

export interface HubRecord {
  dataDir: string;
  controlSocket: string;
  pid: number;
  startedAt: string;
}

export interface RecordsPlace {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

export function hubRecordsDir(place: RecordsPlace = {}): string {
  return join(defaultDataDir(place.env ?? process.env, place.platform ?? process.platform), HUB_RECORDS_DIR);
}

/** The file that records the hub of one data dir (a hash: short, and no folder names in it). */
export function hubRecordPath(dataDir: string, place: RecordsPlace = {}): string {
  const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return join(hubRecordsDir(place), `${id}.json`);
}

/**
 * Records a running hub; resolves with the function that removes the record again (only while
 * it is still this process's). Nothing is recorded for the default data dir or on Windows.
 */
export async function recordHub(record: HubRecord, place: RecordsPlace = {}): Promise<() => Promise<void>> {
  const env = place.env ?? process.env;
  const platform = place.platform ?? process.platform;
  if (platform === 'win32' || nonDefaultDataDir(record.dataDir, env, platform) === undefined) return async () => undefined;
  const path = hubRecordPath(record.dataDir, place);
  await mkdir(defaultDataDir(env, platform), { recursive: true, mode: 0o700 });
  await mkdir(hubRecordsDir(place), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  await rename(temporary, path);
  return async () => {
    if (parseRecord(path)?.pid === record.pid) await rm(path, { force: true });
  };
}

/** The records of hubs that still run, newest first. Unreadable or foreign records are skipped. */
export function readHubRecords(place: RecordsPlace = {}): HubRecord[] {
  if ((place.platform ?? process.platform) === 'win32') return [];
  const dir = hubRecordsDir(place);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .map((name) => parseRecord(join(dir, name)))
    .filter((record): record is HubRecord => !!record && isRunning(record.pid) && ownedByMe(record.controlSocket))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

function parseRecord(path: string): HubRecord | undefined {
  if (!ownedByMe(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<HubRecord>;
    const { dataDir, controlSocket, pid, startedAt } = value;
    if (typeof dataDir !== 'string' || typeof controlSocket !== 'string' || !isAbsolute(controlSocket)) return undefined;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof startedAt !== 'string') return undefined;
    return { dataDir, controlSocket, pid, startedAt };
  } catch {
    return undefined;
  }
}

/** Is this a file of the current user? (No uid to compare with on Windows: yes.) */
function ownedByMe(path: string): boolean {
  try {
    const stats = lstatSync(path);
    return process.getuid === undefined || stats.uid === process.getuid();
  } catch {
    return false;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH: gone; EPERM: another user's process, not a hub of ours
  }
}
