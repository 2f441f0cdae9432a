import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import WebSocket, { WebSocketServer } from 'ws';
import { ConfigSchema } from '../app/core/config/config.js';
import { loadOrCreateSecret, TokenService } from '../app/core/security/tokens.js';
import { WebSocketTransport } from '../app/core/providers/ws-transport.js';
import { secretFilePath } from '../app/os/data-dir.js';
import { FileSecretStore } from '../app/os/file-secret-store.js';
import { createEchoServer, flag } from './echo-server.js';

/**
 * The echo provider as a script, in its own process.
 *   --listen                       (a) a WebSocket *server* on 127.0.0.1:0; prints "listening URL"
 *   --hub URL --name N             (b) dials the hub as provider N (token: --token, or minted
 *                                  from INLET_HOME's secret for provider:N)
 *   --count K --tools T            K providers N0000…, T tools each (the many-providers run);
 *   --parallel P --wait-go         at most P handshakes at once; waits for "go" on stdin
 * Prints "ready" once loaded, "connected K" once every socket is open and "listed K" once the
 * hub has asked each of them for its tools.
 */
const argv = process.argv.slice(2);
const tools = Number(flag(argv, 'tools') ?? 1);
process.on('SIGTERM', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));

let listed = 0;
let expected = 1;

/** Serves one socket; counts providers whose first tools/list arrived ("listed N" once all have). */
async function serve(socket: WebSocket): Promise<void> {
  const transport = new WebSocketTransport(socket);
  await createEchoServer(tools).connect(transport);
  const deliver = transport.onmessage;
  let seen = false;
  transport.onmessage = (message) => {
    if (!seen && 'method' in message && message.method === 'tools/list') {
      seen = true;
      if (++listed === expected) process.stdout.write(`listed ${listed}\n`);
    }
    deliver?.(message);
  };
}

if (argv.includes('--listen')) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (socket) => void serve(socket));
  wss.on('listening', () => {
    process.stdout.write(`listening ws://127.0.0.1:${(wss.address() as AddressInfo).port}/\n`);
  });
} else {
  const hub = flag(argv, 'hub');
  const base = flag(argv, 'name') ?? 'echo';
  const count = Number(flag(argv, 'count') ?? 1);
  const parallel = Number(flag(argv, 'parallel') ?? 64);
  if (!hub) throw new Error('echo-provider needs --hub URL or --listen');
  let mint = (clientId: string) => flag(argv, 'token') ?? clientId;
  if (!flag(argv, 'token')) {
    const home = process.env.INLET_HOME;
    if (!home) throw new Error('echo-provider needs --token or INLET_HOME');
    const tokens = new TokenService(await loadOrCreateSecret(new FileSecretStore(secretFilePath(home))), ConfigSchema.parse({}));
    mint = (clientId) => tokens.mint(clientId);
  }
  expected = count;
  const names = count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}${String(i).padStart(4, '0')}`);
  process.stdout.write('ready\n');
  if (argv.includes('--wait-go')) {
    const lines = createInterface({ input: process.stdin });
    await new Promise<void>((resolve) => lines.on('line', (line) => line.trim() === 'go' && resolve()));
  }
  const dial = (name: string) =>
    new Promise<void>((resolve, reject) => {
      const url = `${hub}?server_name=${encodeURIComponent(name)}&token=${encodeURIComponent(mint(`provider:${name}`))}`;
      const socket = new WebSocket(url, { perMessageDeflate: false });
      void serve(socket); // connected before 'open', so the hub's initialize is never missed
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('close', (code) => {
        process.stderr.write(`provider ${name} closed (${code})\n`);
      });
    });
  let next = 0;
  const worker = async () => {
    while (next < names.length) await dial(names[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, names.length) }, worker));
  process.stdout.write(`connected ${names.length}\n`);
}
