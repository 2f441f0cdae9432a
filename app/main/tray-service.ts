import { join } from 'node:path';
import { installLayout } from '../core/base/install-layout.js';
import type { ElectronFacade, MenuItemSpec, TrayFacade } from './electron-facade.js';
import { trayView, type MenuEntry, type TrayAction, type TrayHub, type TrayIcon, type TrayInput, type TrayView } from './tray-view.js';

/** The tray icons (build/icons/tray/<icon>.png with an @2x beside each), inside the installation. */
export function trayIconPath(icon: TrayIcon, root: string = installLayout().root): string {
  return join(root, 'build', 'icons', 'tray', `${icon}.png`);
}

/**
 * The tray (after Signal's SystemTrayService): setters change the input and return early when
 * nothing changed; one render() turns the input into icon, tooltip and menu through the pure
 * trayView(), and touches the tray only when the view differs from the one on screen.
 */
export class TrayService {
  private input: TrayInput = { hub: { phase: 'starting' }, startAtLogin: undefined };
  private tray: TrayFacade | undefined;
  private shown: string | undefined;
  /** How many times the tray was redrawn (what a user would see flicker). */
  renders = 0;

  constructor(
    private readonly electron: Pick<ElectronFacade, 'createTray'>,
    private readonly dispatch: (action: TrayAction) => void,
  ) {}

  get view(): TrayView {
    return trayView(this.input);
  }

  setHub(hub: TrayHub): void {
    if (same(hub, this.input.hub)) return;
    this.input = { ...this.input, hub };
    this.render();
  }

  setStartAtLogin(startAtLogin: boolean | undefined): void {
    if (startAtLogin === this.input.startAtLogin) return;
    this.input = { ...this.input, startAtLogin };
    this.render();
  }

  setUpdateReady(version: string | undefined): void {
    if (version === this.input.updateReady) return;
    this.input = { ...this.input, updateReady: version };
    this.render();
  }

  /** Creates the tray and draws it (once the app is ready). */
  show(onClick: () => void): void {
    if (this.tray) return;
    const view = this.view;
    this.tray = this.electron.createTray(trayIconPath(view.icon), view.toolTip);
    this.tray.onClick(onClick);
    this.render();
  }

  destroy(): void {
    this.tray?.destroy();
    this.tray = undefined;
    this.shown = undefined;
  }

  private render(): void {
    if (!this.tray) return;
    const view = this.view;
    const key = JSON.stringify(view);
    if (key === this.shown) return;
    this.shown = key;
    this.renders++;
    this.tray.setImage(trayIconPath(view.icon));
    this.tray.setToolTip(view.toolTip);
    this.tray.setMenu(view.menu.map((entry) => this.toSpec(entry)));
  }

  private toSpec(entry: MenuEntry): MenuItemSpec {
    switch (entry.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'text':
        return { label: entry.label, enabled: false };
      case 'action':
        return { label: entry.label, enabled: entry.enabled, click: () => this.dispatch(entry.action) };
      case 'check':
        return { label: entry.label, type: 'checkbox', checked: entry.checked, enabled: entry.enabled, click: () => this.dispatch(entry.action) };
      case 'submenu':
        return { label: entry.label, type: 'submenu', enabled: entry.enabled, submenu: entry.items.map((item) => this.toSpec(item)) };
    }
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
