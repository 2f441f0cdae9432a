import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/base/atomic-file.js';
import { describeError } from '../core/base/errors.js';
import { nativeHostLauncher } from '../core/base/install-layout.js';
import type { Logger } from '../core/base/log.js';
import { VERSION } from '../core/base/version.js';
import type { SecretStore } from '../core/security/secret-store.js';
import { loadOrCreateSecret } from '../core/security/tokens.js';
import { COMPANION_EXTENSION_ID, COMPANION_FIREFOX_ID } from '../os/companion-extension.js';
import { installManifests, type ManifestEnvironment } from '../os/manifests.js';

/**
 * What the tray app does the first time it starts on a data dir: the install secret exists (in
 * the keychain where one works), the native-messaging manifests are installed for every browser
 * found, naming this installation's launcher, and the panel's welcome page opens once the hub
 * is up. `tray.json` in the data dir remembers each step, so an interrupted first run finishes
 * on the next start and a finished one never repeats (removing a manifest stays removed).
 */
export const TRAY_STATE_FILE = 'tray.json';

const TrayStateSchema = z.object({
  version: z.string().optional(),
  /** When the manifests were installed (ISO time). */
  manifestsInstalled: z.string().optional(),
  /** When the welcome page was shown. */
  welcomed: z.string().optional(),
});
export type TrayState = z.infer<typeof TrayStateSchema>;

export interface FirstRunContext {
  dataDir: string;
  secretStore: SecretStore;
  manifests: ManifestEnvironment;
  /** The launcher the manifests name (default: this installation's). */
  hostPath?: string;
  /** Why this installation cannot register a native host (it is skipped, not marked done). */
  noManifests?: string;
  log: Logger;
}

export interface FirstRunResult {
  secret: Buffer;
  /** No tray.json yet: the app's very first start on this data dir. */
  firstStart: boolean;
  /** The welcome page is still to be shown (the caller marks it with markWelcomed). */
  welcome: boolean;
}

export async function prepareFirstRun(context: FirstRunContext): Promise<FirstRunResult> {
  const secret = await loadOrCreateSecret(context.secretStore);
  const state = await readTrayState(context.dataDir);
  const firstStart = Object.keys(state).length === 0;
  if (!state.manifestsInstalled && context.noManifests) {
    context.log.warn(`the native-messaging manifests are not installed: ${context.noManifests}`);
  } else if (!state.manifestsInstalled) {
    try {
      const { installed, skipped } = await installManifests({
        ...context.manifests,
        hostPath: context.hostPath ?? nativeHostLauncher(undefined, context.manifests.platform),
        extensionIds: [COMPANION_EXTENSION_ID],
        firefoxIds: [COMPANION_FIREFOX_ID],
      });
      context.log.info('native-messaging manifests installed', { browsers: installed.map((f) => f.target), notFound: skipped });
      state.manifestsInstalled = new Date().toISOString();
    } catch (error) {
      // Not fatal: the hub works without them, and `inlet manifests install` can do it later.
      context.log.warn('the native-messaging manifests could not be installed; the next start tries again', { error: describeError(error) });
    }
  }
  // Written at every start, a failed step included, so the first start is told apart from the next.
  await writeTrayState(context.dataDir, state);
  return { secret, firstStart, welcome: !state.welcomed };
}

export async function markWelcomed(dataDir: string, welcomed: boolean): Promise<void> {
  await writeTrayState(dataDir, { ...(await readTrayState(dataDir)), welcomed: welcomed ? new Date().toISOString() : undefined });
}

export async function readTrayState(dataDir: string): Promise<TrayState> {
  // A missing or unreadable file is a first run: each step is safe to do again.
  try {
    return TrayStateSchema.parse(JSON.parse(await readFile(join(dataDir, TRAY_STATE_FILE), 'utf8')));
  } catch {
    return {};
  }
}

async function writeTrayState(dataDir: string, state: TrayState): Promise<void> {
  await writeFileAtomic(join(dataDir, TRAY_STATE_FILE), JSON.stringify({ ...state, version: VERSION }, null, 2) + '\n', 0o600);
}
