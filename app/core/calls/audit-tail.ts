import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { checkSeal, sha256, TORN_PREFIX } from './audit-format.js';

/**
 * The end of an audit file, read backwards from its last byte: start-up needs only the last
 * whole line (for the chain) and whatever follows it, not the whole (up to max_file_bytes) log.
 */
export interface FileTail {
  /** The last non-empty line that ends in a newline. */
  lastLine?: string;
  /** Where the whole lines end: bytes from here on are a line a crash cut short. */
  wholeEnd: number;
  size: number;
}

const CHUNK = 64 * 1024;

export function readTail(path: string): FileTail | undefined {
  if (!existsSync(path)) return undefined;
  const fd = openSync(path, 'r');
  try {
    return tailOf(fd);
  } finally {
    closeSync(fd);
  }
}

function tailOf(fd: number): FileTail {
  const size = fstatSync(fd).size;
  const lastBreak = lastNewline(fd, size);
  let end = lastBreak;
  while (end > 0) {
    const start = lastNewline(fd, end) + 1;
    if (start < end) return { lastLine: readRange(fd, start, end).toString('utf8'), wholeEnd: lastBreak + 1, size };
    end = start - 1;
  }
  return { wholeEnd: lastBreak + 1, size };
}

/** The offset of the last "\n" before `end`, or -1. */
function lastNewline(fd: number, end: number): number {
  const buffer = Buffer.alloc(Math.min(CHUNK, Math.max(end, 1)));
  for (let pos = end; pos > 0; ) {
    const start = Math.max(0, pos - buffer.length);
    const read = readSync(fd, buffer, 0, pos - start, start);
    const at = buffer.subarray(0, read).lastIndexOf(0x0a);
    if (at !== -1) return start + at;
    pos = start;
  }
  return -1;
}

function readRange(fd: number, start: number, end: number): Buffer {
  const buffer = Buffer.alloc(end - start);
  let done = 0;
  while (done < buffer.length) {
    const read = readSync(fd, buffer, done, buffer.length - done, start + done);
    if (read === 0) break;
    done += read;
  }
  return buffer.subarray(0, done);
}

export interface TailRepair {
  /** The last whole line after the repair. */
  lastLine?: string;
  /** The fragment was moved here, and the log cut back to its last whole line. */
  setAside?: { path: string; bytes: number; digest: string };
  /** The last line was a whole record that had lost only its newline: the newline was added. */
  completed?: boolean;
}

/**
 * Makes the log end at a line boundary before anything is appended to it. Bytes after the last
 * newline are what a crash left of a line being written; they are copied to a side file (0600,
 * synced) and only then cut from the log, so a crash during the repair loses nothing (the next
 * start sets the same bytes aside again). A complete, sealed record that lacks only its newline
 * is kept: moving a record out of the chain would hide it.
 */
export function repairTail(path: string, dir: string): TailRepair {
  if (!existsSync(path)) return {};
  const fd = openSync(path, 'r+');
  try {
    const tail = tailOf(fd);
    if (tail.wholeEnd >= tail.size) return { lastLine: tail.lastLine };
    const fragment = readRange(fd, tail.wholeEnd, tail.size);
    const text = fragment.toString('utf8');
    if (checkSeal(text)) {
      writeSync(fd, '\n', tail.size);
      return { lastLine: text, completed: true };
    }
    const side = writeSideFile(dir, fragment);
    ftruncateSync(fd, tail.wholeEnd);
    fsyncSync(fd);
    return { lastLine: tail.lastLine, setAside: { path: side, bytes: fragment.length, digest: sha256(fragment) } };
  } finally {
    closeSync(fd);
  }
}

function writeSideFile(dir: string, bytes: Buffer): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let n = 1; ; n++) {
    const path = join(dir, `${TORN_PREFIX}${stamp}${n === 1 ? '' : `-${n}`}.txt`);
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return path;
  }
}
