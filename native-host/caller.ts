/**
 * Who launched the host, from its command line (docs/discovery.md). The browser decides the argv, so
 * the id it names is what the browser vouches for:
 *   Chrome & co.: `chrome-extension://<id>/` (on Windows followed by `--parent-window=<hwnd>`)
 *   Firefox:      `<path of the host manifest> <add-on id>`
 *   an add-in that spawns the host itself: no arguments; it names itself with INLET_ADDIN_NAME.
 */
const CHROME_ORIGIN = /^chrome-extension:\/\/([^/]+)\/?$/;

export const DEFAULT_ADDIN_NAME = 'addin';

export function callerClientId(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  for (const arg of argv) {
    const match = CHROME_ORIGIN.exec(arg);
    if (match) return `ext:${match[1]}`;
  }
  // Firefox passes exactly the manifest path and the add-on id; the manifest is a .json file.
  const [manifest, addonId] = argv;
  if (argv.length === 2 && manifest !== undefined && addonId !== undefined && /\.json$/i.test(manifest)) {
    return `ext:${addonId}`;
  }
  // Anything else is a program that launched us directly. The hub validates the name, so a
  // malformed one comes back as a clear CLIENT_ID_INVALID error frame rather than a guess here.
  return `addin:${env.INLET_ADDIN_NAME?.trim() || DEFAULT_ADDIN_NAME}`;
}
