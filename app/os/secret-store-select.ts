import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describeError, HubError } from '../core/base/errors.js';
import { createLogger, type Logger } from '../core/base/log.js';
import type { SecretStore } from '../core/security/secret-store.js';
import { secretFilePath } from './data-dir.js';
import { FileSecretStore } from './file-secret-store.js';
import {
  keychainMarkerPath,
  markKeychainSecret,
  KEYCHAIN_SERVICE,
  KEYCHAIN_TIMEOUT_MS,
  KeychainSecretStore,
  KeychainTimeoutError,
  type Keytar,
  keychainName,
  loadKeytar,
  withTimeout,
} from './keychain-secret-store.js';

/**
 * Picks where the install secret lives (docs/config.md): the OS keychain when a write-read-delete
 * canary passes, else the 0600 file with one loud warning per process. `INLET_KEYCHAIN=off`
 * in the environment forces the file store (a server where a keychain exists but should not be
 * used, or a test that must not touch the user's keyring).
 */
export interface SelectedSecretStore {
  store: SecretStore;
  kind: 'keychain' | 'file';
  /** One sentence for `inlet doctor`: which store and why. */
  reason: string;
}

export interface SelectOptions {
  log?: Logger;
  keychain?: 'auto' | 'off';
  /** Bound on the canary and on each keychain call. */
  timeoutMs?: number;
  /** Move a file secret into a working keychain (default true; `inlet doctor` only looks). */
  migrate?: boolean;
}

// Warnings repeat the same fact on every command; once per process is loud enough.
const warned = new Set<string>();
function warnOnce(log: Logger, key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  log.warn(message);
}

export async function selectSecretStore(dataDir: string, options: SelectOptions = {}): Promise<SelectedSecretStore> {
  const log = options.log ?? createLogger('secrets');
  const timeoutMs = options.timeoutMs ?? KEYCHAIN_TIMEOUT_MS;
  const file = new FileSecretStore(secretFilePath(dataDir));
  const useFile = (reason: string): SelectedSecretStore => ({ store: file, kind: 'file', reason });

  if (options.keychain === 'off') return useFile(`The keychain was turned off for this command, so the install secret is kept in the 0600 file ${file.path}.`);
  if (process.env.INLET_KEYCHAIN?.trim().toLowerCase() === 'off') {
    return useFile(`INLET_KEYCHAIN=off is set, so the install secret is kept in the 0600 file ${file.path}.`);
  }

  canary ??= canaryProblem(timeoutMs);
  const problem = await canary;
  if (problem && existsSync(keychainMarkerPath(dataDir)) && !existsSync(file.path)) {
    // The secret lives in a keychain that cannot be reached right now. A new file secret would
    // quietly break every token; refusing says what to do instead.
    const message =
      `The install secret of ${dataDir} lives in the OS keychain, which cannot be used now: ${problem}. ` +
      `Unlock the keychain (or run where it is reachable) and try again; to start over with a new secret, which revokes every token, delete ${keychainMarkerPath(dataDir)}.`;
    return { store: new UnreachableSecretStore(message), kind: 'keychain', reason: message };
  }
  if (problem) {
    warnOnce(log, 'unavailable', `The OS keychain cannot be used: ${problem}. The install secret is kept in the 0600 file ${file.path} instead (set INLET_KEYCHAIN=off to choose that on purpose).`);
    return useFile(`The install secret is kept in the 0600 file ${file.path} because the OS keychain cannot be used: ${problem}.`);
  }

  const keychain = new KeychainSecretStore(dataDir, { timeoutMs });
  const works = `The ${keychainName()} passed a write-read-delete check`;
  const inKeychain = await keychain.get();
  const inFile = await file.get();
  if (inKeychain && inFile) {
    if (inKeychain.equals(inFile) && options.migrate !== false) {
      // The same secret in both: a move that stopped between writing the keychain and deleting
      // the file. Finishing it loses nothing, and leaves no second copy of the secret on disk.
      await file.delete();
      return { store: keychain, kind: 'keychain', reason: `${works} and holds the install secret (a leftover copy in ${file.path} was removed).` };
    }
    if (inKeychain.equals(inFile)) return { store: keychain, kind: 'keychain', reason: `${works} and holds the install secret; the same secret left in ${file.path} is removed the next time the hub or a command loads it.` };
    warnOnce(log, 'both', `The keychain and the file ${file.path} each hold an install secret and they differ. The keychain's is used; tokens minted from the file's secret (while the keychain was unavailable) do not verify. Delete the file once nothing needs them.`);
    return { store: keychain, kind: 'keychain', reason: `${works} and holds the install secret; the different secret in ${file.path} is ignored.` };
  }
  if (inKeychain) {
    await markKeychainSecret(dataDir, keychain.description).catch(() => undefined);
    return { store: keychain, kind: 'keychain', reason: `${works} and holds the install secret.` };
  }
  if (!inFile) return { store: keychain, kind: 'keychain', reason: `${works}; the install secret will be created there on first use.` };

  if (options.migrate === false) {
    return useFile(`${works}; the install secret in ${file.path} moves into it the next time the hub or a command loads it.`);
  }
  return moveIntoKeychain(inFile, file, keychain, log, works);
}

