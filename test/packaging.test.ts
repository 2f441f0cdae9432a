import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import asar from '@electron/asar';
import { COMPANION_EXTENSION_ID } from '../app/os/companion-extension.js';
import type { HubFile } from '../app/core/discovery/hub-file.js';
import { makeDataDir, ROOT } from './helpers/hub-process.js';

/**
 * The packaged app, built as CI builds it: `electron-builder --dir` from electron-builder.yml,
 * offline. Electron's binary cannot be downloaded here, so `electronDist` is a placeholder
 * folder (a stand-in executable, a version file, resources/); everything electron-builder adds
 * around it (app.asar, the unpacked keytar, extraResources, app-update.yml) is real and checked.
 * Installers (nsis, dmg, AppImage, deb) download their tools and are built by the release
 * workflow instead. To run what the app would run, its app.asar is extracted beside a copy of
 * its resources, and node stands in for the app's binary (ELECTRON_RUN_AS_NODE mode is Node).
 */
const run = promisify(execFile);
const ELECTRON_VERSION = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;

describe('the packaged app (electron-builder --dir with a placeholder Electron)', () => {
  let scratch: string;
  let resources: string;
  let appAsar: string;
  /** A runnable copy of the app: the archive extracted to <stage>/resources/app.asar/, node as <stage>/inlet-app. */
  let stage: string;
  let hub: { process: ReturnType<typeof spawn>; file: HubFile; dataDir: string } | undefined;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'inlet-package-'));
    const electronDist = join(scratch, 'electron-dist');
    await mkdir(join(electronDist, 'resources'), { recursive: true });
    await writeFile(join(electronDist, 'electron'), '#!/bin/sh\necho "placeholder for the Electron binary" >&2\nexit 1\n');
    await chmod(join(electronDist, 'electron'), 0o755);
    await writeFile(join(electronDist, 'version'), ELECTRON_VERSION);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: scratch, XDG_CACHE_HOME: join(scratch, 'cache'), ELECTRON_BUILDER_CACHE: join(scratch, 'cache'), CI: '' };
    delete env.NODE_EXTRA_CA_CERTS;
    await run(process.execPath, [
      join(ROOT, 'node_modules', 'electron-builder', 'cli.js'),
      '--projectDir', ROOT, '--linux', 'dir', '--publish', 'never',
      `-c.electronDist=${electronDist}`,
      `-c.directories.output=${join(scratch, 'out')}`,
      // keytar is rebuilt for Electron's ABI in the release workflow, which downloads its headers.
      '-c.npmRebuild=false',
      // The release workflow finds the repository from its checkout; this build names one.
      '-c.publish.owner=inlet-test', '-c.publish.repo=inlet',
    ], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
    resources = join(scratch, 'out', 'linux-unpacked', 'resources');
    appAsar = join(resources, 'app.asar');

    stage = join(scratch, 'stage');
    await mkdir(join(stage, 'resources'), { recursive: true });
    for (const dir of ['native-host', 'bin', 'browser-extension']) cpSync(join(resources, dir), join(stage, 'resources', dir), { recursive: true });
    asar.extractAll(appAsar, join(stage, 'resources', 'app.asar'));
    symlinkSync(process.execPath, join(stage, 'inlet-app'));
  }, { timeout: 600_000 });

  after(async () => {
    if (hub && hub.process.exitCode === null) {
      hub.process.kill('SIGTERM');
      await new Promise((resolve) => hub!.process.once('exit', resolve));
    }
    if (hub) await rm(hub.dataDir, { recursive: true, force: true });
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('app.asar holds the built main process, the hub, the CLI and the panel, and nothing for development', () => {
    const files = new Set(asar.listPackage(appAsar, { isPack: false }).map((f) => f.replace(/\\/g, '/')));
    for (const file of ['/package.json', '/bin/inlet.js', '/dist/app/main/main.js', '/dist/app/main/tray-app.js', '/dist/app/os/hub-process.js', '/dist/app/cli/main.js', '/dist/app/core/hub.js', '/renderer/dist/index.html', '/build/icons/tray/waiting.png', '/build/icons/tray/waiting@2x.png']) {
      assert.ok(files.has(file), `${file} in app.asar`);
    }
    const pkg = JSON.parse(asar.extractFile(appAsar, 'package.json').toString()) as { main: string };
    assert.equal(pkg.main, 'dist/app/main/main.js');
    const index = asar.extractFile(appAsar, 'renderer/dist/index.html').toString();
    for (const [, asset] of index.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)) assert.ok(files.has(`/renderer/dist/${asset}`), `${asset} of the panel`);
    for (const dependency of ['@modelcontextprotocol/server', '@modelcontextprotocol/client', 'ws', 'zod', 'electron-updater']) assert.ok(files.has(`/node_modules/${dependency}/package.json`), dependency);
    const unwanted = [...files].filter((f) => /^\/(dist\/(test|bench)|test|bench|app|native-host|scripts)\//.test(f) || /\.(map|d\.ts)$/.test(f) || /^\/node_modules\/(electron|electron-builder|playwright-core|vite|typescript|eslint|@modelcontextprotocol\/sdk)\//.test(f));
    assert.deepEqual(unwanted, []);
  });

  it('keytar is unpacked from the archive, so its native module can load', () => {
    const keytar = join(resources, 'app.asar.unpacked', 'node_modules', 'keytar');
    assert.ok(existsSync(join(keytar, 'package.json')));
    assert.ok(existsSync(join(keytar, 'build', 'Release', 'keytar.node')));
  });

  it('the native host, its launchers, the inlet launchers and the companion extension sit in resources', () => {
    for (const file of ['native-host/inlet-native-host.sh', 'bin/inlet']) accessSync(join(resources, file), constants.X_OK);
    for (const file of ['native-host/inlet-native-host.mjs', 'native-host/inlet-native-host.cmd', 'bin/inlet.cmd', 'browser-extension/manifest.json']) assert.ok(statSync(join(resources, file)).isFile(), file);
    assert.equal(readFileSync(join(resources, 'native-host', 'inlet-native-host.mjs'), 'utf8'), readFileSync(join(ROOT, 'dist', 'native-host', 'inlet-native-host.mjs'), 'utf8'));
    assert.match(readFileSync(join(resources, 'app-update.yml'), 'utf8'), /provider: github/, 'electron-updater\'s feed');
    assert.ok(existsSync(join(scratch, 'out', 'linux-unpacked', 'inlet-app')), 'the binary under its Linux name');
  });

  it('the packaged inlet command runs through the app binary, and the manifests it installs name the packaged launcher', async () => {
    const home = join(scratch, 'home');
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), INLET_KEYCHAIN: 'off' };
    delete env.NODE_EXTRA_CA_CERTS;
    const inlet = join(stage, 'resources', 'bin', 'inlet');
    const version = await run(inlet, ['--version'], { env });
    assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    await run(inlet, ['manifests', 'install', '--browser', 'chromium'], { env });
    const manifest = JSON.parse(await readFile(join(home, '.config', 'chromium', 'NativeMessagingHosts', 'com.inlet.hub.json'), 'utf8')) as { path: string; allowed_origins: string[] };
    assert.equal(manifest.path, join(stage, 'resources', 'native-host', 'inlet-native-host.sh'));
    assert.deepEqual(manifest.allowed_origins, [`chrome-extension://${COMPANION_EXTENSION_ID}/`]);
  });

  it('the packaged hub serves its panel from app.asar, and the launcher a manifest names answers an extension', async () => {
    const dataDir = await makeDataDir();
    const env: NodeJS.ProcessEnv = { ...process.env, INLET_HOME: dataDir, INLET_KEYCHAIN: 'off', INLET_LOG: 'warn' };
    delete env.NODE_EXTRA_CA_CERTS;
    const child = spawn(join(stage, 'resources', 'bin', 'inlet'), ['serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    const login = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const url = /(http:\/\/127\.0\.0\.1:\d+\/login\?code=\S+)/.exec(out)?.[1];
        if (url) resolve(url);
      });
      child.once('exit', (code) => reject(new Error(`the packaged inlet serve exited ${code}: ${out}`)));
    });
    hub = { process: child, dataDir, file: JSON.parse(await readFile(join(dataDir, 'hub.json'), 'utf8')) as HubFile };
    assert.ok(out.includes(`as tools: ${join(stage, 'resources', 'bin', 'inlet')} --data-dir ${dataDir} bridge --name NAME`), 'it prints the packaged inlet command, naming its data dir');
    const redirect = await fetch(login, { redirect: 'manual' });
    const panel = await fetch(new URL('/', login), { headers: { Cookie: redirect.headers.get('set-cookie')!.split(';')[0]! } });
    assert.equal(panel.status, 200);
    assert.match(await panel.text(), /<div id="app">/);

    const frame = await firstFrame(join(stage, 'resources', 'native-host', 'inlet-native-host.sh'), [`chrome-extension://${COMPANION_EXTENSION_ID}/`], { ...env, INLET_LOG: 'error' });
    assert.equal(frame.type, 'inlet.discovery');
    assert.equal(frame.ws, hub.file.urls.ws);
    assert.match(String(frame.token), new RegExp(`^inlet1\\.ext:${COMPANION_EXTENSION_ID}\\.`));
  });
});

/** Starts a native host as a browser does and reads its first frame (4-byte length + JSON). */
function firstFrame(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let buffer = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < 4 || buffer.length < 4 + buffer.readUInt32LE(0)) return;
      child.stdin.end();
      resolve(JSON.parse(buffer.subarray(4, 4 + buffer.readUInt32LE(0)).toString('utf8')) as Record<string, unknown>);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the native host exited ${code} before a frame`)));
  });
}
