import { posix, win32 } from 'node:path';
import { NATIVE_HOST_NAME } from '../shared/native-messaging.js';

/**
 * Where each browser reads native-messaging host manifests for the current user (docs/discovery.md).
 * Sources:
 *  - Chrome/Chromium: developer.chrome.com/docs/extensions/develop/concepts/native-messaging
 *    ("Native messaging host location"): ~/.config/{google-chrome,chromium}/NativeMessagingHosts,
 *    ~/Library/Application Support/{Google/Chrome,Chromium}/NativeMessagingHosts, and on Windows
 *    HKCU\Software\{Google\Chrome,Chromium}\NativeMessagingHosts\<name> naming the file.
 *  - Edge: learn.microsoft.com/microsoft-edge/extensions-chromium/developer-guide/native-messaging
 *    (~/.config/microsoft-edge/…, ~/Library/Application Support/Microsoft Edge/…, HKCU\Software\Microsoft\Edge\…).
 *  - Firefox: developer.mozilla.org/docs/Mozilla/Add-ons/WebExtensions/Native_manifests
 *    (~/.mozilla/native-messaging-hosts, ~/Library/Application Support/Mozilla/NativeMessagingHosts,
 *    HKCU\Software\Mozilla\NativeMessagingHosts\<name>).
 *  - Brave and Vivaldi document nothing; the directories are their user-data dirs, as used by
 *    KeePassXC and browserpass. On Windows both read Chrome's registry key, not a key of their
 *    own (keepassxreboot/keepassxc-browser#48 for Vivaldi; KeePassXC's NativeMessageInstaller
 *    maps Brave and Vivaldi to the Chrome key), so they share it.
 */
export const HOST_NAME = NATIVE_HOST_NAME;

export const BROWSERS = ['chrome', 'chromium', 'edge', 'brave', 'vivaldi', 'firefox'] as const;
export type Browser = (typeof BROWSERS)[number];
export type ManifestPlatform = 'linux' | 'darwin' | 'win32';

/** A per-user base directory of the OS, and the path below it. */
export type LocationBase = 'home' | 'xdgConfig' | 'appSupport' | 'localAppData' | 'appData';
export interface Location {
  base: LocationBase;
  parts: readonly string[];
}

export interface BrowserEntry {
  label: string;
  format: 'chrome' | 'firefox';
  /** Linux and macOS: the directory the browser reads `<host name>.json` from. */
  manifestDir: { linux: Location; darwin: Location };
  /** Windows: the HKCU key (without the host name) whose default value names the manifest file. */
  registryKey: string;
  /** Directories whose existence shows this user has the browser. */
  presence: Record<ManifestPlatform, readonly Location[]>;
}

const at = (base: LocationBase, ...parts: string[]): Location => ({ base, parts });

const CHROME_KEY = 'HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts';