/** A keychain secret that cannot be reached: every use fails with the sentence that says why. */
class UnreachableSecretStore implements SecretStore {
  readonly description = 'keychain (unreachable)';
  constructor(private readonly message: string) {}
  async get(): Promise<Buffer | null> {
    throw new HubError('SECRET_UNAVAILABLE', this.message);
  }
  async set(): Promise<void> {
    throw new HubError('SECRET_UNAVAILABLE', this.message);
  }
  async delete(): Promise<void> {
    throw new HubError('SECRET_UNAVAILABLE', this.message);
  }
}

/**
 * Moves the file's secret into the keychain unchanged, so every token minted so far still
 * verifies. The file is deleted only after the keychain has given the same bytes back; if
 * anything goes wrong the file store stays in use and nothing is lost.
 */
async function moveIntoKeychain(secret: Buffer, file: FileSecretStore, keychain: KeychainSecretStore, log: Logger, works: string): Promise<SelectedSecretStore> {
  try {
    await keychain.set(secret);
    const readBack = await keychain.get();
    if (!readBack?.equals(secret)) throw new Error('the keychain gave back something else than was written');
  } catch (error) {
    await keychain.delete().catch(() => undefined);
    const why = describeError(error).replace(/\.$/, '');
    warnOnce(log, 'move', `The install secret could not be moved into the keychain (${why}); it stays in the 0600 file ${file.path}.`);
    return { store: file, kind: 'file', reason: `The install secret could not be moved into the keychain (${why}), so it stays in the 0600 file ${file.path}.` };
  }
  await file.delete();
  log.info(`Moved the install secret from ${file.path} into the ${keychain.description}; existing tokens stay valid.`);
  return { store: keychain, kind: 'keychain', reason: `${works}; the install secret was moved there from ${file.path}, unchanged.` };
}

// Once per process: the keychain does not change between two selections in one command, and a
// Secret Service that hangs should cost its timeout once, not on every selection.
let canary: Promise<string | null> | undefined;

/**
 * Null when the keychain works, else why not. A locked keyring answers a read with null and
 * does not throw, so only a value written and read back proves it works; a Secret Service
 * waiting on an unlock prompt never answers, hence the deadline over the whole check. The
 * canary uses its own random account, so concurrent processes never read each other's.
 */
async function canaryProblem(timeoutMs: number): Promise<string | null> {
  let keytar: Keytar;
  try {
    keytar = await loadKeytar();
  } catch (error) {
    return describeError(error);
  }
  const account = `canary:${process.pid}:${randomBytes(6).toString('hex')}`;
  const value = randomBytes(16).toString('base64');
  const check = async (): Promise<string | null> => {
    try {
      await keytar.setPassword(KEYCHAIN_SERVICE, account, value);
      const read = await keytar.getPassword(KEYCHAIN_SERVICE, account);
      if (read === null) return 'the keyring is locked (a test value written to it read back as nothing)';
      return read === value ? null : 'the keychain gave back another value than the one written to it';
    } finally {
      await keytar.deletePassword(KEYCHAIN_SERVICE, account).catch(() => false);
    }
  };
  try {
    return await withTimeout(check(), timeoutMs, 'pass a write-read-delete check');
  } catch (error) {
    return explain(error);
  }
}

/** Turns a keytar/libsecret failure into the cause a user can act on. */
function explain(error: unknown): string {
  const message = describeError(error).replace(/\.$/, '');
  if (error instanceof KeychainTimeoutError) return `${message} (a keyring waiting to be unlocked?)`;
  const said = `(the keychain said "${message}")`;
  if (process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS && /d-?bus|display/i.test(message)) {
    return `there is no D-Bus session to reach a Secret Service through, DBUS_SESSION_BUS_ADDRESS being unset ${said}`;
  }
  if (/locked|prompt|dismissed|collection\/login/i.test(message)) return `the keyring is locked or has no default collection ${said}`;
  if (/org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service/i.test(message)) {
    return `no Secret Service such as gnome-keyring runs in this D-Bus session ${said}`;
  }
  return `a test write to the keychain failed ${said}`;
}
