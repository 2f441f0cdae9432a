import { describeError } from '../core/base/errors.js';
import type { Logger } from '../core/base/log.js';

/**
 * Auto-update through electron-updater from the release feed electron-builder publishes
 * (electron-builder.yml `publish`). It runs only in an installed app, and only while
 * config.json's `auto_update` is true (the default; docs/config.md): it checks at start and
 * every six hours, downloads in the background, and the tray offers "Restart to update" once
 * an update is ready (it also installs on the next quit).
 */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(): void;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export const UPDATE_CHECK_EVERY_MS = 6 * 60 * 60 * 1000;

export interface AutoUpdateOptions {
  updater: Updater | undefined;
  packaged: boolean;
  enabled: boolean;
  log: Logger;
  onReady: (version: string) => void;
}

/** Starts checking; returns how to install a downloaded update now, or undefined when off. */
export function setupAutoUpdate(options: AutoUpdateOptions): { installNow(): void; stop(): void } | undefined {
  const { updater, log } = options;
  if (!updater || !options.packaged) return undefined;
  if (!options.enabled) {
    log.info('auto-update is off (auto_update: false in config.json)');
    return undefined;
  }
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.on('update-downloaded', (info) => {
    log.info('update downloaded', { version: info.version });
    options.onReady(info.version);
  });
  updater.on('error', (error) => log.warn('update check failed', { error: describeError(error) }));
  const check = () => void updater.checkForUpdates().catch((error: unknown) => log.warn('update check failed', { error: describeError(error) }));
  check();
  const timer = setInterval(check, UPDATE_CHECK_EVERY_MS);
  timer.unref();
  return { installNow: () => updater.quitAndInstall(), stop: () => clearInterval(timer) };
}
