import type { BrowserWindowConstructorOptions } from 'electron';
import type { MainToHubMessage } from '../shared/hub-process.js';

/**
 * The part of Electron the tray app uses, as one injectable object (the "for testing" seam of
 * Signal's SystemTrayService). app/main/electron-adapter.ts builds it from the real module in a
 * few lines each; the tests, where the Electron binary cannot run, pass a facade that records
 * what the user would see, while everything behind it (the hub process, the admin API, files,
 * manifests) is real. Menus are plain data (a subset of MenuItemConstructorOptions), so what the
 * tray shows can be compared as values.
 */
export interface ElectronFacade {
  app: AppFacade;
  createTray(image: string, toolTip: string): TrayFacade;
  createWindow(options: BrowserWindowConstructorOptions): WindowFacade;
  /** Desktop notifications; `undefined` where the system has none. */
  notify(options: { title: string; body: string }, onClick: () => void): NotificationHandle | undefined;
  writeClipboard(text: string): void;
  openExternal(url: string): Promise<void>;
  /** Starts a module in a utilityProcess (Node semantics, beside main). */
  forkHub(modulePath: string, args: string[], env: NodeJS.ProcessEnv): HubChild;
}

export interface AppFacade {
  readonly isPackaged: boolean;
  whenReady(): Promise<void>;
  /** A tray app lives on when its last window closes (Electron would quit). */
  keepRunningWithoutWindows(): void;
  /** False when another instance holds the lock: this one must quit. */
  requestSingleInstanceLock(): boolean;
  onSecondInstance(listener: () => void): void;
  onBeforeQuit(listener: (event: { preventDefault(): void }) => void): void;
  quit(): void;
  exit(code: number): void;
  /** macOS and Windows: the OS login item (Linux goes through app/os/xdg-autostart.ts). */
  getOpenAtLogin(): boolean;
  setOpenAtLogin(open: boolean): void;
  /** macOS: a tray app has no Dock icon. */
  hideDock(): void;
}

export interface MenuItemSpec {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  toolTip?: string;
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export interface TrayFacade {
  setImage(path: string): void;
  setToolTip(text: string): void;
  setMenu(items: MenuItemSpec[]): void;
  /** A left click (Windows, Linux): tray apps open their main window there. */
  onClick(listener: () => void): void;
  destroy(): void;
}

export interface WindowFacade {
  loadURL(url: string): Promise<void>;
  getURL(): string;
  show(): void;
  focus(): void;
  isDestroyed(): boolean;
  onClosed(listener: () => void): void;
  /**
   * Every navigation (links, redirects, `location = …`) and every window.open is asked: `allow`
   * returning false stops a navigation; new windows are always refused and their URL handed to
   * `elsewhere` (the default browser) instead.
   */
  guard(allow: (url: string) => boolean, elsewhere: (url: string) => void): void;
}

export interface NotificationHandle {
  close(): void;
}

/** The hub's process, whichever way it was started (utilityProcess, or child_process.fork in tests). */
export interface HubChild {
  readonly pid: number | undefined;
  postMessage(message: MainToHubMessage): void;
  kill(): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  /** Its stderr (the hub's log), when piped. */
  readonly stderr: NodeJS.ReadableStream | null;
}
