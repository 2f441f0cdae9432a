import WebSocket from 'ws';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { describeError, HubError } from '../core/base/errors.js';
import { findRunningHub } from '../core/discovery/hub-file.js';
import { parseFrame } from '../core/base/json-rpc.js';
import { createLogger } from '../core/base/log.js';
import { CLOSE } from '../shared/close-codes.js';
import { parse } from './args.js';
import { BridgeRelay } from './bridge-relay.js';
import { ChildServer } from './child-server.js';
import { createContext, type CliContext } from './context.js';

export const bridgeHelp = `Usage: inlet bridge --name NAME [--hub URL] [--token TOKEN] [--restart] -- COMMAND ARGS...

Runs a stdio MCP server and offers its tools to the hub as provider NAME.
  --hub URL     the hub's provider socket (default: the local hub, found through hub.json)
  --token T     a provider token (default: minted for provider:NAME from this installation)
  --restart     restart the server with backoff when it exits (default: exit non-zero)
The connection to the hub is retried with backoff (1 s doubling to 30 s).`;

const MIN_BACKOFF = 1_000;
const MAX_BACKOFF = 30_000;

export async function bridge(argv: string[]): Promise<number> {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const command = split === -1 ? [] : argv.slice(split + 1);
  const { values } = parse(own, { name: { type: 'string' }, hub: { type: 'string' }, token: { type: 'string' }, restart: { type: 'boolean' } });
  if (values.help) return (console.log(bridgeHelp), 0);
  if (!values.name) throw new HubError('USAGE', 'inlet bridge needs --name NAME (the provider name its tools appear under).');
  if (command.length === 0) throw new HubError('USAGE', 'inlet bridge needs the server command after "--", e.g. inlet bridge --name fs -- npx @modelcontextprotocol/server-filesystem .');
  const context = createContext(values['data-dir']);
  return new Bridge({ name: values.name, hub: values.hub, token: values.token, restart: !!values.restart, command, context }).run();
}

interface BridgeOptions {
  name: string;
  hub?: string;
  token?: string;
  restart: boolean;
  command: string[];
  context: CliContext;
}

class Bridge {
  private readonly log = createLogger('bridge');
  private readonly relay = new BridgeRelay();
  private readonly child: ChildServer;
  private socket: WebSocket | undefined;
  private hubBackoff = MIN_BACKOFF;
  private childBackoff = MIN_BACKOFF;
  private stopped = false;
  private finish!: (code: number) => void;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: BridgeOptions) {
    this.child = new ChildServer(options.command[0]!, options.command.slice(1));
    this.relay.toChild = (message) => this.child.send(message);
    this.relay.toHub = (message) => {
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
    };
    this.child.onmessage = (message) => this.relay.fromChildMessage(message);
    this.child.onnoise = (line) => this.log.warn('ignored a line on the server stdout that is not JSON-RPC', { line: line.slice(0, 200) });
    this.child.onexit = (description, code) => this.childExited(description, code);
  }

  run(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.finish = (code) => {
        if (this.stopped) return;
        this.stopped = true;
        if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
        this.socket?.close(CLOSE.NORMAL, 'bridge stopping');
        this.child.stop();
        resolve(code);
      };
      const onSignal = () => this.finish(0);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      this.child.start();
      void this.connect();
    });
  }

  private get commandLine(): string {
    return this.options.command.join(' ');
  }

  private childExited(description: string, code: number): void {
    if (this.stopped) return;
    if (!this.options.restart) {
      process.stderr.write(`inlet bridge: the server "${this.commandLine}" ${description}; stopping.\n`);
      this.finish(code === 0 ? 1 : code);
      return;
    }
    const delay = this.childBackoff;
    this.childBackoff = Math.min(this.childBackoff * 2, MAX_BACKOFF);
    process.stderr.write(`inlet bridge: the server "${this.commandLine}" ${description}; restarting in ${delay / 1000} s.\n`);
    // The new process needs a fresh initialize: drop the hub connection so the hub re-initializes.
    this.relay.childRestarted();
    this.socket?.close(CLOSE.NORMAL, 'server restarting');
    setTimeout(() => {
      if (this.stopped) return;
      this.child.start();
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      if (!this.socket || this.socket.readyState >= WebSocket.CLOSING) void this.connect();
    }, delay);
  }

  private async target(): Promise<{ url: string; token: string }> {
    const url = this.options.hub ?? (await findRunningHub(this.options.context.dataDir)).urls.ws;
    const token = this.options.token ?? (await this.options.context.tokens()).mint(`provider:${this.options.name}`);
    return { url, token };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let target: { url: string; token: string };
    try {
      target = await this.target();
    } catch (error) {
      return this.retry(describeError(error));
    }
    const url = new URL(target.url);
    const socket = new WebSocket(url, {
      headers: { 'X-MCP-Server-Name': this.options.name, Authorization: `Bearer ${target.token}` },
      perMessageDeflate: false,
      maxPayload: 64 * 1024 * 1024,
    });
    this.socket = socket;
    let opened = false;
    socket.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        socket.terminate();
        if (status === 401 || status === 400 || status === 403) {
          process.stderr.write(`inlet bridge: the hub refused provider "${this.options.name}" (${status}): ${body.trim()}\n`);
          this.finish(2);
        } else {
          this.retry(`the hub answered ${status}`);
        }
      });
    });
    socket.on('open', () => {
      opened = true;
      this.hubBackoff = MIN_BACKOFF;
      this.relay.hubConnected();
      this.log.info('connected to the hub', { provider: this.options.name, url: url.origin + url.pathname });
    });
    socket.on('message', (data) => {
      const parsed = parseFrame(data.toString());
      if ('error' in parsed) {
        this.log.warn('the hub sent a frame that is not JSON-RPC; ignored', { error: parsed.error });
        return;
      }
      for (const message of parsed.messages) this.relay.fromHubMessage(message as JSONRPCMessage);
    });
    socket.on('error', (error) => {
      if (!opened) this.log.debug('hub connection failed', { error: describeError(error) });
    });
    socket.on('close', (code, reasonBuffer) => {
      if (this.socket !== socket) return;
      const reason = reasonBuffer.toString() || `code ${code}`;
      if (opened) this.relay.hubDisconnected(reason);
      if (this.stopped) return;
      if (code === CLOSE.REPLACED || code === CLOSE.REVOKED) {
        process.stderr.write(`inlet bridge: the hub closed the connection: ${reason}; stopping.\n`);
        this.finish(3);
        return;
      }
      if (!this.child.running && this.options.restart) return; // reconnects once the server restarts
      this.retry(opened ? `connection closed (${reason})` : 'hub not reachable');
    });
  }

  private retry(why: string): void {
    if (this.stopped) return;
    const delay = this.hubBackoff;
    this.hubBackoff = Math.min(this.hubBackoff * 2, MAX_BACKOFF);
    // `why` may be a whole sentence (a HubError's message): one sentence, one full stop.
    this.log.warn(`${why.replace(/\.+$/, '')}; retrying in ${delay / 1000} s.`, { provider: this.options.name });
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }
}
