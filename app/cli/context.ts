import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '../core/config/config.js';
import { ConfigStore } from '../core/config/config-store.js';
import { CONFIG_FILE } from '../core/discovery/hub-file.js';
import type { SecretStore } from '../core/security/secret-store.js';
import { loadOrCreateSecret, TokenService } from '../core/security/tokens.js';
import type { Logger } from '../core/base/log.js';
import { inletCommand, type InletCommand } from '../core/base/version.js';
import { nonDefaultDataDir, resolveDataDir } from '../os/data-dir.js';
import { selectSecretStore } from '../os/secret-store-select.js';

/** What every command needs: the data dir, resolved one way (docs/config.md), and its stores. */
export interface CliContext {
  dataDir: string;
  configPath: string;
  /** How another program runs `inlet` to reach this data dir (`--data-dir` when not the default). */
  inlet: InletCommand;
  /** The keychain when it works, else the 0600 file (see app/os/secret-store-select.ts). */
  secretStore(log?: Logger): Promise<SecretStore>;
  loadConfig(): Promise<LoadedConfig>;
  /** The writer of config.json when no hub runs (the hub's own, taking turns with other programs). */
  configStore(): ConfigStore;
  /** A token service over this installation's secret (creating the secret on first use). */
  tokens(): Promise<TokenService>;
}

/** For short commands: the store's fallback warning is the hub's (and `inlet doctor`'s) to say. */
const QUIET: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, child: () => QUIET };

export function createContext(dataDirFlag: string | undefined): CliContext {
  const dataDir = resolveDataDir(dataDirFlag);
  const configPath = join(dataDir, CONFIG_FILE);
  // Only `serve` passes a logger: the "no keychain, using the file" warning is said once, by
  // the hub, not by every short command.
  const secretStore = async (log?: Logger) => (await selectSecretStore(dataDir, { log: log ?? QUIET })).store;
  return {
    dataDir,
    configPath,
    inlet: inletCommand(nonDefaultDataDir(dataDir)),
    secretStore,
    loadConfig: () => loadConfig(configPath),
    configStore: () =>
      new ConfigStore(configPath, () => undefined, {
        onWait: (pid) => process.stderr.write(`Waiting for process ${pid}, which is editing ${configPath}…\n`),
      }),
    tokens: async () => {
      const { config } = await loadConfig(configPath);
      return new TokenService(await loadOrCreateSecret(await secretStore()), config);
    },
  };
}
