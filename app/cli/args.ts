import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HubError } from '../core/base/errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** parseArgs with errors turned into one clear sentence (exit code 2). */
export function parse<T extends Options>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true });
  } catch (error) {
    throw new HubError('USAGE', (error as Error).message.replace(/\. To specify.*$/, '') + '.');
  }
}

export function parsePort(value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HubError('USAGE', `--port must be a number from 0 to 65535, not "${value}".`);
  return port;
}
