// Writes clients/browser-extension/wire.js: the wire constants the companion extension shares
// with the hub and the native host (close codes, the native host's name and frames), taken from
// app/shared as compiled by tsc into dist/app/shared. The extension stays plain JavaScript that a
// browser loads unpacked, so it gets them as a generated module rather than an import of
// TypeScript. `npm run build` runs this after tsc; test/extension-wire.test.ts checks that the
// committed file is current. `--check` only compares and exits 1 when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WIRE_FILE = join(ROOT, 'clients', 'browser-extension', 'wire.js');

/** The text of wire.js for the values app/shared holds now. */
export async function renderWire() {
  const shared = (name) => import(pathToFileURL(join(ROOT, 'dist', 'app', 'shared', `${name}.js`)).href);
  const { CLOSE } = await shared('close-codes');
  const { CONTROL_ERROR } = await shared('control-protocol');
  const { NATIVE_HOST_NAME, FRAME_TYPE, DISCOVERY_VERSION, HOST_ERROR, CALLER_ERROR } = await shared('native-messaging');
  const constants = [
    ['CLOSE', CLOSE, 'WebSocket close codes the hub sends a provider on /ws (app/shared/close-codes.ts).'],
    ['NATIVE_HOST_NAME', NATIVE_HOST_NAME, 'The native-messaging host to connectNative() (app/shared/native-messaging.ts).'],
    ['FRAME_TYPE', FRAME_TYPE, 'The `type` of the frames the native host writes.'],
    ['DISCOVERY_VERSION', DISCOVERY_VERSION, "The discovery frame's format version."],
    ['HOST_ERROR', HOST_ERROR, 'Error frame codes of the host itself.'],
    ['CONTROL_ERROR', CONTROL_ERROR, 'Error frame codes the host passes on from the hub (app/shared/control-protocol.ts).'],
    ['CALLER_ERROR', CALLER_ERROR, 'Codes the extension reports itself when the host cannot be asked.'],
  ];
  const literal = (value) => (typeof value === 'object' ? `Object.freeze(${JSON.stringify(value, null, 2)})` : JSON.stringify(value));
  return (
    '// Generated from app/shared by scripts/gen-extension-wire.mjs (npm run build); do not edit.\n' +
    '// The companion extension reads these values; the hub and the native host import the same ones.\n\n' +
    constants.map(([name, value, comment]) => `/** ${comment} */\nexport const ${name} = ${literal(value)};\n`).join('\n')
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = await renderWire();
  let current = '';
  try {
    current = readFileSync(WIRE_FILE, 'utf8');
  } catch {
    // not written yet
  }
  if (process.argv.includes('--check')) {
    if (current !== text) {
      console.error(`${WIRE_FILE} is stale: run npm run build and commit it.`);
      process.exit(1);
    }
  } else if (current !== text) {
    writeFileSync(WIRE_FILE, text);
    console.log(`wrote ${WIRE_FILE}`);
  }
}
