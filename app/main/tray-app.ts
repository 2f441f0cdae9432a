import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, loadConfig } from '../core/config/config.js';
import { CONFIG_FILE } from '../core/discovery/hub-file.js';
import { describeError } from '../core/base/errors.js';
import { createLogger, type Logger } from '../core/base/log.js';
import { inletCommand } from '../core/base/version.js';
import { TokenService } from '../core/security/tokens.js';
import type { ManifestEnvironment } from '../os/manifests.js';
import { nonDefaultDataDir } from '../os/data-dir.js';
import { selectSecretStore } from '../os/secret-store-select.js';
import type { HubProcessUrls } from '../shared/hub-process.js';
import { ApprovalNotifier } from './approval-notifier.js';
import { setupAutoUpdate, type Updater } from './auto-update.js';
import { connectClient } from './connect-client.js';
import type { ElectronFacade } from './electron-facade.js';
import { markWelcomed, prepareFirstRun } from './first-run.js';
import { HubClient } from './hub-client.js';
import { HubSupervisor, type HubLife, type SupervisorOptions } from './hub-supervisor.js';
import { createLoginItem, type LoginItem } from './login-item.js';
import { PanelWindow } from './panel-window.js';
import { TrayService } from './tray-service.js';
import type { TrayAction, TrayHub } from './tray-view.js';

/**
 * The tray app's main process, given an Electron (app/main/main.ts passes the real one; the
 * tests a facade, since the Electron binary cannot run there). Main owns only the tray, the
 * panel window, notifications, the login item and the single-instance lock (README, Architecture); the hub
 * runs in its own process and main reaches it only through the admin API.
 */
export interface TrayAppOptions {
  electron: ElectronFacade;
  dataDir: string;
  /** The hub process's module (dist/app/os/hub-process.js). */
  hubModule: string;
  /** More arguments for the hub process (`--port 0` in tests). */
  hubArgs?: string[];
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  /** Where the browsers' manifests go (tests map it into a scratch directory). */
  manifests?: Partial<ManifestEnvironment>;
  /** The launcher the manifests name (default: this installation's). */
  hostPath?: string;
  /** This app's executable (the login item runs it). */
  executable?: string;
  updater?: Updater;
  loginItem?: LoginItem;
  restart?: Pick<SupervisorOptions, 'firstRetryMs' | 'maxRetryMs' | 'stableMs' | 'startTimeoutMs'>;
  log?: Logger;
}

export interface TrayApp {
  tray: TrayService;
  supervisor: HubSupervisor;
  panel: PanelWindow;
  /** Stops the hub cleanly, then exits the app. */
  quit(): Promise<void>;
}

interface HubLink {
  pid: number;
  urls: HubProcessUrls;
  client: HubClient;
}

