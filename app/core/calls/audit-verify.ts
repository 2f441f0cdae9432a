import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AUDIT_FILE, checkSeal, rotatedFiles, sha256, tornFiles } from './audit-format.js';
import { PERMISSIONS_PROVIDER } from '../../shared/admin-types.js';

/** A call with a `call-start` line and no line saying how it ended. */
export interface UnfinishedCall {
  time: string;
  call_id: string;
  caller: string;
  provider: string;
  tool: string;
  /** `allow`; `ask` while it waited for approval, then the person's `allow` or `deny`. */
  decision?: string;
}

export interface VerifyResult {
  ok: boolean;
  lines: number;
  files: string[];
  /** The first broken line: file, 1-based line number in that file, and why. */
  broken?: { file: string; line: number; reason: string };
  /**
   * Fragments a crash cut short, which a hub start moved out of the log (not part of the chain).
   * `recorded`: a `torn-tail` line in the chain names this file with this content's digest.
   */
  setAside: Array<{ file: string; bytes: number; recorded: boolean }>;
  /** Calls that started and never finished: the hub stopped while they ran (or they run now). */
  unfinished: UnfinishedCall[];
}

interface Line {
  prev?: unknown;
  event?: unknown;
  time?: unknown;
  call_id?: unknown;
  caller?: unknown;
  provider?: unknown;
  tool?: unknown;
  decision?: unknown;
  file?: unknown;
  digest?: unknown;
}

/**
 * Walks every file oldest to newest: each line's own hash and its `prev`. On the way it pairs
 * each `call-start` with the line that ends the call (`call`; for a Claude Code permission prompt,
 * its `decision`) and collects the side files' digests that `torn-tail` lines record.
 */
export function verifyAudit(dir: string): VerifyResult {
  const files = [...rotatedFiles(dir), join(dir, AUDIT_FILE)].filter((f) => existsSync(f));
  const started = new Map<string, UnfinishedCall>();
  const recorded = new Map<string, string>();
  let prev: string | undefined;
  let count = 0;
  const result = (broken?: VerifyResult['broken']): VerifyResult => ({
    ok: !broken,
    lines: count,
    files,
    ...(broken ? { broken } : {}),
    setAside: tornFiles(dir).map((file) => {
      const bytes = readFileSync(file);
      return { file, bytes: bytes.length, recorded: recorded.get(basename(file)) === sha256(bytes) };
    }),
    unfinished: [...started.values()],
  });
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    if (lines.pop()) {
      const hint = basename(file) === AUDIT_FILE ? ' (a crash cut it short; the next hub start sets it aside)' : '';
      return result({ file, line: lines.length + 1, reason: `the last line is incomplete${hint}` });
    }
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      let entry: Line;
      try {
        entry = JSON.parse(line) as Line;
      } catch {
        return result({ file, line: i + 1, reason: 'not valid JSON' });
      }
      const own = checkSeal(line);
      if (!own) return result({ file, line: i + 1, reason: 'its content does not match its hash' });
      // The oldest kept file anchors the chain (older files may have been deleted).
      if (prev !== undefined && entry.prev !== prev) return result({ file, line: i + 1, reason: 'its prev hash does not match the line before it' });
      if (prev === undefined && typeof entry.prev !== 'string') return result({ file, line: i + 1, reason: 'it has no prev hash' });
      prev = own;
      count++;
      track(entry, started, recorded);
    }
  }
  return result();
}

function track(entry: Line, started: Map<string, UnfinishedCall>, recorded: Map<string, string>): void {
  if (entry.event === 'torn-tail' && typeof entry.file === 'string') recorded.set(entry.file, String(entry.digest));
  if (typeof entry.call_id !== 'string') return;
  if (entry.event === 'call-start') {
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    started.set(entry.call_id, {
      time: text(entry.time),
      call_id: entry.call_id,
      caller: text(entry.caller),
      provider: text(entry.provider),
      tool: text(entry.tool),
      ...(typeof entry.decision === 'string' ? { decision: entry.decision } : {}),
    });
  } else if (entry.event === 'call' || (entry.event === 'decision' && entry.provider === PERMISSIONS_PROVIDER)) {
    started.delete(entry.call_id);
  } else if (entry.event === 'decision' && typeof entry.decision === 'string') {
    const call = started.get(entry.call_id);
    if (call) call.decision = entry.decision;
  }
}
