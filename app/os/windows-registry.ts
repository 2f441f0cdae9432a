import { execFile } from 'node:child_process';

/**
 * The little of reg.exe that native-messaging registration needs: set, read and delete the
 * default value of an HKCU key. reg.exe ships with every Windows, so no native module is needed.
 */

/** Runs reg.exe with these arguments (the program name not included). */
export type RegRunner = (args: string[]) => Promise<{ code: number; stdout: string }>;

export function regAddArgs(key: string, value: string): string[] {
  return ['add', key, '/ve', '/t', 'REG_SZ', '/d', value, '/f'];
}

export function regDeleteArgs(key: string): string[] {
  return ['delete', key, '/f'];
}

export function regQueryArgs(key: string): string[] {
  return ['query', key, '/ve'];
}

/** `reg query KEY /ve` prints "    (Default)    REG_SZ    C:\path"; the label is localized, the type is not. */
export function parseRegDefault(result: { code: number; stdout: string }): string | undefined {
  if (result.code !== 0) return undefined;
  return /\sREG_(?:EXPAND_)?SZ\s+(.+?)\s*$/m.exec(result.stdout)?.[1];
}

export const runRegExe: RegRunner = (args) =>
  new Promise((done) => {
    execFile('reg.exe', args, { windowsHide: true }, (error, stdout) => {
      // A missing key is exit code 1, not an exception: callers decide what a failure means.
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout: String(stdout) });
    });
  });
