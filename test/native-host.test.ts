import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { watch } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ConfigSchema } from '../app/core/config/config.js';
import { ControlServer } from '../app/core/discovery/control-server.js';
import { createLogger } from '../app/core/base/log.js';
import { TokenService } from '../app/core/security/tokens.js';
import { controlSocketPath } from '../app/os/control-socket-path.js';
import { hubRecordPath, hubRecordsDir } from '../app/os/hub-records.js';
import { scratchHomeEnv, startHub as startServe, untilPrinted } from './helpers/hub-process.js';

const HOST = join(dirname(fileURLToPath(import.meta.url)), '..', 'native-host', 'main.js');
const URLS = { ws: 'ws://127.0.0.1:4100/ws', mcp: 'http://127.0.0.1:4100/mcp', sse: 'http://127.0.0.1:4100/sse' };
const CHROME_ID = 'abcdefghijklmnopabcdefghijklmnop';
/** The HOME the host runs with: a scratch one per test (set in beforeEach). */
let scratchHome = '';
type Frame = Record<string, unknown>;

function frame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message));
  return Buffer.concat([lengthPrefix(body.length), body]);
}

function lengthPrefix(length: number): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(length, 0);
  return header;
}

/** Parses a whole stdout capture as frames; anything that is not a whole frame is left over. */
function parseFrames(bytes: Buffer): { frames: Frame[]; leftover: number } {
  const frames: Frame[] = [];
  let offset = 0;
  while (bytes.length - offset >= 4) {
    const length = bytes.readUInt32LE(offset);
    if (bytes.length - offset - 4 < length) break;
    frames.push(JSON.parse(bytes.subarray(offset + 4, offset + 4 + length).toString('utf8')) as Frame);
    offset += 4 + length;
  }
  return { frames, leftover: bytes.length - offset };
}

/** The host as the browser sees it: a child process speaking frames on stdin/stdout. */
class HostProcess {
  private stdout = Buffer.alloc(0);
  private seen = 0;
  readonly exited: Promise<{ code: number | null; frames: Frame[]; leftover: number; stderr: string }>;
  private stderr = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.stdout = Buffer.concat([this.stdout, chunk]);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = once(child, 'close').then(([code]) => ({ code: code as number | null, ...parseFrames(this.stdout), stderr: this.stderr }));
  }

  /** As a browser starts it: a small environment; HOME is a scratch one (per-user records live there). */
  static start(args: string[], env: NodeJS.ProcessEnv): HostProcess {
    return new HostProcess(spawn(process.execPath, [HOST, ...args], { env: { PATH: process.env.PATH, HOME: scratchHome, ...env } }));
  }

  /** Waits for the next whole frame on stdout. */
  async next(): Promise<Frame> {
    for (;;) {
      const { frames } = parseFrames(this.stdout);
      if (frames.length > this.seen) return frames[this.seen++]!;
      await once(this.child.stdout, 'data');
    }
  }

  write(bytes: Buffer): void {
    this.child.stdin.write(bytes);
  }

  end(bytes?: Buffer): void {
    this.child.stdin.end(bytes);
  }
}

