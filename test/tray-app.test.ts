import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { nativeHostLauncher } from '../app/core/base/install-layout.js';
import { setLogLevel } from '../app/core/base/log.js';
import { ConfigSchema } from '../app/core/config/config.js';
import type { HubFile } from '../app/core/discovery/hub-file.js';
import { TokenService } from '../app/core/security/tokens.js';
import { FileSecretStore } from '../app/os/file-secret-store.js';
import { COMPANION_EXTENSION_ID } from '../app/os/companion-extension.js';
import { startTrayApp, type TrayApp, type TrayAppOptions } from '../app/main/tray-app.js';
import { PANEL_WINDOW_OPTIONS } from '../app/main/panel-window.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { FakeElectron, FakeInstanceLock } from './helpers/fake-electron.js';
import { makeDataDir, names, ROOT, textOf } from './helpers/hub-process.js';

/**
 * The tray app's main process (app/main/tray-app.ts) against a real hub. Electron itself cannot
 * run on these machines (its binary cannot be downloaded), so the app is given an Electron
 * FACADE (test/helpers/fake-electron.ts) that records what a user would see: the tray, the
 * panel window, notifications, the clipboard. Everything else is real: the hub runs in its own
 * process (child_process.fork standing in for utilityProcess, behind the same interface), main
 * reaches it only through the admin API, windows load real login URLs, providers and AI clients
 * are real SDK peers, and files land in a scratch home. The cases run in order on one app.
 */
const HUB_MODULE = join(ROOT, 'dist', 'app', 'os', 'hub-process.js');
const MANIFEST = 'com.inlet.hub.json';

