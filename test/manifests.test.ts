import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isHubError } from '../app/core/base/errors.js';
import {
  BROWSERS, installManifests, manifestStatus, planManifests, uninstallManifests,
  type Browser, type ManifestOptions, type RegRunner,
} from '../app/os/manifests.js';

const CHROME_ID = 'abcdefghijklmnopabcdefghijklmnop';
const OTHER_ID = 'ponmlkjihgfedcbaponmlkjihgfedcba';
const FIREFOX_ID = 'companion@inlet.dev';
const M = 'com.inlet.hub.json';

/** Per OS: the user's home, the launcher, and where each browser must find the manifest. */
const MACHINES = {
  linux: {
    home: '/home/me',
    hostPath: '/opt/inlet/build/native-host/inlet-native-host.sh',
    files: {
      chrome: `/home/me/.config/google-chrome/NativeMessagingHosts/${M}`,
      chromium: `/home/me/.config/chromium/NativeMessagingHosts/${M}`,
      edge: `/home/me/.config/microsoft-edge/NativeMessagingHosts/${M}`,
      brave: `/home/me/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/${M}`,
      vivaldi: `/home/me/.config/vivaldi/NativeMessagingHosts/${M}`,
      firefox: `/home/me/.mozilla/native-messaging-hosts/${M}`,
    },
    presence: { chrome: '/home/me/.config/google-chrome', firefox: '/home/me/.mozilla', brave: '/home/me/.config/BraveSoftware/Brave-Browser' },
    /** Edge's program as its vendor package installs it. */
    edgeProgram: '/opt/microsoft/msedge/msedge',
  },
  darwin: {
    home: '/Users/me',
    hostPath: '/Applications/Inlet.app/Contents/Resources/native-host/inlet-native-host.sh',
    files: {
      chrome: `/Users/me/Library/Application Support/Google/Chrome/NativeMessagingHosts/${M}`,
      chromium: `/Users/me/Library/Application Support/Chromium/NativeMessagingHosts/${M}`,
      edge: `/Users/me/Library/Application Support/Microsoft Edge/NativeMessagingHosts/${M}`,
      brave: `/Users/me/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts/${M}`,
      vivaldi: `/Users/me/Library/Application Support/Vivaldi/NativeMessagingHosts/${M}`,
      firefox: `/Users/me/Library/Application Support/Mozilla/NativeMessagingHosts/${M}`,
    },
    presence: { chrome: '/Users/me/Library/Application Support/Google/Chrome', firefox: '/Users/me/Library/Application Support/Firefox', brave: '/Users/me/Library/Application Support/BraveSoftware/Brave-Browser' },
    edgeProgram: '/Applications/Microsoft Edge.app',
  },
  win32: {
    home: 'C:\\Users\\me',
    hostPath: 'C:\\Program Files\\Inlet\\resources\\native-host\\inlet-native-host.cmd',
    files: Object.fromEntries(BROWSERS.map((b) => [b, `C:\\Users\\me\\AppData\\Local\\Inlet\\NativeMessagingHosts\\${b}\\${M}`])) as Record<Browser, string>,
    presence: { chrome: 'C:\\Users\\me\\AppData\\Local\\Google\\Chrome\\User Data', firefox: 'C:\\Users\\me\\AppData\\Roaming\\Mozilla\\Firefox', brave: 'C:\\Users\\me\\AppData\\Local\\BraveSoftware\\Brave-Browser\\User Data' },
    edgeProgram: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
  },
} as const;
type Os = keyof typeof MACHINES;

const CHROME_KEY = 'HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\com.inlet.hub';

/** reg.exe cannot run on Linux, so the registry is the one stand-in here: a map of key → default value. */
class FakeRegistry {
  readonly keys = new Map<string, string>();
  readonly calls: string[][] = [];
  readonly run: RegRunner = async (args) => {
    this.calls.push(args);
    const [verb, key] = args as [string, string];
    if (verb === 'add') this.keys.set(key, args[args.indexOf('/d') + 1]!);
    else if (verb === 'delete') return { code: this.keys.delete(key) ? 0 : 1, stdout: '' };
    else if (verb === 'query') {
      const value = this.keys.get(key);
      return value === undefined ? { code: 1, stdout: '' } : { code: 0, stdout: `\r\n${key}\r\n    (Default)    REG_SZ    ${value}\r\n\r\n` };
    }
    return { code: 0, stdout: 'The operation completed successfully.\r\n' };
  };
}

