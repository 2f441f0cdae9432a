import { createHash } from 'node:crypto';

/**
 * Names AI clients see (docs/provider-protocol.md, Names AI clients see): `<provider>__<tool>`, always matching
 * ^[a-zA-Z0-9_-]{1,64}$, the same for the same provider and tool across reconnects.
 *
 * A name is kept as is only when it can be read back unambiguously: the provider part has no
 * "__" and does not start or end with "_", every character is allowed and the whole fits in 64.
 * Anything else is "lossy" and always gets a hash of the original pair as a suffix, so two
 * different pairs can only meet on a hash collision (which the registry still refuses to route).
 */
export const MAX_NAME = 64;
const HASH_CHARS = 8;
const SAFE_PROVIDER = /^[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*$/;
const SAFE_TOOL = /^[A-Za-z0-9_-]+$/;

export function exposedToolName(provider: string, tool: string): string {
  const plain = `${provider}__${tool}`;
  if (SAFE_PROVIDER.test(provider) && SAFE_TOOL.test(tool) && plain.length <= MAX_NAME) return plain;
  const hash = createHash('sha256').update(provider).update('\0').update(tool).digest('hex').slice(0, HASH_CHARS);
  const base = `${sanitize(provider)}__${sanitize(tool)}`.slice(0, MAX_NAME - HASH_CHARS - 1);
  return `${base}_${hash}`;
}

/** A name made only of allowed characters (used for bare names, e.g. MCP-Link registrations). */
export function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
}

export const VALID_EXPOSED_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
