import { Hub } from '../core/hub.js';
import { describeError } from '../core/base/errors.js';
import { createLogger, type Logger } from '../core/base/log.js';
import { inletCommand, type InletCommand } from '../core/base/version.js';
import { controlSocketPath } from './control-socket-path.js';
import { nonDefaultDataDir, resolveDataDir } from './data-dir.js';
import { recordHub } from './hub-records.js';
import { selectSecretStore } from './secret-store-select.js';

/**
 * The one place a hub is put together from its OS parts (docs/decisions.md, "one composition
 * module"): the data dir resolved as every command resolves it, the install secret's store
 * (the keychain when it works, else the 0600 file), the control socket for the native host,
 * and how other programs run `inlet` to reach it. `inlet serve` and the tray app's hub process
 * (app/os/hub-process.ts) both start their hub through here, so the two can never drift apart.
 *
 * The hub is returned unstarted: the caller owns `start()`, what it prints, and how it stops.
 */
export interface HubComposition {
  /** --data-dir (else INLET_HOME, else the per-OS default). */
  dataDir?: string;
  /** Overrides config.json's port (0 picks a free one). */
  port?: number;
  /** Overrides config.json's host. */
  host?: string;
  log?: Logger;
  /** Where the secret store's "no keychain, using the file" warning goes. */
  secretsLog?: Logger;
}

export interface ComposedHub {
  hub: Hub;
  dataDir: string;
  /** How another program runs `inlet` to reach this hub (`--data-dir` when not the default). */
  inlet: InletCommand;
  controlSocket: string;
}

export async function composeHub(options: HubComposition = {}): Promise<ComposedHub> {
  const dataDir = resolveDataDir(options.dataDir);
  const controlSocket = controlSocketPath(dataDir);
  const inlet = inletCommand(nonDefaultDataDir(dataDir));
  const { store } = await selectSecretStore(dataDir, { log: options.secretsLog ?? createLogger('secrets') });
  const hub = new Hub({
    dataDir,
    secretStore: store,
    port: options.port,
    host: options.host,
    controlSocketPath: controlSocket,
    inletCommand: inlet,
    log: options.log,
  });
  return { hub, dataDir, inlet, controlSocket };
}

/**
 * Once the hub runs: lets the native host find it when its data dir is not the default one
 * (app/os/hub-records.ts). Returns how to take the record back when the hub stops.
 */
export async function recordStartedHub({ hub, dataDir, controlSocket }: ComposedHub): Promise<() => Promise<void>> {
  return recordHub({ dataDir, controlSocket, pid: process.pid, startedAt: hub.startedAt.toISOString() }).catch((error) => {
    hub.log.warn('browser extensions will not find this hub: it could not be recorded for the native host', { error: describeError(error) });
    return async () => undefined;
  });
}
