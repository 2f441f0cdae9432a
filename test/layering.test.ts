import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT } from './helpers/hub-process.js';

/**
 * The layering in the README (Architecture), as the linter enforces it: a probe importing electron is linted as if it
 * sat in each folder. Only the Electron shell (app/main, app/preload) may import it; everywhere
 * else the same line is an error, so a stray import fails `npm test` before it ships.
 */
const PROBE = "import { app } from 'electron';\nexport const probe = app;\n";
const UPDATER_PROBE = "import updater from 'electron-updater';\nexport const probe = updater;\n";

const ALLOWED = ['app/main/probe.ts', 'app/preload/probe.ts'];
const REFUSED = [
  'app/core/probe.ts',
  'app/os/probe.ts',
  'app/cli/probe.ts',
  'app/shared/probe.ts',
  'native-host/probe.ts',
  'renderer/src/probe.tsx',
  'bench/probe.ts',
  'test/probe.test.ts',
  'scripts/probe.mjs',
  'clients/browser-extension/probe.js',
];

async function restricted(eslint: ESLint, code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layering rule: electron only in the Electron shell', () => {
  const eslint = new ESLint({ cwd: ROOT });

  it('lets app/main and app/preload import electron', async () => {
    for (const file of ALLOWED) assert.deepEqual(await restricted(eslint, PROBE, file), [], file);
  });

  it('refuses electron and electron-updater in every other folder, naming the rule', async () => {
    for (const file of REFUSED) {
      for (const probe of [PROBE, UPDATER_PROBE]) {
        const messages = await restricted(eslint, probe, file);
        assert.equal(messages.length, 1, `${file} must refuse: ${probe.split('\n')[0]}`);
        assert.match(messages[0]!, /electron|node:\*|admin API/, file);
      }
    }
  });
});

/** An import line linted as if it sat at `filePath`. */
const importing = (specifier: string) => `import * as probe from '${specifier}';\nexport { probe };\n`;

describe('the layering rule: app/shared stands alone, and the native host reads it', () => {
  const eslint = new ESLint({ cwd: ROOT });

  it('lets app/shared import other app/shared files only', async () => {
    assert.deepEqual(await restricted(eslint, importing('./close-codes.js'), 'app/shared/probe.ts'), []);
    for (const specifier of ['node:fs', 'zod', 'ws', '../core/base/errors.js', '../os/data-dir.js']) {
      const messages = await restricted(eslint, importing(specifier), 'app/shared/probe.ts');
      assert.equal(messages.length, 1, `app/shared must refuse ${specifier}`);
      assert.match(messages[0]!, /app\/shared files only/, specifier);
    }
  });

  it('lets the native host import node:*, its own files, app/shared and the node-only helpers it shares with the hub', async () => {
    for (const specifier of ['node:net', './framing.js', '../app/shared/native-messaging.js', '../app/os/hub-records.js']) {
      assert.deepEqual(await restricted(eslint, importing(specifier), 'native-host/probe.ts'), [], specifier);
    }
    for (const specifier of ['ws', 'zod', '../app/core/base/errors.js', '../app/os/manifests.js', '../app/cli/main.js']) {
      const messages = await restricted(eslint, importing(specifier), 'native-host/probe.ts');
      assert.equal(messages.length, 1, `the native host must refuse ${specifier}`);
      assert.match(messages[0]!, /node:\* modules, app\/shared/, specifier);
    }
  });
});
