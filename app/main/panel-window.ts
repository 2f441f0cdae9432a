import type { BrowserWindowConstructorOptions } from 'electron';
import { describeError } from '../core/base/errors.js';
import type { Logger } from '../core/base/log.js';
import type { ElectronFacade, WindowFacade } from './electron-facade.js';
import type { HubClient } from './hub-client.js';

/**
 * The panel window (README, Architecture): it simply loads the hub's panel, logged in through a one-time
 * login URL from the admin API, like a browser would. The page is the hub's web app, so the
 * window gives it nothing more than a browser tab has: context isolation, the renderer sandbox,
 * no Node integration, no preload. Navigation stays on the hub's origin; any other link opens in
 * the default browser, and no page can open a window of its own.
 */
export const PANEL_WINDOW_OPTIONS: BrowserWindowConstructorOptions = {
  width: 1000,
  height: 760,
  minWidth: 560,
  minHeight: 400,
  title: 'Inlet',
  show: false,
  autoHideMenuBar: true,
  webPreferences: {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    spellcheck: false,
  },
};

/** The hub the window shows: where it is, and how to ask it for a login. */
export interface PanelTarget {
  /** The panel's origin, `http://127.0.0.1:<port>`. */
  origin: string;
  client: HubClient;
}

export class PanelWindow {
  private window: WindowFacade | undefined;
  private origin: string | undefined;

  constructor(
    private readonly electron: Pick<ElectronFacade, 'createWindow' | 'openExternal'>,
    private readonly target: () => PanelTarget | undefined,
    private readonly log: Logger,
  ) {}

  get isOpen(): boolean {
    return !!this.window && !this.window.isDestroyed();
  }

  /**
   * Shows the panel, at `view` (`pending/<id>`, `welcome`) when given. An open window showing
   * the panel is only brought forward; a view, a new window or a hub at another address logs
   * in afresh (a login URL works once, for two minutes, and the cookie for 12 hours).
   */
  async show(view?: string): Promise<boolean> {
    const target = this.target();
    if (!target) return false;
    const window = this.ensureWindow();
    this.origin = target.origin;
    const showing = sameOrigin(window.getURL(), target.origin);
    if (!showing || view) {
      try {
        const login = await target.client.loginUrl();
        await window.loadURL(view ? `${login}&view=${encodeURIComponent(view)}` : login);
      } catch (error) {
        this.log.warn('the panel could not be opened', { error: describeError(error) });
        return false;
      }
    }
    window.show();
    window.focus();
    return true;
  }

  /** The hub moved (a restart on another port): an open window follows it. */
  async hubMoved(): Promise<void> {
    const target = this.target();
    if (!this.isOpen || !target || target.origin === this.origin) return;
    await this.show();
  }

  /** Is `url` part of the panel (the hub's own origin)? */
  allows(url: string): boolean {
    return this.origin !== undefined && sameOrigin(url, this.origin);
  }

  private ensureWindow(): WindowFacade {
    if (this.window && !this.window.isDestroyed()) return this.window;
    const window = this.electron.createWindow(PANEL_WINDOW_OPTIONS);
    window.guard(
      (url) => this.allows(url),
      (url) => {
        // Only web pages leave for the default browser; file:, javascript: and the like go nowhere.
        if (/^https?:\/\//i.test(url)) void this.electron.openExternal(url).catch(() => undefined);
      },
    );
    window.onClosed(() => {
      if (this.window === window) this.window = undefined;
    });
    this.window = window;
    return window;
  }
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
