import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where this installation's files are. Two layouts exist:
 *  - a source checkout (or an npm install): `<root>/bin`, `<root>/dist`, `<root>/renderer/dist`,
 *    `<root>/build/native-host`;
 *  - a packaged tray app: the same tree inside `<resources>/app.asar`, and beside it, outside the
 *    archive, what other programs run: `<resources>/native-host/` (the host and its launchers)
 *    and `<resources>/bin/` (the `inlet` command's launchers). See electron-builder.yml.
 * Every path the hub prints or writes for other programs comes from here, so inside a packaged
 * app none of them points at a checkout or treats the app's binary as Node.
 */
export interface InstallLayout {
  /** The folder holding package.json, bin/ and dist/ (a checkout, or `<resources>/app.asar`). */
  root: string;
  /** A packaged app's resources folder; undefined in a source checkout. */
  resources: string | undefined;
}

/** dist/app/core/base/ is four levels below the root, in both layouts. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/[\\/]$/, '');

export function installLayout(root: string = ROOT): InstallLayout {
  return { root, resources: basename(root) === 'app.asar' ? dirname(root) : undefined };
}

/** The native-messaging host launcher the browser manifests name (docs/discovery.md). */
export function nativeHostLauncher(layout: InstallLayout = installLayout(), platform: NodeJS.Platform = process.platform): string {
  const file = platform === 'win32' ? 'inlet-native-host.cmd' : 'inlet-native-host.sh';
  return layout.resources ? join(layout.resources, 'native-host', file) : join(layout.root, 'build', 'native-host', file);
}

/** The `inlet` command's launcher in a packaged app (for people typing in a shell). */
export function cliLauncher(layout: InstallLayout, platform: NodeJS.Platform = process.platform): string | undefined {
  return layout.resources ? join(layout.resources, 'bin', platform === 'win32' ? 'inlet.cmd' : 'inlet') : undefined;
}

/** The companion extension's folder, to load unpacked (shipped in a packaged app's resources). */
export function companionExtensionDir(layout: InstallLayout = installLayout()): string {
  return layout.resources ? join(layout.resources, 'browser-extension') : join(layout.root, 'clients', 'browser-extension');
}
