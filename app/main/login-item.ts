import { autostartPath, isAutostartOn, setAutostart } from '../os/xdg-autostart.js';
import type { AppFacade } from './electron-facade.js';

/**
 * "Start at login": the OS login item on macOS and Windows (Electron's), an XDG autostart entry
 * on Linux. Only an installed app registers itself: from a source checkout the binary is a bare
 * Electron that would not know which app to run, so the menu leaves the item out.
 */
export interface LoginItem {
  /** undefined: not available here. */
  get(): boolean | undefined;
  set(enabled: boolean): Promise<void>;
}

export interface LoginItemContext {
  app: Pick<AppFacade, 'isPackaged' | 'getOpenAtLogin' | 'setOpenAtLogin'>;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
  /** The installed app's executable (an AppImage is started through its own file, $APPIMAGE). */
  executable: string;
}

export function createLoginItem(context: LoginItemContext): LoginItem {
  const { app, platform, env } = context;
  if (!app.isPackaged) return { get: () => undefined, set: async () => undefined };
  if (platform === 'darwin' || platform === 'win32') {
    return {
      get: () => app.getOpenAtLogin(),
      set: async (enabled) => app.setOpenAtLogin(enabled),
    };
  }
  const path = autostartPath(env, context.home);
  const executable = env.APPIMAGE || context.executable;
  return {
    get: () => isAutostartOn(path),
    set: (enabled) => setAutostart(path, enabled ? [executable] : undefined),
  };
}