/** Starts the app; undefined when another instance runs (it was asked to show itself, this one quits). */
export async function startTrayApp(options: TrayAppOptions): Promise<TrayApp | undefined> {
  const { electron, dataDir } = options;
  const app = electron.app;
  const log = options.log ?? createLogger('tray');
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.home ?? homedir();
  if (!app.requestSingleInstanceLock()) {
    log.info('Inlet is already running; it was asked to show itself');
    app.quit();
    return undefined;
  }
  app.keepRunningWithoutWindows();
  await app.whenReady();
  app.hideDock();

  const { store } = await selectSecretStore(dataDir, { log: log.child('secrets') });
  const first = await prepareFirstRun({
    dataDir,
    secretStore: store,
    manifests: { platform, home, env, ...options.manifests },
    hostPath: options.hostPath,
    // An AppImage runs from a mount that moves at every start and goes when it quits: a manifest
    // naming a launcher inside it would break as soon as the app quits (docs/decisions.md).
    noManifests: env.APPIMAGE ? 'an AppImage has no fixed path for the browsers to run; install the .deb, or run `inlet manifests install` from a checkout' : undefined,
    log,
  });
  let secret = first.secret;
  const adminToken = async () => new TokenService(secret, defaultConfig()).mint('admin');
  const config = await loadConfig(join(dataDir, CONFIG_FILE)).then((loaded) => loaded.config, () => defaultConfig());

  let link: HubLink | undefined;
  let watching: AbortController | undefined;
  let welcomePending = first.welcome;
  const loginItem = options.loginItem ?? createLoginItem({ app, platform, env, home, executable: options.executable ?? process.execPath });
  const panel = new PanelWindow(electron, () => link && { origin: new URL(link.urls.panel).origin, client: link.client }, log.child('panel'));
  const notifier = new ApprovalNotifier(electron, (view) => void panel.show(view));
  const tell = (title: string, body: string) => electron.notify({ title, body }, () => undefined) ?? log.info(`${title}: ${body}`);
  const dispatch = (action: TrayAction) => void handle(action).catch((error) => tell('Inlet', describeError(error)));
  const tray = new TrayService(electron, dispatch);
  const supervisor = new HubSupervisor({
    launch: () => electron.forkHub(options.hubModule, ['--data-dir', dataDir, ...(options.hubArgs ?? [])], hubEnv(env)),
    log: log.child('hub'),
    ...options.restart,
  });
  const updates = setupAutoUpdate({ updater: options.updater, packaged: app.isPackaged, enabled: config.auto_update, log: log.child('update'), onReady: (version) => tray.setUpdateReady(version) });

  async function handle(action: TrayAction): Promise<void> {
    switch (action.type) {
      case 'open-panel':
        await panel.show(action.view);
        return;
      case 'pause':
        await link?.client.pause(action.paused);
        return;
      case 'connect': {
        if (!link) return;
        const result = await connectClient(action.client, { hub: link.client, mcpUrl: link.urls.mcp, inlet: inletCommand(nonDefaultDataDir(dataDir, env, platform)), writeClipboard: (text) => electron.writeClipboard(text), where: { home, platform, env } });
        tell(result.ok ? 'Inlet connected' : 'Inlet could not connect', result.message);
        return;
      }
      case 'start-at-login':
        await loginItem.set(action.enabled);
        tray.setStartAtLogin(loginItem.get());
        return;
      case 'restart-hub':
        supervisor.restartNow();
        return;
      case 'install-update':
        updates?.installNow();
        return;
      case 'quit':
        await quit();
        return;
    }
  }

  /** The welcome page, once: marked first, so a crash while it opens never shows it twice. */
  async function welcome(): Promise<void> {
    await markWelcomed(dataDir, true);
    if (await panel.show('welcome')) return;
    await markWelcomed(dataDir, false);
    welcomePending = true;
  }

  /** Follows the hub's live state for as long as this hub lives; a closed stream is reopened. */
  async function follow(current: HubLink, signal: AbortSignal): Promise<void> {
    while (!signal.aborted && link === current) {
      try {
        await current.client.watch((state) => {
          if (link !== current) return;
          tray.setHub({ phase: 'up', state });
          notifier.update(state.pending);
          if (welcomePending) {
            welcomePending = false;
            welcome().catch((error) => log.warn('the welcome page could not be opened', { error: describeError(error) }));
          }
        }, signal);
      } catch (error) {
        if (signal.aborted) return;
        log.warn("the hub's event stream failed", { error: describeError(error) });
      }
      if (signal.aborted || link !== current) return;
      // The hub closes the stream after a secret rotation: read the secret again, then reopen.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      secret = (await store.get().catch(() => null)) ?? secret;
    }
  }

  supervisor.onChange((life) => {
    watching?.abort();
    watching = undefined;
    if (life.phase !== 'up') {
      link = undefined;
      notifier.clear();
      tray.setHub(trayHub(life));
      return;
    }
    link = { pid: life.pid, urls: life.urls, client: new HubClient(life.urls.api, adminToken) };
    tray.setHub({ phase: 'up', state: undefined });
    watching = new AbortController();
    void follow(link, watching.signal);
    void panel.hubMoved();
  });

  let quitting: Promise<void> | undefined;
  let exited = false;
  function quit(): Promise<void> {
    quitting ??= (async () => {
      log.info('quitting: stopping the hub');
      watching?.abort();
      notifier.clear();
      updates?.stop();
      await supervisor.stop();
      tray.destroy();
      exited = true;
      app.exit(0);
    })();
    return quitting;
  }
  // Quitting from the OS (log out, Cmd+Q) goes through the same clean stop.
  app.onBeforeQuit((event) => {
    if (exited) return;
    event.preventDefault();
    quit().catch((error) => {
      log.error('quitting failed', { error: describeError(error) });
      app.exit(1);
    });
  });
  app.onSecondInstance(() => {
    void panel.show().then((shown) => shown || tell('Inlet is running', 'The hub is not up at the moment; the tray icon says why.'));
  });

  if (first.firstStart && loginItem.get() === false) await loginItem.set(true).catch((error) => log.warn('start at login could not be turned on', { error: describeError(error) }));
  tray.setStartAtLogin(loginItem.get());
  tray.show(() => dispatch({ type: 'open-panel' }));
  supervisor.start();
  return { tray, supervisor, panel, quit };
}

function trayHub(life: HubLife): TrayHub {
  if (life.phase === 'down') return { phase: 'down', reason: life.reason, retryInMs: life.retryInMs };
  if (life.phase === 'stopped') return { phase: 'down', reason: 'The hub was stopped.', retryInMs: undefined };
  return { phase: 'starting' };
}

/** The hub process runs as a plain Node program: never as a second copy of the app. */
function hubEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.ELECTRON_RUN_AS_NODE;
  return copy;
}
