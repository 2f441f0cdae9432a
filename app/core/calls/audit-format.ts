import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What `audit.jsonl` holds, line by line: one JSON object a line. Each line ends with `hash`,
 * the SHA-256 of the line's JSON before that field, and carries `prev`, the hash of the line
 * before it: changing a byte breaks that very line's hash, and removing or reordering lines
 * breaks the chain.
 */
export const GENESIS = '0'.repeat(64);
export const AUDIT_FILE = 'audit.jsonl';
/** Where start-up puts the bytes a crash left after the last whole line (`audit.torn-<time>.txt`). */
export const TORN_PREFIX = 'audit.torn-';

/** The fields every line about one call carries. */
export interface CallFields {
  caller: string;
  provider: string;
  tool: string;
  /** Ties a call's lines together: its `call-start`, its `decision` (if asked) and its `call`. */
  call_id?: string;
  /** SHA-256 of the canonical JSON of the arguments: what was asked, without storing it. */
  args_digest?: string;
  decision?: 'allow' | 'ask' | 'deny';
  decided_by?: string;
  duration_ms?: number;
  outcome?: string;
  [key: string]: unknown;
}

/**
 * - `call-start`: a call is about to wait for approval or go to its provider;
 * - `decision`: a person (or the timeout) decided an `ask`;
 * - `call`: how the call ended (the only line of a call the policy denies);
 * - `request`: how a provider's request to the calling AI client ended (sampling, elicitation,
 *   roots; `tool` is its method, `during` the tool whose call it belongs to);
 * - `torn-tail`: start-up set aside the fragment of a line a crash cut short.
 */
export type AuditEntry =
  | ({ time?: string; event: 'call' | 'call-start' | 'decision' | 'request' } & CallFields)
  | { time?: string; event: 'torn-tail'; file: string; bytes: number; digest: string };

export function sha256(text: string | Buffer): string {
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

/**
 * The hash the next line chains to: the line's own when it is intact; for a line changed after
 * it was written, the hash it records (so later lines do not vouch for the changed text); the
 * SHA-256 of the bytes when it records none.
 */
export function chainHash(line: string): string {
  return checkSeal(line) ?? SEAL.exec(line)?.[1] ?? sha256(line);
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

/** Rotated files, oldest first. */
export function rotatedFiles(dir: string): string[] {
  return listMatching(dir, /^audit\.(\d+)\.jsonl$/).sort((a, b) => Number(a[1]) - Number(b[1])).map((m) => join(dir, m[0]));
}

/** Side files holding torn fragments, oldest first (their names sort by time). */
export function tornFiles(dir: string): string[] {
  return listMatching(dir, /^audit\.torn-[0-9TZ-]+\.txt$/).map((m) => join(dir, m[0])).sort();
}

function listMatching(dir: string, pattern: RegExp): RegExpExecArray[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => pattern.exec(name))
    .filter((m): m is RegExpExecArray => m !== null);
}
