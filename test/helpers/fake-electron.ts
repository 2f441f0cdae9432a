import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { ElectronFacade, HubChild, MenuItemSpec, WindowFacade } from '../../app/main/electron-facade.js';

/** Electron's WindowOptions, named through the facade (tests never import electron). */
type WindowOptions = Parameters<ElectronFacade['createWindow']>[0];

/**
 * An Electron facade for the main-process tests. The Electron binary cannot be downloaded on
 * these machines, so this stands in for the few Electron calls main makes, and records what a
 * user would see (tray, windows, notifications, clipboard). Everything behind it is real: the
 * hub runs in its own process, started with child_process.fork behind the same HubChild
 * interface a utilityProcess has, and windows load their URLs from that hub over HTTP (login
 * redirect and cookie included), so a URL that would not open the panel fails the test.
 */
export interface FakeTray {
  image: string;
  toolTip: string;
  menu: MenuItemSpec[];
  /** Every image drawn, in order (a quick down-and-up still shows here). */
  images: string[];
  destroyed: boolean;
}

export interface FakeNotification {
  title: string;
  body: string;
  closed: boolean;
  click(): void;
}

export interface Load {
  requested: string;
  /** Where the redirects ended (the fragment kept, as a browser keeps it). */
  landed: string;
  status: number;
}

export class FakeWindow implements WindowFacade {
  readonly loads: Load[] = [];
  shown = 0;
  focused = 0;
  destroyed = false;
  allow: (url: string) => boolean = () => true;
  elsewhere: (url: string) => void = () => undefined;
  private url = '';
  private cookie = '';
  private readonly closedListeners: Array<() => void> = [];

  constructor(
    readonly options: WindowOptions,
    private readonly changed: () => void,
  ) {}

  async loadURL(requested: string): Promise<void> {
    let current = requested;
    let status = 0;
    for (let hop = 0; hop < 5; hop++) {
      const response = await fetch(current, { redirect: 'manual', headers: this.cookie ? { Cookie: this.cookie } : {} });
      const setCookie = response.headers.get('set-cookie');
      if (setCookie) this.cookie = setCookie.split(';')[0]!;
      status = response.status;
      await response.arrayBuffer();
      const location = response.headers.get('location');
      if (status < 300 || status >= 400 || !location) break;
      const next = new URL(location, current).href;
      // Electron asks will-redirect first; a refused redirect leaves the window where it was.
      if (!this.allow(next)) break;
      current = next;
    }
    this.url = current;
    this.loads.push({ requested, landed: current, status });
    this.changed();
  }

  getURL(): string {
    return this.url;
  }
  show(): void {
    this.shown++;
    this.changed();
  }
  focus(): void {
    this.focused++;
    this.changed();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  onClosed(listener: () => void): void {
    this.closedListeners.push(listener);
  }
  guard(allow: (url: string) => boolean, elsewhere: (url: string) => void): void {
    this.allow = allow;
    this.elsewhere = elsewhere;
  }
  /** The user closes the window. */
  close(): void {
    this.destroyed = true;
    for (const listener of this.closedListeners) listener();
    this.changed();
  }
}

/** Electron's single-instance lock, shared by the fakes of one test (one per "machine"). */
export class FakeInstanceLock {
  holder: FakeElectron | undefined;
}

export class FakeElectron implements ElectronFacade {
  readonly tray: FakeTray = { image: '', toolTip: '', menu: [], images: [], destroyed: false };
  readonly windows: FakeWindow[] = [];
  readonly notifications: FakeNotification[] = [];
  readonly clipboard: string[] = [];
  readonly external: string[] = [];
  /** Exit codes of every hub process this app started, in order (null while running). */
  readonly hubExits: Array<number | null> = [];
  quitCalls = 0;
  exitCode: number | undefined;
  openAtLogin = false;
  private trayClick: () => void = () => undefined;
  private readonly secondInstance: Array<() => void> = [];
  private readonly events = new EventEmitter();

  readonly app: ElectronFacade['app'];

  constructor(
    private readonly lock: FakeInstanceLock,
    isPackaged = true,
  ) {
    this.events.setMaxListeners(50);
    this.app = this.fakeApp(isPackaged);
  }