describe('the tray app, through an Electron facade (Electron cannot run here), against a real hub process', () => {
  const lock = new FakeInstanceLock();
  const electron = new FakeElectron(lock);
  let app: TrayApp;
  let dataDir: string;
  let home: string;
  let options: TrayAppOptions;
  let ai: Client | undefined;
  let provider: Awaited<ReturnType<typeof dialProvider>> | undefined;
  const keychainBefore = process.env.INLET_KEYCHAIN;

  const hubFile = async () => JSON.parse(await readFile(join(dataDir, 'hub.json'), 'utf8')) as HubFile;
  const up = () => (app.supervisor.life.phase === 'up' ? app.supervisor.life : undefined);
  const mint = async (clientId: string) => {
    const secret = await new FileSecretStore(join(dataDir, 'secret')).get();
    return new TokenService(secret!, ConfigSchema.parse({})).mint(clientId);
  };
  const admin = async (method: string, path: string) =>
    fetch(`${up()!.urls.api}${path}`, { method, headers: { Authorization: `Bearer ${await mint('admin')}` } });

  before(async () => {
    // The install secret goes to the data dir's 0600 file, never the keychain of whoever runs the tests.
    process.env.INLET_KEYCHAIN = 'off';
    setLogLevel('error');
    dataDir = await makeDataDir({ approvals: { default: 'ask', timeout_s: 60 } });
    home = await mkdtemp(join(tmpdir(), 'inlet-tray-home-'));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), INLET_HOME: dataDir, INLET_LOG: 'warn' };
    delete env.NODE_EXTRA_CA_CERTS;
    options = {
      electron,
      dataDir,
      hubModule: HUB_MODULE,
      hubArgs: ['--port', '0'],
      env,
      platform: 'linux',
      home,
      // Chromium and Firefox "installed" for this user; the manifests land in the scratch home.
      manifests: { isPresent: (browser) => browser === 'chromium' || browser === 'firefox' },
      executable: '/opt/Inlet/inlet-app',
      restart: { firstRetryMs: 100, maxRetryMs: 1_000 },
    };
    app = (await startTrayApp(options))!;
    assert.ok(app, 'the first instance starts');
  });

  after(async () => {
    await ai?.close().catch(() => undefined);
    provider?.socket.close();
    await app?.quit().catch(() => undefined);
    if (keychainBefore === undefined) delete process.env.INLET_KEYCHAIN;
    else process.env.INLET_KEYCHAIN = keychainBefore;
    await rm(home, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  it('first run: makes the install secret, installs the manifests for the browsers present, and opens the welcome page', async () => {
    await electron.until('the idle tray', () => electron.tray.toolTip === 'Inlet: running, no tools connected yet');
    assert.match(electron.tray.image, /tray[\\/]idle\.png$/);
    assert.equal((await stat(join(dataDir, 'secret'))).mode & 0o777, 0o600);

    const chromium = JSON.parse(await readFile(join(home, '.config', 'chromium', 'NativeMessagingHosts', MANIFEST), 'utf8')) as { path: string; allowed_origins: string[] };
    assert.equal(chromium.path, nativeHostLauncher(), 'the manifest names this installation\'s launcher');
    assert.deepEqual(chromium.allowed_origins, [`chrome-extension://${COMPANION_EXTENSION_ID}/`]);
    assert.ok(existsSync(join(home, '.mozilla', 'native-messaging-hosts', MANIFEST)));
    assert.ok(!existsSync(join(home, '.config', 'google-chrome')), 'no manifest for a browser that is not there');

    const welcome = await electron.until('the welcome page', () => electron.windows[0]?.loads.find((load) => load.landed.endsWith('/#welcome')));
    assert.equal(welcome.status, 200, 'the login URL logged the window in and the panel answered');
    assert.equal(new URL(welcome.landed).origin, new URL(up()!.urls.panel).origin);
    const trayState = JSON.parse(await readFile(join(dataDir, 'tray.json'), 'utf8')) as { welcomed?: string; manifestsInstalled?: string };
    assert.ok(trayState.manifestsInstalled && trayState.welcomed, 'tray.json remembers both, so neither repeats');

    // The hub is its own process, found through hub.json like any other hub.
    const file = await hubFile();
    assert.equal(file.pid, up()!.pid);
    assert.notEqual(file.pid, process.pid);
    // Start at login is on after the first start: an XDG autostart entry running the app.
    assert.match(await readFile(join(home, '.config', 'autostart', 'inlet.desktop'), 'utf8'), /^Exec=\/opt\/Inlet\/inlet-app$/m);
    assert.ok(electron.menuLabels().includes('Start at login'));
  });

  it('the panel window is sandboxed, and navigation and new windows stay on the hub', () => {
    const window = electron.windows[0]!;
    assert.deepEqual(window.options, PANEL_WINDOW_OPTIONS);
    assert.equal(window.options.webPreferences?.contextIsolation, true);
    assert.equal(window.options.webPreferences?.sandbox, true);
    assert.equal(window.options.webPreferences?.nodeIntegration, false);
    assert.equal(window.options.webPreferences?.preload, undefined);
    const origin = new URL(up()!.urls.panel).origin;
    assert.equal(window.allow(`${origin}/#pending`), true);
    assert.equal(window.allow('https://example.com/'), false);
    assert.equal(window.allow(`${origin.replace(/:\d+$/, ':1')}/`), false, 'another port is another origin');
    window.elsewhere('https://modelcontextprotocol.io/');
    window.elsewhere('file:///etc/passwd');
    assert.deepEqual(electron.external, ['https://modelcontextprotocol.io/'], 'web links open in the browser, nothing else does');
  });

  it('a call waiting for approval raises a notification whose click opens the panel at that call', async () => {
    provider = await dialProvider(`${up()!.urls.ws}?server_name=tp&token=${encodeURIComponent(await mint('provider:tp'))}`, { tools: ['echo'] });
    await electron.until('serving', () => electron.tray.toolTip === 'Inlet: serving 1 tool from 1 provider');
    ai = new Client({ name: 'ai-test', version: '1' });
    await ai.connect(new StreamableHTTPClientTransport(new URL(up()!.urls.mcp), { requestInit: { headers: { Authorization: `Bearer ${await mint('ai:test')}` } } }));
    assert.ok(names((await ai.listTools()).tools).includes('tp__echo'));
    const result = ai.callTool({ name: 'tp__echo', arguments: { text: 'from the tray' } }) as Promise<CallToolResult>;

    const notification = await electron.until('a notification', () => electron.notifications.find((n) => n.title === 'A tool call waits for your approval'));
    assert.equal(notification.body, 'tp / echo, asked by ai:test');
    assert.match(electron.tray.image, /waiting\.png$/);
    assert.ok(electron.menuLabels().includes('tp / echo from ai:test…'));
    const [pending] = (await (await admin('GET', '/approvals')).json()) as Array<{ id: string }>;

    notification.click();
    const opened = await electron.until('the panel at the call', () => electron.windows[0]!.loads.find((load) => load.landed.endsWith(`/#pending/${pending!.id}`)));
    assert.equal(opened.status, 200);

    // The menu item opens the same place.
    const before = electron.windows[0]!.loads.length;
    electron.clickMenu('tp / echo from ai:test…');
    await electron.until('the menu opening the call', () => electron.windows[0]!.loads.length > before && electron.windows[0]!.loads.at(-1)!.landed.endsWith(`#pending/${pending!.id}`));

    const decided = await admin('POST', `/approvals/${pending!.id}/approve`);
    assert.equal(decided.status, 200);
    assert.equal(textOf(await result), 'echo:from the tray');
    await electron.until('the notification to close', () => notification.closed);
    await electron.until('serving again', () => /serving\.png$/.test(electron.tray.image));
  });

  it('"Pause all calls" pauses the hub, and the icon and menu follow', async () => {
    electron.clickMenu('Pause all calls');
    await electron.until('paused', () => /paused\.png$/.test(electron.tray.image));
    const config = JSON.parse(await readFile(join(dataDir, 'config.json'), 'utf8')) as { approvals: { paused: boolean } };
    assert.equal(config.approvals.paused, true);
    assert.equal(electron.tray.menu.find((item) => item.label === 'Pause all calls')?.checked, true);
    electron.clickMenu('Pause all calls');
    await electron.until('unpaused', () => /serving\.png$/.test(electron.tray.image));
  });

  it('"Connect an AI client" writes Cursor\'s and VS Code\'s configs with working tokens, and copies Claude Code\'s command', async () => {
    electron.clickMenu('Connect an AI client', 'Cursor');
    await electron.until('Cursor connected', () => electron.notifications.find((n) => n.title === 'Inlet connected' && /cursor/.test(n.body)));
    const cursor = JSON.parse(await readFile(join(home, '.cursor', 'mcp.json'), 'utf8')) as { mcpServers: { inlet: { url: string; headers: Record<string, string> } } };
    assert.equal(cursor.mcpServers.inlet.url, up()!.urls.mcp);
    const client = new Client({ name: 'cursor', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(cursor.mcpServers.inlet.url), { requestInit: { headers: cursor.mcpServers.inlet.headers } }));
    assert.ok(names((await client.listTools()).tools).includes('tp__echo'));
    await client.close();

    electron.clickMenu('Connect an AI client', 'VS Code');
    await electron.until('VS Code connected', () => electron.notifications.find((n) => /Code[\\/]User[\\/]mcp\.json/.test(n.body)));
    const vscode = JSON.parse(await readFile(join(home, '.config', 'Code', 'User', 'mcp.json'), 'utf8')) as { servers: { inlet: { type: string } } };
    assert.equal(vscode.servers.inlet.type, 'http');

    electron.clickMenu('Connect an AI client', 'Claude Code (copies the command)');
    const command = await electron.until('the clipboard', () => electron.clipboard.at(-1));
    assert.match(command, new RegExp(`^claude mcp add --transport http inlet ${up()!.urls.mcp.replace(/\./g, '\\.')} --header "Authorization: Bearer inlet1\\.ai:claude-code\\.`));

    electron.clickMenu('Connect an AI client', 'Claude Desktop');
    await electron.until('Claude Desktop connected', () => electron.notifications.find((n) => /claude_desktop_config\.json/.test(n.body)));
    const desktop = JSON.parse(await readFile(join(home, '.config', 'Claude', 'claude_desktop_config.json'), 'utf8')) as { mcpServers: { inlet: { command: string; args: string[] } } };
    // The tray's data dir is not the default one: the entry names it, so Claude Desktop reaches this hub.
    assert.deepEqual(desktop.mcpServers.inlet.args, [join(ROOT, 'bin', 'inlet.js'), '--data-dir', dataDir, 'stdio', '--name', 'claude-desktop']);
  });

  it('a second start hands over to the running app, which shows its panel, and quits', async () => {
    const second = new FakeElectron(lock);
    const focused = electron.windows[0]!.focused;
    assert.equal(await startTrayApp({ ...options, electron: second }), undefined);
    assert.equal(second.quitCalls, 1, 'the second instance quits');
    assert.equal(second.hubExits.length, 0, 'and starts no hub');
    await electron.until('the running app to show its panel', () => electron.windows[0]!.focused > focused);
  });

  it('a hub process that dies is shown as down and restarted; the new hub serves', async () => {
    const before = up()!.pid;
    const drawn = electron.tray.images.length;
    process.kill(before, 'SIGKILL');
    await electron.until('the down icon', () => electron.tray.images.slice(drawn).some((image) => /down\.png$/.test(image)));
    const again = await electron.until('a new hub', () => up()?.pid !== before && up());
    await electron.until('the live state of the new hub', () => electron.tray.toolTip === 'Inlet: running, no tools connected yet');
    assert.equal((await hubFile()).pid, again.pid);
    assert.equal(electron.hubExits[0], null, 'the killed hub had no exit code, only a signal');
    const health = await fetch(again.urls.healthz);
    assert.equal(health.status, 200);
  });

  it('"Start at login" turns the autostart entry off and on', async () => {
    const entry = join(home, '.config', 'autostart', 'inlet.desktop');
    electron.clickMenu('Start at login');
    await electron.until('unchecked', () => electron.tray.menu.find((item) => item.label === 'Start at login')?.checked === false);
    assert.ok(!existsSync(entry));
    electron.clickMenu('Start at login');
    await electron.until('checked', () => electron.tray.menu.find((item) => item.label === 'Start at login')?.checked === true);
    assert.ok(existsSync(entry));
  });

  it('Quit stops the hub cleanly: its process exits 0, hub.json goes, then the app exits', async () => {
    const late = await dialProvider(`${up()!.urls.ws}?server_name=late&token=${encodeURIComponent(await mint('provider:late'))}`);
    electron.clickMenu('Quit Inlet');
    await electron.until('the app to exit', () => electron.exitCode !== undefined);
    assert.equal(electron.exitCode, 0);
    assert.equal(electron.hubExits.at(-1), 0, 'the hub process exited by itself, with 0');
    assert.equal((await late.closed).code, 1001, 'providers were told the hub is going away');
    assert.ok(!existsSync(join(dataDir, 'hub.json')));
    assert.equal(electron.tray.destroyed, true);
  });

});

describe('the tray app when its hub cannot start (through the Electron facade)', () => {
  it('shows the hub\'s own sentence in the tray, keeps retrying with backoff, and serves once the cause is fixed', async () => {
    process.env.INLET_KEYCHAIN = 'off';
    setLogLevel('error');
    const dataDir = await makeDataDir();
    const home = await mkdtemp(join(tmpdir(), 'inlet-tray-home-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dataDir, 'config.json'), JSON.stringify({ reverse_mcp_settings: { heartbeat_s: 'often' } }));
    const electron = new FakeElectron(new FakeInstanceLock(), false);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), INLET_HOME: dataDir, INLET_LOG: 'error' };
    delete env.NODE_EXTRA_CA_CERTS;
    const app = (await startTrayApp({ electron, dataDir, hubModule: HUB_MODULE, hubArgs: ['--port', '0'], env, platform: 'linux', home, manifests: { isPresent: () => false }, restart: { firstRetryMs: 100, maxRetryMs: 400 } }))!;
    try {
      const down = await electron.until('the down state', () => electron.tray.menu[0]?.label?.startsWith('Hub down:') && electron.tray.menu[0].label);
      assert.match(down, /config file .*config\.json is invalid at "reverse_mcp_settings\.heartbeat_s"/);
      assert.match(electron.tray.toolTip, /is invalid at "reverse_mcp_settings\.heartbeat_s": .*expected number/, 'the tooltip has the whole sentence');
      assert.match(electron.tray.image, /down\.png$/);
      assert.ok(electron.menuLabels().includes('Restart the hub now'));
      assert.equal(electron.tray.menu.find((item) => item.label === 'Open panel')?.enabled, false);
      assert.ok(!electron.menuLabels().includes('Start at login'), 'a source checkout does not register itself at login');
      await electron.until('a second failed start', () => electron.hubExits.filter((code) => code === 1).length >= 2);

      await writeFile(join(dataDir, 'config.json'), JSON.stringify({ approvals: { default: 'allow' } }));
      await electron.until('the hub up after the fix', () => electron.tray.toolTip === 'Inlet: running, no tools connected yet');
      assert.equal(app.supervisor.life.phase, 'up');
    } finally {
      await app.quit();
      await rm(home, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the first run\'s native-messaging manifests', () => {
  it('are skipped, and retried at the next start, where the app has no fixed path (an AppImage)', async () => {
    const { prepareFirstRun, readTrayState } = await import('../app/main/first-run.js');
    const { createLogger } = await import('../app/core/base/log.js');
    const dataDir = await makeDataDir();
    const home = await mkdtemp(join(tmpdir(), 'inlet-tray-home-'));
    try {
      const context = {
        dataDir,
        secretStore: new FileSecretStore(join(dataDir, 'secret')),
        manifests: { platform: 'linux' as const, home, env: {}, isPresent: () => true },
        log: createLogger('test'),
      };
      const skipped = await prepareFirstRun({ ...context, noManifests: 'an AppImage has no fixed path' });
      assert.equal(skipped.firstStart, true);
      assert.ok(!existsSync(join(home, '.config', 'chromium', 'NativeMessagingHosts', MANIFEST)));
      assert.equal((await readTrayState(dataDir)).manifestsInstalled, undefined);
      const installed = await prepareFirstRun(context);
      assert.equal(installed.firstStart, false);
      assert.ok(existsSync(join(home, '.config', 'chromium', 'NativeMessagingHosts', MANIFEST)));
      assert.ok(skipped.secret.equals(installed.secret), 'the same install secret both times');
    } finally {
      await rm(home, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
