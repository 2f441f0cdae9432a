import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { ConfigSchema } from '../app/core/config/config.js';
import { ControlServer, type ControlServerOptions } from '../app/core/discovery/control-server.js';
import { isHubError } from '../app/core/base/errors.js';
import { createLogger } from '../app/core/base/log.js';
import { TokenService } from '../app/core/security/tokens.js';
import { controlSocketPath } from '../app/os/control-socket-path.js';

const URLS = { ws: 'ws://127.0.0.1:5/ws', mcp: 'http://127.0.0.1:5/mcp', sse: 'http://127.0.0.1:5/sse' };

function startServer(path: string, tokens: TokenService, bounds: Pick<ControlServerOptions, 'maxConnections' | 'maxLineBytes' | 'idleMs'> = {}): ControlServer {
  return new ControlServer({
    path,
    mint: (id) => tokens.mint(id),
    isRevoked: (id) => tokens.isRevoked(id),
    urls: () => URLS,
    log: createLogger('test:control'),
    ...bounds,
  });
}

/** A line-oriented client: send lines, read answers in order, see whether the hub closed. */
class LineClient {
  private buffered = '';
  private readonly lines: string[] = [];
  private waiters: Array<() => void> = [];
  readonly ended: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      let newline: number;
      while ((newline = this.buffered.indexOf('\n')) >= 0) {
        this.lines.push(this.buffered.slice(0, newline));
        this.buffered = this.buffered.slice(newline + 1);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** `allowHalfOpen` keeps this side writing after the hub ends its side, as a hostile client would. */
  static async open(path: string, options: { allowHalfOpen?: boolean } = {}): Promise<LineClient> {
    const socket = connect({ path, allowHalfOpen: options.allowHalfOpen });
    await once(socket, 'connect');
    return new LineClient(socket);
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Writes `chunk` again and again, up to `limit` bytes; returns whether the hub cut the connection first. */
  async flood(chunk: string, limit: number): Promise<boolean> {
    this.socket.on('error', () => undefined);
    for (let sent = 0; sent < limit; sent += chunk.length) {
      const flushed = await new Promise<boolean>((resolve) => this.socket.write(chunk, (error) => resolve(!error)));
      if (!flushed) return true;
    }
    return this.socket.destroyed;
  }

  async next(): Promise<Record<string, unknown>> {
    while (this.lines.length === 0) await new Promise<void>((wake) => this.waiters.push(wake));
    return JSON.parse(this.lines.shift()!) as Record<string, unknown>;
  }

  async ask(request: object): Promise<Record<string, unknown>> {
    this.send(JSON.stringify(request) + '\n');
    return this.next();
  }

  get pending(): number {
    return this.lines.length;
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('control socket', () => {
  let dir: string;
  let path: string;
  let server: ControlServer;
  const tokens = new TokenService(randomBytes(32), ConfigSchema.parse({ tokens: { revoked: ['ext:revokedrevokedrevokedrevokedrevo'] } }));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inlet-control-'));
    path = controlSocketPath(dir, 'linux');
    server = startServer(path, tokens);
    await server.start();
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is a socket file only its owner may use (mode 0600)', async () => {
    const info = await stat(path);
    assert.ok(info.isSocket());
    assert.equal(info.mode & 0o777, 0o600);
  });

  it('hands an ext: caller a working token and the hub URLs, several requests on one connection', async () => {
    const client = await LineClient.open(path);
    assert.deepEqual(await client.ask({ op: 'ping' }), { ok: true });
    const answer = await client.ask({ op: 'token', client: 'ext:abcdefghijklmnopabcdefghijklmnop' });
    assert.equal(answer.ok, true);
    assert.equal(answer.clientId, 'ext:abcdefghijklmnopabcdefghijklmnop');
    assert.deepEqual(answer.urls, URLS);
    assert.equal(tokens.verify(answer.token as string)?.clientId, 'ext:abcdefghijklmnopabcdefghijklmnop');
    const addin = await client.ask({ op: 'token', client: 'addin:fusion' });
    assert.equal(tokens.verify(addin.token as string)?.kind, 'addin');
    client.close();
  });

  it('answers requests that arrive split across packets and batched in one', async () => {
    const client = await LineClient.open(path);
    client.send('{"op":"pi');
    client.send('ng"}\n{"op":"ping"}\r\n\n');
    assert.deepEqual(await client.next(), { ok: true });
    assert.deepEqual(await client.next(), { ok: true });
    client.close();
  });

  it('refuses ai:, provider: and admin tokens with FORBIDDEN and keeps the connection', async () => {
    const client = await LineClient.open(path);
    for (const id of ['ai:claude', 'provider:everything', 'admin', 'nonsense']) {
      const answer = await client.ask({ op: 'token', client: id });
      assert.equal(answer.ok, false);
      assert.equal(answer.code, 'FORBIDDEN', id);
      assert.equal(answer.token, undefined);
    }
    assert.deepEqual(await client.ask({ op: 'ping' }), { ok: true });
    client.close();
  });

  it('answers CLIENT_ID_INVALID for malformed ids and REVOKED for revoked ones', async () => {
    const client = await LineClient.open(path);
    assert.equal((await client.ask({ op: 'token', client: 'ext:' })).code, 'CLIENT_ID_INVALID');
    assert.equal((await client.ask({ op: 'token', client: 'addin:two words' })).code, 'CLIENT_ID_INVALID');
    const revoked = await client.ask({ op: 'token', client: 'ext:revokedrevokedrevokedrevokedrevo' });
    assert.equal(revoked.code, 'REVOKED');
    assert.equal(revoked.token, undefined);
    client.close();
  });

  it('answers bad JSON with one error line, then closes', async () => {
    const client = await LineClient.open(path);
    client.send('{"op": nope}\n{"op":"ping"}\n');
    const answer = await client.next();
    assert.equal(answer.ok, false);
    assert.equal(answer.code, 'BAD_REQUEST');
    await client.ended;
    assert.equal(client.pending, 0);
  });

  it('answers a request of the wrong shape with one error line, then closes', async () => {
    const client = await LineClient.open(path);
    assert.equal((await client.ask({ op: 'shutdown' })).code, 'BAD_REQUEST');
    await client.ended;
  });

  it('closes after one error line when a line grows past 64 KiB', async () => {
    const client = await LineClient.open(path);
    client.send('{"op":"token","client":"' + 'x'.repeat(70 * 1024));
    assert.equal((await client.next()).code, 'TOO_LARGE');
    await client.ended;
  });

  it('refuses to start a second hub while the first answers', async () => {
    const second = startServer(path, tokens);
    await assert.rejects(second.start(), (error) => isHubError(error, 'LISTEN_FAILED'));
    const client = await LineClient.open(path);
    assert.deepEqual(await client.ask({ op: 'ping' }), { ok: true }, 'the first hub still answers');
    client.close();
  });
});

describe('control socket bounds', () => {
  const tokens = new TokenService(randomBytes(32), ConfigSchema.parse({}));
  let dir: string;
  let path: string;
  let server: ControlServer;

  // A server per test, so one test's connections never count against the next one's cap.
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inlet-control-'));
    path = join(dir, 'control.sock');
    server = startServer(path, tokens, { maxConnections: 2, maxLineBytes: 1024, idleMs: 300 });
    await server.start();
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('past its connection cap a new client is answered BUSY and closed, and a freed place is served again', async () => {
    const held = [await LineClient.open(path), await LineClient.open(path)];
    for (const client of held) assert.deepEqual(await client.ask({ op: 'ping' }), { ok: true });
    const turnedAway = await LineClient.open(path);
    const answer = await turnedAway.next();
    assert.equal(answer.code, 'BUSY');
    assert.match(String(answer.message), /already has 2 control connections open/);
    await turnedAway.ended;
    held[0]!.close();
    await held[0]!.ended;
    // The hub sees the close a moment after this side does: ask until a place is free.
    for (let attempt = 1; ; attempt++) {
      const client = await LineClient.open(path);
      const reply = await client.ask({ op: 'ping' });
      client.close();
      if (reply.ok === true) break;
      assert.equal(reply.code, 'BUSY');
      assert.ok(attempt < 100, 'a place never came free');
      await client.ended;
    }
    held[1]!.close();
  });

  it('a client that keeps writing after an oversized line is cut off, not read forever', async () => {
    const client = await LineClient.open(path, { allowHalfOpen: true });
    client.send('{"op":"token","client":"' + 'x'.repeat(2048));
    assert.equal((await client.next()).code, 'TOO_LARGE');
    assert.equal(await client.flood('x'.repeat(64 * 1024), 64 * 1024 * 1024), true, 'the hub cut the connection before 64 MiB more');
    await client.ended;
  });

  it('a connection that sends no complete request in time is answered IDLE and closed', async () => {
    const client = await LineClient.open(path);
    assert.deepEqual(await client.ask({ op: 'ping' }), { ok: true });
    client.send('{"op":');
    const answer = await client.next();
    assert.equal(answer.code, 'IDLE');
    assert.match(String(answer.message), /^No complete request within 0\.3 s/);
    await client.ended;
  });
});

describe('control socket start-up', () => {
  const tokens = new TokenService(randomBytes(32), ConfigSchema.parse({}));

  it('replaces a socket file left behind by a hub that died', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inlet-control-'));
    const path = join(dir, 'control.sock');
    // A real process listens and is killed with SIGKILL, so the socket file stays behind.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await once(child, 'exit');
    assert.ok((await stat(path)).isSocket());
    const server = startServer(path, tokens);
    await server.start();
    const client = await LineClient.open(path);
    assert.deepEqual(await client.ask({ op: 'ping' }), { ok: true });
    client.close();
    await server.close();
    assert.equal(existsSync(path), false, 'close() removes the socket file');
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves a file that is not a socket alone and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inlet-control-'));
    const path = join(dir, 'control.sock');
    await writeFile(path, 'precious');
    await assert.rejects(startServer(path, tokens).start(), (error) => isHubError(error, 'LISTEN_FAILED') && /not a socket/.test(error.message));
    assert.ok((await stat(path)).isFile());
    await rm(dir, { recursive: true, force: true });
  });

  it('names a per-user pipe on Windows and a file in the data dir elsewhere', () => {
    assert.equal(controlSocketPath('/home/me/.config/inlet', 'linux', 'me'), '/home/me/.config/inlet/control.sock');
    assert.equal(controlSocketPath('C:\\Users\\me\\AppData\\Roaming\\Inlet', 'win32', 'Jane Doe'), '\\\\.\\pipe\\inlet-Jane_Doe');
  });
});
