import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AUDIT_FILE, chainHash, checkSeal, GENESIS, rotatedFiles, sealLine, type AuditEntry } from './audit-format.js';
import { readTail, repairTail } from './audit-tail.js';
import type { Logger } from '../base/log.js';

export * from './audit-format.js';
export { verifyAudit, type UnfinishedCall, type VerifyResult } from './audit-verify.js';

/**
 * `audit.jsonl`: every call and every decision, one sealed, chained line each (audit-format.ts).
 * Lines are written with one write(2) each on an O_APPEND descriptor, so a process killed
 * mid-burst leaves whole lines, or at worst one line cut short: `open()` sets such a fragment
 * aside before writing. Rotation renames the file to `audit.N.jsonl` (N counting up) and the
 * next file's first line chains to the last line of the rotated one.
 */
export class AuditLog {
  private fd: number | undefined;
  private prev = GENESIS;
  private size = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes = 10 * 1024 * 1024,
    private readonly log?: Logger,
  ) {}

  /**
   * Opens the log, picking up the chain where the last whole line left it. A fragment after
   * that line (a crash cut it short) goes to `audit.torn-<time>.txt`, and a `torn-tail` line
   * records where it went and its digest. A whole last line that fails its own hash stays
   * where it is (moving it would hide what changed it) and is reported.
   */
  open(): void {
    const path = join(this.dir, AUDIT_FILE);
    const repair = repairTail(path, this.dir);
    const rotated = rotatedFiles(this.dir).at(-1);
    const last = repair.lastLine ?? (rotated === undefined ? undefined : readTail(rotated)?.lastLine);
    this.prev = last === undefined ? GENESIS : chainHash(last);
    this.fd = openSync(path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
    if (repair.setAside) {
      const { path: file, bytes, digest } = repair.setAside;
      this.log?.warn(`${AUDIT_FILE} ended in a line a crash cut short: its ${bytes} byte(s) were moved aside, and the log goes on from its last whole line`, { file });
      this.append({ event: 'torn-tail', file: basename(file), bytes, digest });
    } else if (repair.completed) {
      this.log?.warn(`the last line of ${AUDIT_FILE} had lost its line break (a crash); it was added back`);
    }
    if (repair.lastLine !== undefined && !checkSeal(repair.lastLine)) {
      this.log?.warn(`the last line of ${AUDIT_FILE} does not match its own hash: it was changed after it was written, or the disk lost part of it; it stays in place and \`inlet audit verify\` names it`);
    }
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