describe('native host', () => {
  let home: string;
  let tokens: TokenService;
  let server: ControlServer | undefined;

  async function startHub(revoked: string[] = []): Promise<void> {
    tokens = new TokenService(randomBytes(32), ConfigSchema.parse({ tokens: { revoked } }));
    server = new ControlServer({
      path: controlSocketPath(home),
      mint: (id) => tokens.mint(id),
      isRevoked: (id) => tokens.isRevoked(id),
      urls: () => URLS,
      log: createLogger('test:control'),
    });
    await server.start();
  }

  function assertDiscovery(frame: Frame, name: string): void {
    assert.equal(frame.type, 'inlet.discovery');
    assert.equal(frame.version, 1);
    assert.equal(frame.ws, URLS.ws);
    assert.equal(frame.mcp, URLS.mcp);
    assert.equal(frame.name, name);
    assert.equal(tokens.verify(frame.token as string)?.clientId, name, 'the token is a valid token for the caller');
    assert.deepEqual(frame.mcpServers, { inlet: { url: URLS.sse, headers: { Authorization: `Bearer ${frame.token as string}` } } });
  }

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'inlet-host-'));
    scratchHome = join(home, 'user-home');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(home, { recursive: true, force: true });
  });

  it('greets Chrome at once, answers each request with the same frame, and exits 0 at EOF', async () => {
    await startHub();
    const host = HostProcess.start([`chrome-extension://${CHROME_ID}/`], { INLET_HOME: home });
    const first = await host.next();
    assertDiscovery(first, `ext:${CHROME_ID}`);
    host.write(frame({ type: 'inlet.discover' }));
    assert.deepEqual(await host.next(), first);
    host.end(frame('again'));
    const result = await host.exited;
    assert.equal(result.code, 0);
    assert.deepEqual(result.frames, [first, first, first]);
    assert.equal(result.leftover, 0);
    assert.equal(result.stderr, '', 'silent unless INLET_HOST_DEBUG=1');
  });

  it("takes Chrome's Windows argv with --parent-window", async () => {
    await startHub();
    const host = HostProcess.start([`chrome-extension://${CHROME_ID}/`, '--parent-window=1234'], { INLET_HOME: home });
    assertDiscovery(await host.next(), `ext:${CHROME_ID}`);
    host.end();
    assert.equal((await host.exited).code, 0);
  });

  it("names a Firefox caller by the add-on id in Firefox's argv", async () => {
    await startHub();
    const host = HostProcess.start(['/home/me/.mozilla/native-messaging-hosts/com.inlet.hub.json', 'companion@inlet.dev'], { INLET_HOME: home });
    assertDiscovery(await host.next(), 'ext:companion@inlet.dev');
    host.end();
    assert.equal((await host.exited).code, 0);
  });

  it('names an add-in that launched it without arguments, by INLET_ADDIN_NAME or "addin"', async () => {
    await startHub();
    const named = HostProcess.start([], { INLET_HOME: home, INLET_ADDIN_NAME: 'fusion360' });
    assertDiscovery(await named.next(), 'addin:fusion360');
    named.end();
    const plain = HostProcess.start([], { INLET_HOME: home });
    assertDiscovery(await plain.next(), 'addin:addin');
    plain.end();
    assert.equal((await named.exited).code, 0);
    assert.equal((await plain.exited).code, 0);
  });

  it('says HUB_NOT_RUNNING when no hub answers, and finds a hub started later', async () => {
    const host = HostProcess.start([`chrome-extension://${CHROME_ID}/`], { INLET_HOME: home });
    const first = await host.next();
    assert.equal(first.type, 'inlet.error');
    assert.equal(first.code, 'HUB_NOT_RUNNING');
    assert.match(first.message as string, /not running/);
    await startHub();
    host.write(frame({}));
    assertDiscovery(await host.next(), `ext:${CHROME_ID}`);
    host.end();
    assert.equal((await host.exited).code, 0);
  });

  it('starts the tray app named by INLET_APP_PATH when no hub answers', async () => {
    // The Electron tray app cannot run here; a script in its place shows it was launched, and how.
    const marker = join(home, 'app-started');
    const app = join(home, 'fake-inlet-app');
    await writeFile(app, `#!/bin/sh\necho "$ELECTRON_RUN_AS_NODE" > "${marker}.tmp" && mv "${marker}.tmp" "${marker}"\n`);
    await chmod(app, 0o755);
    const started = new Promise<void>((resolve) => {
      const watcher = watch(home, (_event, name) => {
        if (name === 'app-started') {
          watcher.close();
          resolve();
        }
      });
    });
    const host = HostProcess.start([], { INLET_HOME: home, INLET_APP_PATH: app, ELECTRON_RUN_AS_NODE: '1' });
    const first = await host.next();
    assert.equal(first.code, 'HUB_NOT_RUNNING');
    assert.match(first.message as string, /starting/);
    await started;
    assert.equal((await readFile(marker, 'utf8')).trim(), '', 'the app does not inherit ELECTRON_RUN_AS_NODE');
    host.end();
    assert.equal((await host.exited).code, 0);
  });

  it('passes on the hub refusing a revoked caller', async () => {
    await startHub([`ext:${CHROME_ID}`]);
    const host = HostProcess.start([`chrome-extension://${CHROME_ID}/`], { INLET_HOME: home });
    const first = await host.next();
    assert.equal(first.type, 'inlet.error');
    assert.equal(first.code, 'REVOKED');
    host.end();
    assert.equal((await host.exited).code, 0);
  });

  it('passes on CLIENT_ID_INVALID for an add-in name the hub rejects', async () => {
    await startHub();
    const host = HostProcess.start([], { INLET_HOME: home, INLET_ADDIN_NAME: 'two words' });
    assert.equal((await host.next()).code, 'CLIENT_ID_INVALID');
    host.end();
    assert.equal((await host.exited).code, 0);
  });

  const malformed: Array<[string, Buffer]> = [
    ['garbage (a frame that is not JSON)', Buffer.concat([lengthPrefix(5), Buffer.from('hello')])],
    ['text where frames belong', Buffer.from('hello world\n')],
    ['a zero length', lengthPrefix(0)],
    ['an oversized length', Buffer.concat([lengthPrefix(64 * 1024 + 1), Buffer.alloc(16)])],
    ['EOF in the middle of a frame', Buffer.concat([lengthPrefix(100), Buffer.from('{"type":')])],
    ['EOF in the middle of a length', Buffer.from([7, 0])],
  ];
  for (const [what, bytes] of malformed) {
    it(`answers ${what} with one BAD_FRAME error and exits 1, writing only whole frames`, async () => {
      await startHub();
      const host = HostProcess.start([`chrome-extension://${CHROME_ID}/`], { INLET_HOME: home });
      const first = await host.next();
      host.write(frame({ type: 'inlet.discover' }));
      assert.deepEqual(await host.next(), first, 'a good frame before the bad one is still answered');
      host.end(bytes);
      const result = await host.exited;
      assert.equal(result.code, 1);
      assert.equal(result.leftover, 0);
      assert.equal(result.frames.length, 3);
      assert.equal(result.frames[2]!.type, 'inlet.error');
      assert.equal(result.frames[2]!.code, 'BAD_FRAME');
    });
  }
});

