import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandLine } from '../../shared/command-line.js';

/** The package version, read once from package.json (four levels above dist/app/core/base). */
export const VERSION: string = (() => {
  for (const candidate of ['../../../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'inlet' && pkg.version) return pkg.version;
    } catch {
      /* try the next location */
    }
  }
  return '0.0.0';
})();

export interface InletCommand {
  command: string;
  args: string[];
}

/**
 * How to run this installation's `inlet` command from anywhere: this Node and the absolute path
 * of bin/inlet.js. Printed configs use it instead of `npx inlet`, which outside the checkout
 * would fetch an unrelated npm package of that name. With `dataDir` (a hub outside the default
 * data dir), `--data-dir DIR` follows, before the subcommand, so that every command built on
 * it (`… stdio`, `… token create`, `… bridge`) reaches that hub.
 */
export function inletCommand(dataDir?: string): InletCommand {
  const bin = fileURLToPath(new URL('../../../../bin/inlet.js', import.meta.url));
  return { command: process.execPath, args: dataDir ? [bin, '--data-dir', dataDir] : [bin] };
}

/** The same as one shell-ready line (paths with spaces quoted). */
export function inletCommandLine(dataDir?: string): string {
  const { command, args } = inletCommand(dataDir);
  return commandLine(command, args);
}
