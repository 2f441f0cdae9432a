import { app, BrowserWindow, clipboard, Menu, nativeImage, Notification, shell, Tray, utilityProcess } from 'electron';
import type { ElectronFacade, HubChild, MenuItemSpec, WindowFacade } from './electron-facade.js';

/**
 * The real Electron behind the facade (app/main/electron-facade.ts). Each member is a direct
 * call: everything worth testing happens in front of the facade. This file and main.ts are the
 * only ones that import electron's values, and tsc checks them against Electron 45's own types.
 */
export function createElectronFacade(): ElectronFacade {
  return {
    app: {
      isPackaged: app.isPackaged,
      whenReady: () => app.whenReady(),
      keepRunningWithoutWindows: () => void app.on('window-all-closed', () => undefined),
      requestSingleInstanceLock: () => app.requestSingleInstanceLock(),
      onSecondInstance: (listener) => void app.on('second-instance', () => listener()),
      onBeforeQuit: (listener) => void app.on('before-quit', (event) => listener(event)),
      quit: () => app.quit(),
      exit: (code) => app.exit(code),
      getOpenAtLogin: () => app.getLoginItemSettings().openAtLogin,
      setOpenAtLogin: (openAtLogin) => app.setLoginItemSettings({ openAtLogin }),
      hideDock: () => app.dock?.hide(),
    },
    createTray: (image, toolTip) => {
      const tray = new Tray(nativeImage.createFromPath(image));
      tray.setToolTip(toolTip);
      return {
        setImage: (path) => tray.setImage(nativeImage.createFromPath(path)),
        setToolTip: (text) => tray.setToolTip(text),
        setMenu: (items: MenuItemSpec[]) => tray.setContextMenu(Menu.buildFromTemplate(items)),
        onClick: (listener) => void tray.on('click', () => listener()),
        destroy: () => tray.destroy(),
      };
    },
    createWindow: (options) => windowFacade(new BrowserWindow(options)),
    notify: (options, onClick) => {
      if (!Notification.isSupported()) return undefined;
      const notification = new Notification(options);
      notification.on('click', () => onClick());
      notification.show();
      return { close: () => notification.close() };
    },
    writeClipboard: (text) => clipboard.writeText(text),
    openExternal: (url) => shell.openExternal(url),
    forkHub: (modulePath, args, env): HubChild => {
      // stderr (the hub's log) is read by the supervisor; stdout, which the hub does not use, is
      // passed through rather than piped to nobody, where it could fill and block the hub.
      const child = utilityProcess.fork(modulePath, args, { env, stdio: ['ignore', 'inherit', 'pipe'], serviceName: 'Inlet hub' });
      return {
        get pid() {
          return child.pid;
        },
        postMessage: (message) => child.postMessage(message),
        kill: () => void child.kill(),
        onMessage: (listener) => void child.on('message', listener),
        onExit: (listener) => void child.on('exit', (code) => listener(code)),
        stderr: child.stderr,
      };
    },
  };
}

function windowFacade(window: BrowserWindow): WindowFacade {
  const contents = window.webContents;
  return {
    loadURL: (url) => contents.loadURL(url),
    getURL: () => contents.getURL(),
    show: () => window.show(),
    focus: () => window.focus(),
    isDestroyed: () => window.isDestroyed(),
    onClosed: (listener) => void window.on('closed', () => listener()),
    guard: (allow, elsewhere) => {
      const check = (event: { preventDefault(): void }, url: string) => {
        if (!allow(url)) event.preventDefault();
      };
      contents.on('will-redirect', check);
      contents.on('will-frame-navigate', (event) => check(event, event.url));
      contents.setWindowOpenHandler(({ url }) => {
        elsewhere(url);
        return { action: 'deny' };
      });
    },
  };
}
