import { app } from 'electron';
import electronUpdater from 'electron-updater';
import { fileURLToPath } from 'node:url';
import { describeError } from '../core/base/errors.js';
import { createLogger } from '../core/base/log.js';
import { resolveDataDir } from '../os/data-dir.js';
import { createElectronFacade } from './electron-adapter.js';
import { startTrayApp } from './tray-app.js';

/**
 * The tray app's entry (package.json `main`; `npm start` runs it from source). Everything
 * happens in startTrayApp, against the real Electron; this file only wires the two together.
 */
const log = createLogger('tray');
const hubModule = fileURLToPath(new URL('../os/hub-process.js', import.meta.url));

startTrayApp({
  electron: createElectronFacade(),
  dataDir: resolveDataDir(),
  hubModule,
  updater: electronUpdater.autoUpdater,
  log,
}).catch((error: unknown) => {
  log.error('Inlet could not start', { error: describeError(error) });
  app.exit(1);
});
