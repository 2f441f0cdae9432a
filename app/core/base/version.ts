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

/**
 * How to run this installation's `inlet` command from anywhere: this Node and the absolute path
 * of bin/inlet.js. Printed configs use it instead of `npx inlet`, which outside the checkout
 * would fetch an unrelated npm package of that name.
 */
export function inletCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [fileURLToPath(new URL('../../../../bin/inlet.js', import.meta.url))] };
}

/** The same as one shell-ready line (paths with spaces quoted). */
export function inletCommandLine(): string {
  const { command, args } = inletCommand();
  return commandLine(command, args);
}