describe('native host and a hub outside the default data dir', () => {
  it('finds a hub started with INLET_HOME through the record it leaves, which goes when the hub stops', async () => {
    const hub = await startServe();
    await untilPrinted(hub, 'Offer a stdio MCP server');
    // The browser's environment: the user's HOME, no INLET_HOME.
    const { HOME } = scratchHomeEnv();
    const host = HostProcess.start([`chrome-extension://${CHROME_ID}/`], { HOME });
    const found = await host.next();
    assert.equal(found.type, 'inlet.discovery', JSON.stringify(found));
    assert.equal(found.ws, hub.urls.ws);
    assert.equal(found.name, `ext:${CHROME_ID}`);
    host.end();
    assert.equal((await host.exited).code, 0);

    assert.equal(await hub.stop('SIGINT'), 0);
    assert.deepEqual(await readdir(hubRecordsDir({ env: { HOME } })), [], 'the record is removed on shutdown');
    const later = HostProcess.start([`chrome-extension://${CHROME_ID}/`], { HOME });
    assert.equal((await later.next()).code, 'HUB_NOT_RUNNING');
    later.end();
    await later.exited;
  });

  it('ignores a record left by a hub that died, even where a socket still answers', async () => {
    const root = await mkdtemp(join(tmpdir(), 'inlet-host-records-'));
    const HOME = join(root, 'home');
    const dataDir = join(root, 'data');
    const tokens = new TokenService(randomBytes(32), ConfigSchema.parse({}));
    const server = new ControlServer({ path: controlSocketPath(dataDir), mint: (id) => tokens.mint(id), urls: () => URLS, log: createLogger('test:control') });
    await server.start();
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    const pid = gone.pid!;
    const record = hubRecordPath(dataDir, { env: { HOME } });
    await mkdir(dirname(record), { recursive: true });
    await writeFile(record, JSON.stringify({ dataDir, controlSocket: controlSocketPath(dataDir), pid, startedAt: new Date().toISOString() }));
    try {
      const host = HostProcess.start([`chrome-extension://${CHROME_ID}/`], { HOME });
      assert.equal((await host.next()).code, 'HUB_NOT_RUNNING');
      host.end();
      await host.exited;
    } finally {
      await server.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
