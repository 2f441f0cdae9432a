import { readFile, rm, chmod } from 'node:fs/promises';
import { writeFileAtomic } from '../core/base/atomic-file.js';
import { HubError } from '../core/base/errors.js';
import { SECRET_BYTES, type SecretStore } from '../core/security/secret-store.js';

/**
 * The install secret in a file readable only by its owner (0600), base64-encoded.
 * Used where no keychain works (a headless server) and until the keychain store lands.
 */
export class FileSecretStore implements SecretStore {
  readonly description: string;
  constructor(readonly path: string) {
    this.description = `file ${path}`;
  }

  async get(): Promise<Buffer | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new HubError('SECRET_UNAVAILABLE', `The install secret in ${this.path} cannot be read (${(error as Error).message}).`);
    }
    const secret = Buffer.from(text.trim(), 'base64');
    if (secret.length !== SECRET_BYTES) {
      throw new HubError('SECRET_UNAVAILABLE', `The install secret in ${this.path} is damaged (expected ${SECRET_BYTES} bytes, found ${secret.length}).`);
    }
    // Tighten permissions if someone loosened them; the file grants every token.
    if (process.platform !== 'win32') await chmod(this.path, 0o600).catch(() => undefined);
    return secret;
  }

  async set(secret: Buffer): Promise<void> {
    await writeFileAtomic(this.path, secret.toString('base64') + '\n', 0o600);
  }

  async delete(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
