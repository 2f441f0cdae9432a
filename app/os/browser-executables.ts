import type { Browser, LocationContext } from './manifest-locations.js';
import { pathFor } from './manifest-locations.js';

/**
 * Where each browser's program is installed, per OS: a browser counts as installed when its
 * program is found here or its profile folder exists (manifest-locations.ts). The profile alone
 * misses a browser that was installed but never started; its manifest must still be in place
 * when it first starts, or the extension finds no host.
 *
 * Only installs that read the manifests at the locations Inlet writes count: a Flatpak browser
 * reads them inside its sandbox (~/.var/app/…), so it is not listed.
 *  - Linux: the commands of the distributions' and vendors' packages, looked up on PATH, and the
 *    vendors' install folders (the deb/rpm packages of Chrome, Edge, Brave and Vivaldi install into
 *    /opt; Debian's Chromium and Firefox ESR into /usr/lib).
 *  - macOS: the app bundle in /Applications or ~/Applications.
 *  - Windows: the per-machine (Program Files) and per-user (%LOCALAPPDATA%) installs.
 */
interface ExecutableEntry {
  /** Linux (and the BSDs): command names looked up on PATH. */
  commands: readonly string[];
  linux: readonly string[];
  /** App bundle names, looked up in /Applications and ~/Applications. */
  darwin: readonly string[];
  /** Paths below Program Files (both of them) and %LOCALAPPDATA%. */
  win32: readonly string[];
}

const TABLE: Readonly<Record<Browser, ExecutableEntry>> = {
  chrome: {
    commands: ['google-chrome', 'google-chrome-stable'],
    linux: ['/opt/google/chrome/chrome'],
    darwin: ['Google Chrome.app'],
    win32: ['Google\\Chrome\\Application\\chrome.exe'],
  },
  chromium: {
    commands: ['chromium', 'chromium-browser'],
    linux: ['/usr/lib/chromium/chromium'],
    darwin: ['Chromium.app'],
    win32: ['Chromium\\Application\\chrome.exe'],
  },
  edge: {
    commands: ['microsoft-edge', 'microsoft-edge-stable'],
    linux: ['/opt/microsoft/msedge/msedge'],
    darwin: ['Microsoft Edge.app'],
    win32: ['Microsoft\\Edge\\Application\\msedge.exe'],
  },
  brave: {
    commands: ['brave-browser', 'brave'],
    linux: ['/opt/brave.com/brave/brave'],
    darwin: ['Brave Browser.app'],
    win32: ['BraveSoftware\\Brave-Browser\\Application\\brave.exe'],
  },
  vivaldi: {
    commands: ['vivaldi', 'vivaldi-stable'],
    linux: ['/opt/vivaldi/vivaldi'],
    darwin: ['Vivaldi.app'],
    win32: ['Vivaldi\\Application\\vivaldi.exe'],
  },
  firefox: {
    commands: ['firefox', 'firefox-esr'],
    linux: ['/usr/lib/firefox/firefox', '/usr/lib/firefox-esr/firefox-esr', '/opt/firefox/firefox'],
    darwin: ['Firefox.app'],
    win32: ['Mozilla Firefox\\firefox.exe'],
  },
};

/** The paths at which this browser's program would be, in the planned OS's syntax. */
export function executableCandidates(browser: Browser, ctx: LocationContext): string[] {
  const entry = TABLE[browser];
  const path = pathFor(ctx.platform);
  const absolute = (value: string | undefined) => (value && path.isAbsolute(value) ? value : undefined);
  if (ctx.platform === 'darwin') {
    return [path.join('/Applications'), path.join(ctx.home, 'Applications')].flatMap((dir) => entry.darwin.map((app) => path.join(dir, app)));
  }
  if (ctx.platform === 'win32') {
    const roots = [
      absolute(ctx.env.ProgramFiles) ?? 'C:\\Program Files',
      absolute(ctx.env['ProgramFiles(x86)']) ?? 'C:\\Program Files (x86)',
      absolute(ctx.env.LOCALAPPDATA) ?? path.join(ctx.home, 'AppData', 'Local'),
    ];
    return [...new Set(roots)].flatMap((root) => entry.win32.map((file) => path.join(root, file)));
  }
  const onPath = (ctx.env.PATH ?? '').split(':').filter((dir) => path.isAbsolute(dir));
  return [...onPath.flatMap((dir) => entry.commands.map((command) => path.join(dir, command))), ...entry.linux];
}
