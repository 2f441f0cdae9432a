import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine } from '../../shared/command-line.js';
import { cliLauncher, installLayout } from './install-layout.js';

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

/** What a program spawns to run `inlet` (a client config's command, args and env). */
export interface InletCommand {
  command: string;
  args: string[];
  /** Set when the command is the tray app's own binary, which runs the CLI only as Node. */
  env?: Record<string, string>;
}

/**
 * How to run this installation's `inlet` command from anywhere: this Node and the absolute path
 * of bin/inlet.js. Printed configs use it instead of `npx inlet`, which outside the checkout
 * would fetch an unrelated npm package of that name. With `dataDir` (a hub outside the default
 * data dir), `--data-dir DIR` follows, before the subcommand, so that every command built on
 * it (`… stdio`, `… token create`, `… bridge`) reaches that hub. Inside Electron (the tray app's
 * hub process, or its binary already run as Node) `process.execPath` is the app itself, which
 * starts a second tray app unless ELECTRON_RUN_AS_NODE=1 is set: the entry says so.
 */
export function inletCommand(dataDir?: string): InletCommand {
  const bin = join(installLayout().root, 'bin', 'inlet.js');
  const args = dataDir ? [bin, '--data-dir', dataDir] : [bin];
  if (process.versions.electron) return { command: process.execPath, args, env: { ELECTRON_RUN_AS_NODE: '1' } };
  return { command: process.execPath, args };
}

/**
 * What a person types in a shell to run `inlet` as `inlet` describes (paths with spaces quoted):
 * in a packaged app the `inlet` launcher in its resources, which sets what the binary needs;
 * from a checkout run under Electron, the checkout's Node.
 */
export function inletShellLine(inlet: InletCommand): string {
  const launcher = cliLauncher(installLayout());
  // args[0] is bin/inlet.js; what follows (--data-dir DIR) goes to the launcher as it is.
  if (launcher) return commandLine(launcher, inlet.args.slice(1));
  return commandLine(inlet.env ? 'node' : inlet.command, inlet.args);
}

/** The same as one shell-ready line. */
export function inletCommandLine(dataDir?: string): string {
  return inletShellLine(inletCommand(dataDir));
}
