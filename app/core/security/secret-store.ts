/**
 * Where the install secret lives. The file store is the fallback; the OS keychain (keytar)
 * slots in behind the same interface. A store must return exactly the bytes it was given:
 * every token is an HMAC under this secret, so a changed secret revokes every token.
 */
export interface SecretStore {
  /** A short description for `inlet doctor` and logs ("file /x/secret", "keychain (Secret Service)"). */
  readonly description: string;
  /** The stored secret, or null when there is none yet. */
  get(): Promise<Buffer | null>;
  set(secret: Buffer): Promise<void>;
  delete(): Promise<void>;
}

export const SECRET_BYTES = 32;
