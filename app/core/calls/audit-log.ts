import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `audit.jsonl`: every call and every decision, one JSON object a line. Each line ends with
 * `hash`, the SHA-256 of the line's JSON before that field, and carries `prev`, the hash of the
 * line before it: changing a byte breaks that very line's hash, and removing or reordering lines
 * breaks the chain. Lines are written with one write(2) each on an O_APPEND descriptor, so a process
 * killed mid-burst leaves whole lines. Rotation renames the file to `audit.N.jsonl` (N counting
 * up) and the next file's first line chains to the last line of the rotated one.
 */
export const GENESIS = '0'.repeat(64);
export const AUDIT_FILE = 'audit.jsonl';

export interface AuditEntry {
  time?: string;
  event: 'call' | 'decision';
  caller: string;
  provider: string;
  tool: string;
  /** SHA-256 of the canonical JSON of the arguments: what was asked, without storing it. */
  args_digest?: string;
  decision?: 'allow' | 'ask' | 'deny';
  decided_by?: string;
  duration_ms?: number;
  outcome?: string;
  [key: string]: unknown;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const SEAL = /,"hash":"([0-9a-f]{64})"\}$/;

/** Appends `hash` (of the JSON so far) as the last field. */
export function sealLine(entry: Record<string, unknown>): { line: string; hash: string } {
  const body = JSON.stringify(entry);
  const hash = sha256(body);
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}`, hash };
}

/** The line's own hash if the line is intact, else null. */
export function checkSeal(line: string): string | null {
  const match = SEAL.exec(line);
  if (!match) return null;
  const body = line.slice(0, match.index) + '}';
  return sha256(body) === match[1] ? match[1]! : null;
}

export function digestArguments(args: unknown): string {
  return createHash('sha256').update(canonicalJson(args ?? {})).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class AuditLog {
  private fd: number | undefined;
  private prev = GENESIS;
  private size = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes = 10 * 1024 * 1024,
  ) {}

  /** Opens the log, picking up the chain where the last (whole) line left it. */
  open(): void {
    const path = join(this.dir, AUDIT_FILE);
    this.prev = lastHash(path) ?? lastHash(rotatedFiles(this.dir).at(-1)) ?? GENESIS;
    this.fd = openSync(path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  append(entry: AuditEntry): void {
    if (this.fd === undefined) this.open();
    const { line, hash } = sealLine({ time: new Date().toISOString(), ...entry, prev: this.prev });
    const bytes = Buffer.from(line + '\n');
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate();
    writeSync(this.fd!, bytes);
    this.size += bytes.length;
    this.prev = hash;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private rotate(): void {
    this.close();
    const next = rotatedFiles(this.dir).length + 1;
    renameSync(join(this.dir, AUDIT_FILE), join(this.dir, `audit.${next}.jsonl`));
    this.fd = openSync(join(this.dir, AUDIT_FILE), 'a', 0o600);
    this.size = 0;
  }
}

/** Rotated files, oldest first. */
export function rotatedFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => /^audit\.(\d+)\.jsonl$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => join(dir, m[0]));
}

function lastHash(path: string | undefined): string | undefined {
  if (!path || !existsSync(path)) return undefined;
  const lines = tail(path).split('\n');
  // A line without its newline was cut by a crash: the chain continues from the last whole one.
  const whole = lines.slice(0, -1).filter((l) => l !== '');
  const last = whole.at(-1);
  return last === undefined ? undefined : (checkSeal(last) ?? sha256(last));
}

/**
 * The end of a file, enough to hold its last whole lines: start-up needs only the last line's
 * hash, not the whole (up to max_file_bytes) log. Falls back to the whole file when the tail
 * holds no complete line.
 */
function tail(path: string, bytes = 256 * 1024): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= bytes) return readFileSync(fd, 'utf8');
    const buffer = Buffer.alloc(bytes);
    readSync(fd, buffer, 0, bytes, size - bytes);
    const text = buffer.toString('utf8');
    const firstBreak = text.indexOf('\n');
    // Drop the first, probably partial, line; two line breaks mean a whole line is in the window.
    if (firstBreak !== -1 && text.indexOf('\n', firstBreak + 1) !== -1) return text.slice(firstBreak + 1);
    return readFileSync(path, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export interface VerifyResult {
  ok: boolean;
  lines: number;
  files: string[];
  /** The first broken line: file, 1-based line number in that file, and why. */
  broken?: { file: string; line: number; reason: string };
}

/** Walks every file oldest to newest and checks each line's `prev`. */
export function verifyAudit(dir: string): VerifyResult {
  const files = [...rotatedFiles(dir), join(dir, AUDIT_FILE)].filter((f) => existsSync(f));
  let prev: string | undefined;
  let count = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const trailing = lines.pop();
    if (trailing) return { ok: false, lines: count, files, broken: { file, line: lines.length + 1, reason: 'the last line is incomplete' } };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      let entry: { prev?: unknown };
      try {
        entry = JSON.parse(line) as { prev?: unknown };
      } catch {
        return { ok: false, lines: count, files, broken: { file, line: i + 1, reason: 'not valid JSON' } };
      }
      const own = checkSeal(line);
      if (!own) return { ok: false, lines: count, files, broken: { file, line: i + 1, reason: 'its content does not match its hash' } };
      // The oldest kept file anchors the chain (older files may have been deleted).
      if (prev !== undefined && entry.prev !== prev) {
        return { ok: false, lines: count, files, broken: { file, line: i + 1, reason: 'its prev hash does not match the line before it' } };
      }
      if (prev === undefined && typeof entry.prev !== 'string') {
        return { ok: false, lines: count, files, broken: { file, line: i + 1, reason: 'it has no prev hash' } };
      }
      prev = own;
      count++;
    }
  }
  return { ok: true, lines: count, files };
}
