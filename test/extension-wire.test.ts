import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { CLOSE } from '../app/shared/close-codes.js';
import { CONTROL_ERROR } from '../app/shared/control-protocol.js';
import { CALLER_ERROR, DISCOVERY_VERSION, FRAME_TYPE, HOST_ERROR, NATIVE_HOST_NAME } from '../app/shared/native-messaging.js';
import { ROOT } from './helpers/hub-process.js';

/**
 * The companion extension is plain JavaScript a browser loads unpacked, so it reads the wire
 * constants it shares with the hub from a module generated out of app/shared at build time
 * (scripts/gen-extension-wire.mjs). These tests keep the committed copy in step: the extension
 * must close, reconnect and report exactly as the hub and the native host say.
 */
const EXTENSION = join(ROOT, 'clients', 'browser-extension');
const load = (path: string) => import(pathToFileURL(path).href) as Promise<Record<string, unknown>>;

describe('the companion extension reads its wire constants from app/shared', () => {
  it('has the close codes, host name and frame codes the hub and the native host use', async () => {
    const wire = await load(join(EXTENSION, 'wire.js'));
    assert.deepEqual(
      { ...wire },
      { CLOSE, CONTROL_ERROR, CALLER_ERROR, DISCOVERY_VERSION, FRAME_TYPE, HOST_ERROR, NATIVE_HOST_NAME },
    );
  });

  it('has the committed wire.js exactly as the build generates it now', async () => {
    const generator = await load(join(ROOT, 'scripts', 'gen-extension-wire.mjs'));
    const render = generator.renderWire as () => Promise<string>;
    assert.equal(readFileSync(join(EXTENSION, 'wire.js'), 'utf8'), await render(), 'run npm run build and commit clients/browser-extension/wire.js');
  });

  it('copies no wire value by hand into its other files', () => {
    for (const file of ['background.js', 'popup.js', 'mcp-server.js']) {
      const code = readFileSync(join(EXTENSION, file), 'utf8').replace(/^\s*\/\/.*$/gm, '');
      const numbers = Object.values(CLOSE).filter((close) => close >= 4000);
      const strings = [NATIVE_HOST_NAME, ...Object.values(FRAME_TYPE), ...Object.values(HOST_ERROR), ...Object.values(CALLER_ERROR)];
      for (const close of numbers) assert.doesNotMatch(code, new RegExp(`\\b${close}\\b`), `${file} spells out ${close}; use CLOSE from ./wire.js`);
      for (const value of strings) {
        for (const quote of ["'", '"', '`']) assert.ok(!code.includes(quote + value + quote), `${file} spells out ${value}; import it from ./wire.js`);
      }
    }
  });
});
