import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '../core/config.js';
import { CONFIG_FILE } from '../core/hub-file.js';
import type { SecretStore } from '../core/secret-store.js';
import { loadOrCreateSecret, TokenService } from '../core/tokens.js';
import { resolveDataDir, secretFilePath } from '../os/data-dir.js';
import { FileSecretStore } from '../os/file-secret-store.js';

/** What every command needs: the data dir, resolved one way (DESIGN §9), and its stores. */
export interface CliContext {
  dataDir: string;
  configPath: string;
  secretStore(): SecretStore;
  loadConfig(): Promise<LoadedConfig>;
  /** A token service over this installation's secret (creating the secret on first use). */
  tokens(): Promise<TokenService>;
}

export function createContext(dataDirFlag: string | undefined): CliContext {
  const dataDir = resolveDataDir(dataDirFlag);
  const configPath = join(dataDir, CONFIG_FILE);
  const secretStore = () => new FileSecretStore(secretFilePath(dataDir));
  return {
    dataDir,
    configPath,
    secretStore,
    loadConfig: () => loadConfig(configPath),
    tokens: async () => {
      const { config } = await loadConfig(configPath);
      return new TokenService(await loadOrCreateSecret(secretStore()), config);
    },
  };
}
