import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The data dir (docs/config.md): --data-dir, else INLET_HOME, else the per-OS app config dir.
 * Every command resolves it through this one function.
 */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (flag) return resolve(flag);
  if (env.INLET_HOME) return resolve(env.INLET_HOME);
  return defaultDataDir(env, platform);
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Inlet');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Inlet');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'inlet');
}

/**
 * The data dir as commands must name it to reach this installation from anywhere: undefined
 * for the default dir (every command finds it by itself), else the absolute path. INLET_HOME
 * does not count as "finding it by itself": an AI client or a browser starts commands without
 * the shell's environment.
 */
export function nonDefaultDataDir(dataDir: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const absolute = resolve(dataDir);
  return absolute === resolve(defaultDataDir(env, platform)) ? undefined : absolute;
}

/** Where the install secret lives when the file store is used. */
export function secretFilePath(dataDir: string): string {
  return join(dataDir, 'secret');
}