export const BROWSER_TABLE: Readonly<Record<Browser, BrowserEntry>> = {
  chrome: {
    label: 'Google Chrome',
    format: 'chrome',
    manifestDir: { linux: at('xdgConfig', 'google-chrome', 'NativeMessagingHosts'), darwin: at('appSupport', 'Google', 'Chrome', 'NativeMessagingHosts') },
    registryKey: CHROME_KEY,
    presence: { linux: [at('xdgConfig', 'google-chrome')], darwin: [at('appSupport', 'Google', 'Chrome')], win32: [at('localAppData', 'Google', 'Chrome', 'User Data')] },
  },
  chromium: {
    label: 'Chromium',
    format: 'chrome',
    manifestDir: { linux: at('xdgConfig', 'chromium', 'NativeMessagingHosts'), darwin: at('appSupport', 'Chromium', 'NativeMessagingHosts') },
    registryKey: 'HKCU\\Software\\Chromium\\NativeMessagingHosts',
    presence: { linux: [at('xdgConfig', 'chromium')], darwin: [at('appSupport', 'Chromium')], win32: [at('localAppData', 'Chromium', 'User Data')] },
  },
  edge: {
    label: 'Microsoft Edge',
    format: 'chrome',
    manifestDir: { linux: at('xdgConfig', 'microsoft-edge', 'NativeMessagingHosts'), darwin: at('appSupport', 'Microsoft Edge', 'NativeMessagingHosts') },
    registryKey: 'HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts',
    presence: { linux: [at('xdgConfig', 'microsoft-edge')], darwin: [at('appSupport', 'Microsoft Edge')], win32: [at('localAppData', 'Microsoft', 'Edge', 'User Data')] },
  },
  brave: {
    label: 'Brave',
    format: 'chrome',
    manifestDir: {
      linux: at('xdgConfig', 'BraveSoftware', 'Brave-Browser', 'NativeMessagingHosts'),
      darwin: at('appSupport', 'BraveSoftware', 'Brave-Browser', 'NativeMessagingHosts'),
    },
    registryKey: CHROME_KEY,
    presence: {
      linux: [at('xdgConfig', 'BraveSoftware', 'Brave-Browser')],
      darwin: [at('appSupport', 'BraveSoftware', 'Brave-Browser')],
      win32: [at('localAppData', 'BraveSoftware', 'Brave-Browser', 'User Data')],
    },
  },
  vivaldi: {
    label: 'Vivaldi',
    format: 'chrome',
    manifestDir: { linux: at('xdgConfig', 'vivaldi', 'NativeMessagingHosts'), darwin: at('appSupport', 'Vivaldi', 'NativeMessagingHosts') },
    registryKey: CHROME_KEY,
    presence: { linux: [at('xdgConfig', 'vivaldi')], darwin: [at('appSupport', 'Vivaldi')], win32: [at('localAppData', 'Vivaldi', 'User Data')] },
  },
  firefox: {
    label: 'Firefox',
    format: 'firefox',
    manifestDir: { linux: at('home', '.mozilla', 'native-messaging-hosts'), darwin: at('appSupport', 'Mozilla', 'NativeMessagingHosts') },
    registryKey: 'HKCU\\Software\\Mozilla\\NativeMessagingHosts',
    presence: {
      linux: [at('home', '.mozilla')],
      darwin: [at('appSupport', 'Firefox'), at('appSupport', 'Mozilla')],
      win32: [at('appData', 'Mozilla', 'Firefox')],
    },
  },
};

/** The machine a plan is for; every path is computed in that OS's syntax. */
export interface LocationContext {
  platform: ManifestPlatform;
  home: string;
  env: NodeJS.ProcessEnv;
}

export function toManifestPlatform(platform: NodeJS.Platform): ManifestPlatform {
  // The BSDs lay out Chromium and Firefox like Linux does.
  return platform === 'win32' || platform === 'darwin' ? platform : 'linux';
}

export function pathFor(platform: ManifestPlatform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

export function resolveLocation(location: Location, ctx: LocationContext): string {
  const path = pathFor(ctx.platform);
  const fromEnv = (value: string | undefined) => (value && path.isAbsolute(value) ? value : undefined);
  const bases: Record<LocationBase, () => string> = {
    home: () => ctx.home,
    xdgConfig: () => fromEnv(ctx.env.XDG_CONFIG_HOME) ?? path.join(ctx.home, '.config'),
    appSupport: () => path.join(ctx.home, 'Library', 'Application Support'),
    localAppData: () => fromEnv(ctx.env.LOCALAPPDATA) ?? path.join(ctx.home, 'AppData', 'Local'),
    appData: () => fromEnv(ctx.env.APPDATA) ?? path.join(ctx.home, 'AppData', 'Roaming'),
  };
  return path.join(bases[location.base](), ...location.parts);
}

/**
 * The manifest file for a browser. On Windows the file may live anywhere (the registry names
 * it); Inlet keeps one per browser under %LOCALAPPDATA%\Inlet\NativeMessagingHosts.
 */
export function manifestFile(browser: Browser, ctx: LocationContext): string {
  const path = pathFor(ctx.platform);
  const dir = ctx.platform === 'win32'
    ? resolveLocation(at('localAppData', 'Inlet', 'NativeMessagingHosts', browser), ctx)
    : resolveLocation(BROWSER_TABLE[browser].manifestDir[ctx.platform], ctx);
  return path.join(dir, `${HOST_NAME}.json`);
}

export function registryKey(browser: Browser): string {
  return `${BROWSER_TABLE[browser].registryKey}\\${HOST_NAME}`;
}

export function presenceDirs(browser: Browser, ctx: LocationContext): string[] {
  return BROWSER_TABLE[browser].presence[ctx.platform].map((location) => resolveLocation(location, ctx));
}
