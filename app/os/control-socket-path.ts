import { userInfo } from 'node:os';
import { join } from 'node:path';

/** The file name of the socket inside the data dir (Unix only). */
export const CONTROL_SOCKET_FILE = 'control.sock';

/**
 * Where the hub's control socket lives (docs/config.md): a Unix socket in the data dir, so the data
 * dir's 0700 mode already keeps other users out, or on Windows a named pipe per OS user (pipes
 * live in their own namespace, not in the file system).
 *
 * Imported by the native host too, so it must stay free of anything but node:*.
 */
export function controlSocketPath(
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
  user: string = safeUserName(),
): string {
  if (platform === 'win32') return `\\\\.\\pipe\\inlet-${pipeSafe(user)}`;
  return join(dataDir, CONTROL_SOCKET_FILE);
}

// userInfo() throws when the user has no passwd entry (some containers); the pipe name then
// falls back to the environment, and to a fixed word rather than failing to start.
function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USERNAME || process.env.USER || 'user';
  }
}

// A pipe name may hold any character but a backslash; keep it readable and predictable.
function pipeSafe(user: string): string {
  return user.replace(/[^A-Za-z0-9._-]/g, '_') || 'user';
}
