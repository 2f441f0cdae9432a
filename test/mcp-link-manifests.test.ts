import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isHubError } from '../app/core/base/errors.js';
import { installMcpLink, mcpLinkStatus, uninstallMcpLink, type McpLinkOptions } from '../app/os/mcp-link-manifests.js';
import type { RegRunner } from '../app/os/manifests.js';

const F = 'com.aurafriday.shim.json';

/** Per OS: where MCP-Link's published reverse clients look for the manifest, in their order. */
const MACHINES = {
  linux: {
    home: '/home/me',
    hostPath: '/opt/inlet/build/native-host/inlet-native-host.sh',
    searched: [
      `/home/me/.config/google-chrome/NativeMessagingHosts/${F}`,
      `/home/me/.config/chromium/NativeMessagingHosts/${F}`,
      `/home/me/.config/microsoft-edge/NativeMessagingHosts/${F}`,
      `/home/me/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/${F}`,
      `/home/me/.var/app/com.google.Chrome/config/google-chrome/NativeMessagingHosts/${F}`,
      `/home/me/.var/app/org.chromium.Chromium/config/chromium/NativeMessagingHosts/${F}`,
    ],
  },
  darwin: {
    home: '/Users/me',
    hostPath: '/Applications/Inlet.app/Contents/Resources/native-host/inlet-native-host.sh',
    searched: ['Google/Chrome', 'Chromium', 'Microsoft Edge', 'BraveSoftware/Brave-Browser', 'Vivaldi'].map((d) => `/Users/me/Library/Application Support/${d}/NativeMessagingHosts/${F}`),
  },
  win32: {
    home: 'C:\\Users\\me',
    hostPath: 'C:\\Program Files\\Inlet\\resources\\native-host\\inlet-native-host.cmd',
    searched: [`C:\\Users\\me\\AppData\\Local\\AuraFriday\\${F}`],
  },
} as const;
type Os = keyof typeof MACHINES;

function onDisk(root: string, osPath: string): string {
  return join(root, ...osPath.split(/[\\/]+/).filter(Boolean).map((part) => part.replace(/:$/, '')));
}

for (const os of Object.keys(MACHINES) as Os[]) {
  const machine = MACHINES[os];
  describe(`inlet manifests --mcp-link on ${os}`, () => {
    let root: string;
    const keys = new Map<string, string>();
    const runReg: RegRunner = async (args) => {
      const [verb, key] = args as [string, string];
      if (verb === 'add') keys.set(key, args[args.indexOf('/d') + 1]!);
      if (verb === 'delete') return { code: keys.delete(key) ? 0 : 1, stdout: '' };
      if (verb === 'query') return keys.has(key) ? { code: 0, stdout: `    (Default)    REG_SZ    ${keys.get(key)}\r\n` } : { code: 1, stdout: '' };
      return { code: 0, stdout: '' };
    };
    const options = (extra: Partial<McpLinkOptions> = {}): McpLinkOptions => ({ platform: os, home: machine.home, env: {}, root, runReg, hostPath: machine.hostPath, ...extra });

    beforeEach(async () => {
      root = await mkdtemp(join(tmpdir(), `inlet-mcp-link-${os}-`));
      keys.clear();
      await mkdir(join(onDisk(root, machine.hostPath), '..'), { recursive: true });
      await writeFile(onDisk(root, machine.hostPath), '#!/bin/sh\n');
    });
    afterEach(() => rm(root, { recursive: true, force: true }));

    it('writes the manifest at every place the clients search, naming Inlet\'s native host', async () => {
      const { installed } = await installMcpLink(options());
      assert.deepEqual(installed, machine.searched);
      for (const path of machine.searched) {
        const manifest = JSON.parse(await readFile(onDisk(root, path), 'utf8')) as Record<string, unknown>;
        assert.equal(manifest.name, 'com.aurafriday.shim');
        assert.equal(manifest.path, machine.hostPath);
        assert.equal(manifest.type, 'stdio');
        assert.deepEqual(manifest.allowed_origins, ['chrome-extension://ddgfpbfaplmbjnipblicgkkfipnmflkf/']);
      }
      if (os === 'win32') assert.equal(keys.get('HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\com.aurafriday.shim'), machine.searched[0]);
      assert.deepEqual((await mcpLinkStatus(options())).map((s) => s.state), machine.searched.map(() => 'installed'));
    });

    it('refuses to replace a real MCP-Link install unless forced, then keeps it and puts it back on uninstall', async () => {
      const theirs = JSON.stringify({ name: 'com.aurafriday.shim', path: '/opt/aurafriday/shim', type: 'stdio' });
      const last = machine.searched[machine.searched.length - 1]!;
      await mkdir(join(onDisk(root, last), '..'), { recursive: true });
      await writeFile(onDisk(root, last), theirs);
      await assert.rejects(installMcpLink(options()), (error) => isHubError(error) && /MCP-Link is installed .*pass --force/.test(error.message));
      for (const path of machine.searched.filter((p) => p !== last)) assert.equal(existsSync(onDisk(root, path)), false, 'nothing written');
      assert.equal((await mcpLinkStatus(options())).find((s) => s.path === last)?.state, 'mcp-link');

      const { replaced } = await installMcpLink(options({ force: true }));
      assert.deepEqual(replaced, [last]);
      assert.equal(JSON.parse(await readFile(onDisk(root, last), 'utf8')).path, machine.hostPath);

      const { removed, restored } = await uninstallMcpLink(options());
      assert.deepEqual(removed, machine.searched);
      assert.deepEqual(restored, [last]);
      assert.equal(await readFile(onDisk(root, last), 'utf8'), theirs);
      for (const path of machine.searched.filter((p) => p !== last)) assert.equal(existsSync(onDisk(root, path)), false);
    });
  });
}