/** Maps an OS path into the temp root the same way the module under test does. */
function onDisk(root: string, osPath: string): string {
  return join(root, ...osPath.split(/[\\/]+/).filter(Boolean).map((part) => part.replace(/:$/, '')));
}

async function manifestFilesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.filter((entry) => entry.endsWith(M)).sort();
}

function chromeContent(hostPath: string, ids: string[]): string {
  const manifest = { name: 'com.inlet.hub', description: 'Inlet: hands the local MCP hub address and a token to extensions', path: hostPath, type: 'stdio', allowed_origins: ids.map((id) => `chrome-extension://${id}/`) };
  return JSON.stringify(manifest, null, 2) + '\n';
}

function firefoxContent(hostPath: string, ids: string[]): string {
  const manifest = { name: 'com.inlet.hub', description: 'Inlet: hands the local MCP hub address and a token to extensions', path: hostPath, type: 'stdio', allowed_extensions: ids };
  return JSON.stringify(manifest, null, 2) + '\n';
}

for (const os of Object.keys(MACHINES) as Os[]) {
  const machine = MACHINES[os];
  describe(`manifests on ${os}`, () => {
    let root: string;
    let registry: FakeRegistry;
    const options = (extra: Partial<ManifestOptions> = {}): ManifestOptions => ({
      platform: os, home: machine.home, env: {}, root, runReg: registry.run,
      hostPath: machine.hostPath, extensionIds: [CHROME_ID], firefoxIds: [FIREFOX_ID], ...extra,
    });

    beforeEach(async () => {
      root = await mkdtemp(join(tmpdir(), `inlet-manifests-${os}-`));
      registry = new FakeRegistry();
      await mkdir(onDisk(root, machine.presence.chrome), { recursive: true });
      await mkdir(onDisk(root, machine.presence.firefox), { recursive: true });
      const launcher = onDisk(root, machine.hostPath);
      await mkdir(join(launcher, '..'), { recursive: true });
      await writeFile(launcher, '#!/bin/sh\n');
    });
    afterEach(() => rm(root, { recursive: true, force: true }));

    it('plans every browser at its documented location with the exact manifest', () => {
      const plan = planManifests(options());
      assert.deepEqual(Object.fromEntries(plan.files.map((f) => [f.target, f.path])), machine.files);
      for (const file of plan.files) {
        const expected = file.target === 'firefox' ? firefoxContent(machine.hostPath, [FIREFOX_ID]) : chromeContent(machine.hostPath, [CHROME_ID]);
        assert.equal(file.content, expected, String(file.target));
      }
    });

    it(os === 'win32' ? 'plans the exact reg.exe commands, Brave and Vivaldi on Chrome\'s key' : 'plans no registry commands', () => {
      const plan = planManifests(options());
      if (os !== 'win32') return assert.deepEqual(plan.registry, []);
      const file = machine.files;
      assert.deepEqual(plan.registry.map((r) => [r.targets, r.add, r.delete]), [
        [['chrome', 'brave', 'vivaldi'], ['add', CHROME_KEY, '/ve', '/t', 'REG_SZ', '/d', file.chrome, '/f'], ['delete', CHROME_KEY, '/f']],
        [['chromium'], ['add', 'HKCU\\Software\\Chromium\\NativeMessagingHosts\\com.inlet.hub', '/ve', '/t', 'REG_SZ', '/d', file.chromium, '/f'], ['delete', 'HKCU\\Software\\Chromium\\NativeMessagingHosts\\com.inlet.hub', '/f']],
        [['edge'], ['add', 'HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\com.inlet.hub', '/ve', '/t', 'REG_SZ', '/d', file.edge, '/f'], ['delete', 'HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\com.inlet.hub', '/f']],
        [['firefox'], ['add', 'HKCU\\Software\\Mozilla\\NativeMessagingHosts\\com.inlet.hub', '/ve', '/t', 'REG_SZ', '/d', file.firefox, '/f'], ['delete', 'HKCU\\Software\\Mozilla\\NativeMessagingHosts\\com.inlet.hub', '/f']],
      ]);
    });

    it('installs for the browsers present only, and a second install changes nothing', async () => {
      const first = await installManifests(options());
      assert.deepEqual(first.installed.map((f) => f.target), ['chrome', 'firefox']);
      assert.deepEqual(first.skipped, ['chromium', 'edge', 'brave', 'vivaldi']);
      assert.equal(await readFile(onDisk(root, machine.files.chrome), 'utf8'), chromeContent(machine.hostPath, [CHROME_ID]));
      assert.equal(await readFile(onDisk(root, machine.files.firefox), 'utf8'), firefoxContent(machine.hostPath, [FIREFOX_ID]));
      const files = await manifestFilesUnder(root);
      const keys = [...registry.keys];
      await installManifests(options());
      assert.deepEqual(await manifestFilesUnder(root), files);
      assert.deepEqual([...registry.keys], keys);
      if (os === 'win32') assert.deepEqual(keys, [[CHROME_KEY, machine.files.chrome], ['HKCU\\Software\\Mozilla\\NativeMessagingHosts\\com.inlet.hub', machine.files.firefox]]);
    });

    it('counts a browser whose program is installed but which was never started (no profile yet)', async () => {
      const program = onDisk(root, machine.edgeProgram);
      await mkdir(join(program, '..'), { recursive: true });
      await writeFile(program, '');
      assert.equal((await manifestStatus(options())).find((s) => s.target === 'edge')?.state, 'missing');
      const result = await installManifests(options());
      assert.deepEqual(result.installed.map((f) => f.target), ['chrome', 'edge', 'firefox']);
      assert.equal(await readFile(onDisk(root, machine.files.edge), 'utf8'), chromeContent(machine.hostPath, [CHROME_ID]));
    });

    it('writes the browsers it is told to even when they look absent', async () => {
      const result = await installManifests(options({ browsers: ['edge'] }));
      assert.deepEqual(result.installed.map((f) => f.path), [machine.files.edge]);
      assert.ok(existsSync(onDisk(root, machine.files.edge)));
    });

    it('reports installed, missing, stale and not-present', async () => {
      await installManifests(options());
      await mkdir(onDisk(root, machine.presence.brave), { recursive: true });
      const state = async (extra: Partial<ManifestOptions> = {}) =>
        Object.fromEntries((await manifestStatus(options(extra))).map((s) => [s.target, s.state]));
      const brave = os === 'win32' ? 'installed' : 'missing'; // on Windows Brave reads Chrome's key, which is installed
      assert.deepEqual(await state(), { chrome: 'installed', chromium: 'not-present', edge: 'not-present', brave, vivaldi: 'not-present', firefox: 'installed' });
      assert.equal((await state({ hostPath: machine.hostPath.replace('inlet-native-host', 'other-host') })).chrome, 'stale', 'another host path');
      assert.equal((await state({ extensionIds: [CHROME_ID, OTHER_ID] })).chrome, 'stale', 'a requested extension id is missing');
      await rm(onDisk(root, machine.hostPath));
      const missingHost = await manifestStatus(options());
      assert.equal(missingHost.find((s) => s.target === 'firefox')?.state, 'stale', 'the launcher is gone');
      assert.match(missingHost.find((s) => s.target === 'firefox')?.detail ?? '', /does not exist/);
    });

    it('uninstalls everything it installed and leaves no manifest behind', async () => {
      await installManifests(options({ browsers: [...BROWSERS] }));
      assert.equal((await manifestFilesUnder(root)).length, 6);
      const { removed } = await uninstallManifests(options());
      assert.equal(removed.length, os === 'win32' ? 10 : 6);
      assert.deepEqual(await manifestFilesUnder(root), []);
      assert.equal(registry.keys.size, 0);
      if (os === 'win32') assert.equal(existsSync(onDisk(root, 'C:\\Users\\me\\AppData\\Local\\Inlet')), false);
      assert.deepEqual((await uninstallManifests(options())).removed, [], 'a second uninstall finds nothing');
    });

    it('writes just the Chrome-format manifest into --dir, and removes it again', async () => {
      const dir = join(root, 'chromium-profile', 'NativeMessagingHosts');
      const result = await installManifests(options({ dir }));
      assert.deepEqual(result.installed.map((f) => [f.target, f.path]), [['dir', join(dir, M)]]);
      assert.deepEqual(await manifestFilesUnder(root), [join('chromium-profile', 'NativeMessagingHosts', M)]);
      assert.equal(await readFile(join(dir, M), 'utf8'), chromeContent(machine.hostPath, [CHROME_ID]));
      assert.equal(registry.calls.length, 0);
      assert.deepEqual((await manifestStatus(options({ dir }))).map((s) => s.state), ['installed']);
      await uninstallManifests(options({ dir }));
      assert.deepEqual(await manifestFilesUnder(root), []);
    });
  });
}

