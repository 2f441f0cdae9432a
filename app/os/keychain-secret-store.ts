import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../core/base/atomic-file.js';
import { describeError, HubError } from '../core/base/errors.js';
import { SECRET_BYTES, type SecretStore } from '../core/security/secret-store.js';

/**
 * The install secret in the OS keychain through keytar (docs/config.md): the macOS Keychain, the
 * Windows Credential Manager, or a Secret Service (gnome-keyring, KWallet) over D-Bus on Linux.
 * keytar is an optional dependency with a native module: it is imported only when a keychain is
 * wanted, and its absence is an answer (the file store takes over), never a crash at startup.
 * Whether the keychain actually works is decided by the canary in secret-store-select.ts.
 */
export const KEYCHAIN_SERVICE = 'Inlet';

/** A Secret Service waiting on an unlock prompt never answers; nothing should wait on it for long. */
export const KEYCHAIN_TIMEOUT_MS = 3_000;

/** The part of keytar used here, typed locally so that the build never needs keytar installed. */
export interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/**
 * The keychain account holding a data dir's secret. Each data dir is its own installation (a
 * second profile, INLET_HOME, every test), so each needs its own secret, and a fixed account
 * would make them share one. The account is a hash of the resolved path rather than the path
 * itself: short, stable, and free of folder names in the keychain's UI. The path is not
 * realpath'd because the dir may not exist yet; a data dir reached through another path, or
 * moved, starts with no secret (its old tokens stop verifying), as a new installation would.
 */
export function keychainAccount(dataDir: string): string {
  return 'install-secret:' + createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
}

let loading: Promise<Keytar> | undefined;

/** Loads keytar once per process. Rejects with a sentence saying why it cannot be used. */
export function loadKeytar(): Promise<Keytar> {
  loading ??= importKeytar();
  return loading;
}

async function importKeytar(): Promise<Keytar> {
  // A specifier in a variable keeps tsc from resolving it: keytar may be absent at build time.
  const specifier = 'keytar';
  let loaded: { default?: Keytar } & Partial<Keytar>;
  try {
    loaded = (await import(specifier)) as typeof loaded;
  } catch (error) {
    // ERR_MODULE_NOT_FOUND is the package itself missing (npm drops an optional dependency
    // whose build failed); anything else is keytar present but its native module refusing to
    // load (built for another Node ABI, libsecret missing at run time).
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new HubError('SECRET_UNAVAILABLE', 'keytar is not installed (the optional dependency could not be built here)');
    }
    // The first line only: a failed CommonJS require appends its whole require stack.
    throw new HubError('SECRET_UNAVAILABLE', `keytar could not load its native module (${describeError(error).split('\n')[0]})`);
  }
  // keytar is CommonJS: its functions arrive on the default export.
  const api = loaded.default ?? loaded;
  if (typeof api.getPassword !== 'function' || typeof api.setPassword !== 'function' || typeof api.deletePassword !== 'function') {
    throw new HubError('SECRET_UNAVAILABLE', 'keytar loaded but does not offer getPassword/setPassword/deletePassword');
  }
  return api as Keytar;
}

/** Thrown when the keychain does not answer in time, so callers can say so rather than guess. */
export class KeychainTimeoutError extends Error {
  override readonly name = 'KeychainTimeoutError';
}

/** Races a keychain call against a timer. The timer is unref'd so it never holds the process open. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KeychainTimeoutError(`the keychain did not answer within ${ms / 1000} s while trying to ${what}`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function keychainName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}

/**
 * `secret.keychain` in the data dir says "this data dir's secret lives in the keychain". When
 * the keychain cannot be reached later (locked, no D-Bus over SSH), the marker turns "make a
 * new secret in a file" (which would silently orphan every token) into a clear refusal.
 */
export function keychainMarkerPath(dataDir: string): string {
  return join(dataDir, 'secret.keychain');
}

export async function markKeychainSecret(dataDir: string, description: string): Promise<void> {
  const path = keychainMarkerPath(dataDir);
  if (existsSync(path)) return;
  await writeFileAtomic(path, `The install secret of this data dir lives in the ${description}.\nDelete this file only to start over with a new secret (that revokes every token).\n`, 0o600);
}

/** The install secret as a base64 password under service `Inlet`, one account per data dir. */
export class KeychainSecretStore implements SecretStore {
  readonly description: string;
  readonly account: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly dataDir: string,
    private readonly options: { keytar?: Keytar; timeoutMs?: number } = {},
  ) {
    this.account = keychainAccount(dataDir);
    this.timeoutMs = options.timeoutMs ?? KEYCHAIN_TIMEOUT_MS;
    this.description = `keychain (${keychainName()}, service "${KEYCHAIN_SERVICE}", account "${this.account}")`;
  }

  async get(): Promise<Buffer | null> {
    const text = await this.call('read the install secret', (k) => k.getPassword(KEYCHAIN_SERVICE, this.account));
    if (text === null) return null;
    const secret = Buffer.from(text, 'base64');
    if (secret.length !== SECRET_BYTES) {
      throw new HubError('SECRET_UNAVAILABLE', `The install secret in the ${this.description} is damaged (expected ${SECRET_BYTES} bytes, found ${secret.length}).`);
    }
    return secret;
  }

  async set(secret: Buffer): Promise<void> {
    await this.call('store the install secret', (k) => k.setPassword(KEYCHAIN_SERVICE, this.account, secret.toString('base64')));
    await markKeychainSecret(this.dataDir, this.description);
  }

  async delete(): Promise<void> {
    await this.call('delete the install secret', (k) => k.deletePassword(KEYCHAIN_SERVICE, this.account));
    await rm(keychainMarkerPath(this.dataDir), { force: true });
  }

  private async call<T>(what: string, run: (keytar: Keytar) => Promise<T>): Promise<T> {
    const keytar = this.options.keytar ?? (await loadKeytar());
    try {
      return await withTimeout(run(keytar), this.timeoutMs, what);
    } catch (error) {
      throw new HubError('SECRET_UNAVAILABLE', `The keychain could not ${what}: ${describeError(error)}.`, { cause: error });
    }
  }
}
