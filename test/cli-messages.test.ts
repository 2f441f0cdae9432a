import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { approvalsHelp } from '../app/cli/approvals.js';
import { bridgeHelp } from '../app/cli/bridge.js';
import { connectHelp } from '../app/cli/connect.js';
import { doctorHelp } from '../app/cli/doctor.js';
import { usage } from '../app/cli/main.js';
import { manifestsHelp } from '../app/cli/manifests.js';
import { auditHelp, panelHelp } from '../app/cli/panel.js';
import { policyHelp } from '../app/cli/policy.js';
import { serveHelp } from '../app/cli/serve.js';
import { serviceHelp } from '../app/cli/service.js';
import { statusHelp } from '../app/cli/status.js';
import { stdioHelp } from '../app/cli/stdio.js';
import { tokenHelp } from '../app/cli/token.js';
import { childEnv, CLI, makeDataDir, startHub, untilPrinted } from './helpers/hub-process.js';

const HELP = [serveHelp, statusHelp, bridgeHelp, stdioHelp, tokenHelp, approvalsHelp, policyHelp, panelHelp, auditHelp, connectHelp, doctorHelp, manifestsHelp, serviceHelp];

/**
 * An environment in which the OS keychain cannot be used (no D-Bus session), so the hub has a
 * "using the 0600 file instead" warning to give.
 */
const NO_KEYCHAIN = { INLET_KEYCHAIN: '', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/inlet-test-bus', DISPLAY: '' };

const KEYCHAIN_WARNING = /keychain cannot be used/i;

describe('the CLI says one thing at a time, in the right order', () => {
  it('serve with a bad argument or a bad config says only that, without the keychain warning', async () => {
    const dataDir = await makeDataDir();
    const badPort = spawnSync(process.execPath, [CLI, 'serve', '--port', 'abc'], { env: childEnv(dataDir, NO_KEYCHAIN), encoding: 'utf8', timeout: 60_000 });
    assert.equal(badPort.status, 2);
    assert.equal(badPort.stderr, 'inlet serve: --port must be a number from 0 to 65535, not "abc".\n');

    await writeFile(join(dataDir, 'config.json'), '{ "port": 80, }');
    const badConfig = spawnSync(process.execPath, [CLI, 'serve', '--port', '0'], { env: childEnv(dataDir, NO_KEYCHAIN), encoding: 'utf8', timeout: 60_000 });
    assert.equal(badConfig.status, 1);
    assert.doesNotMatch(badConfig.stderr, KEYCHAIN_WARNING);
    assert.match(badConfig.stderr, /config\.json is not valid JSON/);
  });

  it('a serve that runs gives the keychain warning once, and prints a line for Cursor', async () => {
    const hub = await startHub({ env: NO_KEYCHAIN });
    try {
      const printed = await untilPrinted(hub, 'Offer a stdio MCP server');
      assert.match(printed, /^ {2}Cursor: +.* connect cursor --write$/m);
      // The warning is logged right before the welcome, so it is on stderr by now or very soon.
      while (!KEYCHAIN_WARNING.test(hub.stderr())) {
        if (hub.process.exitCode !== null) break;
        await new Promise((resolve) => hub.process.stderr!.once('data', resolve));
      }
      assert.equal(hub.stderr().match(new RegExp(KEYCHAIN_WARNING.source, 'gi'))?.length, 1);
    } finally {
      await hub.stop();
    }
  });

  it('--help lines every command up with its description, and cites no file outside the project', () => {
    const rows = usage.split('\n').filter((line) => /^ {2}[a-z]+ +\S/.test(line));
    assert.equal(rows.length, HELP.length, usage);
    // Two spaces at least after the longest name, and every description in the same column.
    const columns = new Set(rows.map((row) => /^ {2}[a-z]+ {2,}/.exec(row)?.[0].length));
    assert.equal(columns.size, 1, usage);
    assert.notEqual([...columns][0], undefined, usage);
    for (const text of [usage, ...HELP]) assert.doesNotMatch(text, /DESIGN|shared\//, text);
  });

  it('the bridge says in one sentence that no hub runs, and when it retries', async () => {
    const dataDir = await makeDataDir();
    const bridge = spawn(process.execPath, [CLI, 'bridge', '--name', 'lonely', '--', process.execPath, '-e', 'setInterval(() => {}, 1000)'], { env: childEnv(dataDir), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    bridge.stderr!.setEncoding('utf8');
    try {
      while (!/retrying in/.test(stderr)) {
        stderr += await new Promise<string>((resolve) => bridge.stderr!.once('data', resolve));
      }
    } finally {
      bridge.kill('SIGTERM');
    }
    const line = stderr.split('\n').find((l) => /retrying in/.test(l))!;
    assert.match(line, /No hub is running for the data dir .* \(start one with `inlet serve`\); retrying in 1 s\./);
    assert.doesNotMatch(line, /\.;/);
  });
});
