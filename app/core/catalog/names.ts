import { createHash } from 'node:crypto';
import type { ProviderKind } from '../providers/provider.js';

/**
 * Names AI clients see for tools and prompts (docs/provider-protocol.md, Names AI clients see),
 * by the kind of provider:
 * - socket and builtin providers: `<provider>__<name>`, the same for the same pair across
 *   reconnects (namespacedName);
 * - registrants (MCP-Link's `remote` tool): the bare name, then `name2`, `name3` … while the
 *   name is taken, as MCP-Link does; a registrant that comes back gets its earlier name again
 *   when it is still free (NameBook).
 * Every name matches ^[a-zA-Z0-9_-]{1,64}$.
 */
export const MAX_NAME = 64;
export const VALID_EXPOSED_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const HASH_CHARS = 8;
const SAFE_PROVIDER = /^[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*$/;
const SAFE_NAME = /^[A-Za-z0-9_-]+$/;
/** Past this many numbered tries a registrant's name is refused (a flood, not a clash). */
const MAX_SUFFIX = 999;
/** Remembered registrant names (oldest forgotten first). */
const BOOK_SIZE = 10_000;

/**
 * `<provider>__<name>`, kept as is only when it can be read back unambiguously: the provider
 * part has no "__" and does not start or end with "_", every character is allowed and the whole
 * fits in 64. Anything else always gets a hash of the original pair as a suffix, so two
 * different pairs can only meet on a hash collision (which the catalog still refuses to route).
 */
export function namespacedName(provider: string, name: string): string {
  const plain = `${provider}__${name}`;
  if (SAFE_PROVIDER.test(provider) && SAFE_NAME.test(name) && plain.length <= MAX_NAME) return plain;
  const hash = createHash('sha256').update(provider).update('\0').update(name).digest('hex').slice(0, HASH_CHARS);
  const base = `${sanitize(provider)}__${sanitize(name)}`.slice(0, MAX_NAME - HASH_CHARS - 1);
  return `${base}_${hash}`;
}

/** The tool name as before issue 10 (socket providers' tools). */
export const exposedToolName = namespacedName;

/** A name made only of allowed characters. */
export function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
}

/**
 * A registrant's bare name as a base: sanitized, and, when too long to take a number up to 999,
 * shortened deterministically with a hash of the original.
 */
export function bareBase(name: string): string {
  const clean = sanitize(name);
  if (clean.length <= MAX_NAME - 3) return clean;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_CHARS);
  return `${clean.slice(0, MAX_NAME - 3 - HASH_CHARS - 1)}_${hash}`;
}

/**
 * The names handed out to providers, by kind. `taken` says whether a candidate is held by
 * something else right now. Namespaced names never move: a taken one is refused (undefined),
 * and the catalog logs it. Bare names move to the next free number instead.
 */
export class NameBook {
  private readonly remembered = new Map<string, string>();

  assign(kind: ProviderKind, provider: string, name: string, taken: (candidate: string) => boolean): string | undefined {
    if (kind !== 'registrant') {
      const exposed = namespacedName(provider, name);
      return taken(exposed) ? undefined : exposed;
    }
    const key = `${provider}\0${name}`;
    const earlier = this.remembered.get(key);
    if (earlier !== undefined && !taken(earlier)) return this.remember(key, earlier);
    const base = bareBase(name);
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const candidate = n === 1 ? base : `${base}${n}`;
      if (!taken(candidate)) return this.remember(key, candidate);
    }
    return undefined;
  }

  private remember(key: string, exposed: string): string {
    this.remembered.delete(key);
    this.remembered.set(key, exposed);
    if (this.remembered.size > BOOK_SIZE) this.remembered.delete(this.remembered.keys().next().value as string);
    return exposed;
  }
}