describe('manifests on Windows, shared registry key', () => {
  it('keeps Chrome\'s key pointing at Brave\'s manifest when only Chrome is uninstalled', async () => {
    const root = await mkdtemp(join(tmpdir(), 'inlet-manifests-shared-'));
    const registry = new FakeRegistry();
    const machine = MACHINES.win32;
    const options: ManifestOptions = { platform: 'win32', home: machine.home, env: {}, root, runReg: registry.run, hostPath: machine.hostPath, extensionIds: [CHROME_ID] };
    await installManifests({ ...options, browsers: ['chrome', 'brave'] });
    assert.equal(registry.keys.get(CHROME_KEY), machine.files.chrome);
    await uninstallManifests({ ...options, browsers: ['chrome'] });
    assert.equal(registry.keys.get(CHROME_KEY), machine.files.brave);
    await rm(root, { recursive: true, force: true });
  });
});

describe('manifest options', () => {
  const base: ManifestOptions = { platform: 'linux', home: '/home/me', env: {}, hostPath: '/opt/inlet/host.sh' };

  it('follows XDG_CONFIG_HOME for Chrome-family browsers on Linux, not for Firefox', () => {
    const plan = planManifests({ ...base, env: { XDG_CONFIG_HOME: '/xdg' } });
    assert.equal(plan.files.find((f) => f.target === 'chrome')?.path, `/xdg/google-chrome/NativeMessagingHosts/${M}`);
    assert.equal(plan.files.find((f) => f.target === 'firefox')?.path, `/home/me/.mozilla/native-messaging-hosts/${M}`);
  });

  it('accepts extension origins as ids and drops duplicates', () => {
    const plan = planManifests({ ...base, extensionIds: [`chrome-extension://${CHROME_ID}/`, CHROME_ID] });
    assert.deepEqual(JSON.parse(plan.files[0]!.content).allowed_origins, [`chrome-extension://${CHROME_ID}/`]);
  });

  it('refuses malformed extension ids and a relative host path with USAGE', () => {
    assert.throws(() => planManifests({ ...base, extensionIds: ['not-an-id'] }), (e) => isHubError(e, 'USAGE'));
    assert.throws(() => planManifests({ ...base, firefoxIds: ['no spaces allowed'] }), (e) => isHubError(e, 'USAGE'));
    assert.throws(() => planManifests({ ...base, hostPath: 'build/native-host/inlet-native-host.sh' }), (e) => isHubError(e, 'USAGE'));
  });

  it('finds a browser by its command on PATH, as a distribution package installs it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'inlet-manifests-path-'));
    await mkdir(join(root, 'usr', 'local', 'bin'), { recursive: true });
    await writeFile(join(root, 'usr', 'local', 'bin', 'firefox-esr'), '');
    const result = await installManifests({ ...base, root, env: { PATH: '/nowhere:/usr/local/bin' } });
    assert.deepEqual(result.installed.map((f) => f.target), ['firefox']);
    assert.ok(existsSync(join(root, 'home', 'me', '.mozilla', 'native-messaging-hosts', M)));
    await rm(root, { recursive: true, force: true });
  });

  it('asks an injected detector which browsers are present', async () => {
    const root = await mkdtemp(join(tmpdir(), 'inlet-manifests-detect-'));
    const asked: string[] = [];
    const result = await installManifests({ ...base, root, isPresent: (browser) => (asked.push(browser), browser === 'vivaldi') });
    assert.deepEqual(asked, [...BROWSERS]);
    assert.deepEqual(result.installed.map((f) => f.target), ['vivaldi']);
    await rm(root, { recursive: true, force: true });
  });
});
