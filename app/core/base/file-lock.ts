import { open, readFile, rm, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { HubError } from './errors.js';

/** A lock older than this was left by a program that hung or whose pid was reused: it is taken over. */
const STALE_MS = 30_000;
/** A takeover of a stale lock takes a few file operations; one older than this was interrupted. */
const TAKEOVER_STALE_MS = 5_000;
/** How long an edit waits for another one before it gives up with a clear error. */
const WAIT_MS = 10_000;

export interface LockOptions {
  /** Told once, when the lock is held by another live process and this one starts waiting. */
  onWait?: (holderPid: number) => void;
  waitMs?: number;
}

/**
 * Runs `task` while holding `lockPath`, a file created exclusively and holding this process's
 * pid, so that programs editing the same file (two `inlet policy` commands with no hub running,
 * or one and the hub) take turns instead of writing over each other's edit. A lock whose process
 * is gone, or older than 30 s, is taken over; waiting for a live one ends after `waitMs` with an
 * error naming that process. The lock is removed when `task` ends, whatever the outcome.
 */
export async function withFileLock<T>(lockPath: string, task: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.waitMs ?? WAIT_MS);
  let told = false;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    const acquired = await tryCreate(lockPath);
    if (acquired) break;
    const holder = await holderOf(lockPath);
    if (holder === undefined) {
      // Released meanwhile, or stale (taken over by this or another waiter): try again shortly.
      await delay(pause);
      continue;
    }
    if (Date.now() > deadline) {
      const who = holder > 0 ? `Another program (process ${holder})` : 'Another program';
      throw new HubError('CONFIG_LOCKED', `${who} has been editing ${lockPath.replace(/\.lock$/, '')} for ${Math.round((options.waitMs ?? WAIT_MS) / 1000)} s; try again, or remove ${lockPath} if no such process runs.`);
    }
    if (!told && holder > 0) {
      told = true;
      options.onWait?.(holder);
    }
    await delay(pause);
  }
  try {
    return await task();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function tryCreate(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx', 0o600);
    try {
      await handle.writeFile(String(process.pid));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The live process holding the lock, or undefined once a stale lock was removed (or it is gone). */
async function holderOf(lockPath: string): Promise<number | undefined> {
  let held: string;
  let pid: number;
  let age: number;
  try {
    held = (await readFile(lockPath, 'utf8')).trim();
    pid = Number(held);
    age = Date.now() - (await stat(lockPath)).mtimeMs;
  } catch {
    return undefined;
  }
  // An empty file is a lock being written right now (created, pid not yet in it): wait for it.
  if (pid === 0 && age < STALE_MS) return -1;
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid) || age > STALE_MS) {
    await removeStale(lockPath, held);
    return undefined;
  }
  return pid;
}

/**
 * Removes a stale lock, one waiter at a time: two waiters that both found it stale must not
 * both remove it, or the second would remove the lock the first has just taken. The takeover
 * has its own lock; its holder removes the stale one only if it still holds the same pid,
 * and a takeover lock left by a crash in the middle of one is cleared after a few seconds.
 */
async function removeStale(lockPath: string, stale: string): Promise<void> {
  const guard = `${lockPath}.takeover`;
  if (!(await tryCreate(guard))) {
    const age = await stat(guard).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > TAKEOVER_STALE_MS) await rm(guard, { force: true });
    return;
  }
  try {
    const now = await readFile(lockPath, 'utf8').then((text) => text.trim(), () => undefined);
    if (now === stale) await rm(lockPath, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