  private fakeApp(isPackaged: boolean): ElectronFacade['app'] {
    return {
      isPackaged,
      whenReady: async () => undefined,
      keepRunningWithoutWindows: () => undefined,
      requestSingleInstanceLock: () => {
        const holder = this.lock.holder;
        if (!holder) {
          this.lock.holder = this;
          return true;
        }
        // As Electron does: the running instance hears of the second start.
        for (const listener of holder.secondInstance) listener();
        return false;
      },
      onSecondInstance: (listener) => void this.secondInstance.push(listener),
      onBeforeQuit: () => undefined,
      quit: () => {
        this.quitCalls++;
        this.changed();
      },
      exit: (code) => {
        this.exitCode = code;
        if (this.lock.holder === this) this.lock.holder = undefined;
        this.changed();
      },
      getOpenAtLogin: () => this.openAtLogin,
      setOpenAtLogin: (open) => void (this.openAtLogin = open),
      hideDock: () => undefined,
    };
  }

  createTray(image: string, toolTip: string) {
    Object.assign(this.tray, { image, toolTip, destroyed: false });
    this.tray.images.push(image);
    return {
      setImage: (path: string) => {
        this.tray.image = path;
        this.tray.images.push(path);
      },
      setToolTip: (text: string) => void (this.tray.toolTip = text),
      setMenu: (menu: MenuItemSpec[]) => {
        this.tray.menu = menu;
        this.changed();
      },
      onClick: (listener: () => void) => void (this.trayClick = listener),
      destroy: () => {
        this.tray.destroyed = true;
        this.changed();
      },
    };
  }

  createWindow(options: WindowOptions): FakeWindow {
    const window = new FakeWindow(options, () => this.changed());
    this.windows.push(window);
    return window;
  }

  notify(options: { title: string; body: string }, onClick: () => void) {
    const notification: FakeNotification = { ...options, closed: false, click: onClick };
    this.notifications.push(notification);
    this.changed();
    return {
      close: () => {
        notification.closed = true;
        this.changed();
      },
    };
  }

  writeClipboard(text: string): void {
    this.clipboard.push(text);
    this.changed();
  }

  async openExternal(url: string): Promise<void> {
    this.external.push(url);
  }

  forkHub(modulePath: string, args: string[], env: NodeJS.ProcessEnv): HubChild {
    const child = fork(modulePath, args, { env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const index = this.hubExits.push(null) - 1;
    child.once('exit', (code) => {
      this.hubExits[index] = code;
      this.changed();
    });
    return {
      get pid() {
        return child.pid;
      },
      postMessage: (message) => {
        if (child.connected) child.send(message);
      },
      kill: () => void child.kill('SIGKILL'),
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void child.on('exit', (code) => listener(code)),
      stderr: child.stderr,
    };
  }

  /** A left click on the tray icon. */
  clickTray(): void {
    this.trayClick();
  }

  /** Clicks the menu item with this label (in a submenu: `['Connect an AI client', 'Cursor']`). */
  clickMenu(...path: string[]): void {
    let items = this.tray.menu;
    let item: MenuItemSpec | undefined;
    for (const label of path) {
      item = items.find((candidate) => candidate.label === label);
      if (!item) throw new Error(`no menu item "${label}" in: ${items.map((i) => i.label ?? '---').join(' | ')}`);
      items = item.submenu ?? [];
    }
    if (item?.enabled === false) throw new Error(`the menu item "${path.join(' > ')}" is disabled`);
    item!.click!();
  }

  /** Every label of the menu, submenus flattened. */
  menuLabels(items: MenuItemSpec[] = this.tray.menu): string[] {
    return items.flatMap((item) => [item.label ?? '---', ...this.menuLabels(item.submenu ?? [])]);
  }

  /** Resolves with the probe's first truthy value, re-checked after every recorded change. */
  until<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        let value: T | undefined | null | false;
        try {
          value = probe();
        } catch (error) {
          return finish(() => reject(error));
        }
        if (value) finish(() => resolve(value as T));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${what}; the tray says "${this.tray.toolTip}"`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.events.off('change', check);
        settle();
      };
      this.events.on('change', check);
      check();
    });
  }

  private changed(): void {
    this.events.emit('change');
  }
}
