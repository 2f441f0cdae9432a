import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/base/atomic-file.js';

/**
 * "Start at login" on Linux desktops: an XDG autostart entry (freedesktop.org's Desktop
 * Application Autostart Specification: `$XDG_CONFIG_HOME/autostart/<name>.desktop`, a desktop
 * entry whose `Exec` runs at login; `Hidden=true` disables it). Electron's login item covers
 * macOS and Windows only.
 */
export const AUTOSTART_FILE = 'inlet.desktop';

export function autostartPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'autostart', AUTOSTART_FILE);
}

/** The desktop entry that starts `argv` at login (Exec quoted as the Desktop Entry spec asks). */
export function autostartEntry(argv: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Inlet',
    'Comment=The MCP hub the tools connect in to',
    `Exec=${argv.map(quoteExec).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function isAutostartOn(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return !/^\s*Hidden\s*=\s*true\s*$/m.test(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
}

/** Writes the entry for `argv`, or removes it (`argv` undefined). */
export async function setAutostart(path: string, argv: readonly string[] | undefined): Promise<void> {
  if (argv) await writeFileAtomic(path, autostartEntry(argv), 0o644);
  else await rm(path, { force: true });
}

/**
 * Desktop Entry "Exec" quoting: an argument with reserved characters goes in double quotes with
 * \ " ` $ backslash-escaped; the value is then a desktop-file string, whose own escaping doubles
 * every backslash again. `%` is doubled so no field code is expanded.
 */
function quoteExec(arg: string): string {
  const safe = /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
  return safe.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}
