import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { isInitializeRequest, isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describeError } from '../core/base/errors.js';
import { findRunningHub } from '../core/discovery/hub-file.js';
import { createLogger } from '../core/base/log.js';
import { parse } from './args.js';
import { createContext, type CliContext } from './context.js';

export const stdioHelp = `Usage: inlet stdio [--name NAME] [--url URL] [--token TOKEN] [--data-dir DIR]

A stdio MCP server that forwards everything to the local hub, for AI clients that only speak
stdio (Claude Desktop). Claude Desktop config:
  {"mcpServers": {"inlet": {"command": "node", "args": ["/path/to/inlet/bin/inlet.js", "stdio"]}}}
  (\`inlet serve\` prints this line with this installation's paths filled in.)
  --name NAME   the AI client's name in the hub (default "stdio": its token is ai:NAME)
  --url URL     the hub's /mcp URL (default: the local hub, found through hub.json)
  --token T     an AI token (default: minted for ai:NAME from this installation)`;

export async function stdio(argv: string[]): Promise<number> {
  const { values } = parse(argv, { name: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' } });
  if (values.help) return (console.log(stdioHelp), 0);
  const context = createContext(values['data-dir']);
  return new StdioForwarder(context, values.name ?? 'stdio', values.url, values.token).run();
}

/**
 * Relays JSON-RPC messages between our stdin/stdout and the hub's Streamable HTTP endpoint,
 * unchanged. If the hub restarts (its session is gone), it opens a new session by replaying the
 * client's initialize, then tells the client the tool list changed.
 */
class StdioForwarder {
  private readonly log = createLogger('stdio');
  private readonly local = new StdioServerTransport();
  private upstream: StreamableHTTPClientTransport | undefined;
  private initialize: JSONRPCMessage | undefined;
  private initialized = false;
  private reconnecting: Promise<void> | undefined;

  constructor(
    private readonly context: CliContext,
    private readonly name: string,
    private readonly url: string | undefined,
    private readonly token: string | undefined,
  ) {}

  run(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.local.onmessage = (message) => void this.forward(message);
      this.local.onclose = () => {
        void this.upstream?.close().catch(() => undefined);
        resolve(0);
      };
      this.local.onerror = (error) => this.log.warn('bad input on stdin', { error: describeError(error) });
      void this.local.start();
      process.stdin.on('end', () => void this.local.close());
    });
  }

  private async connectUpstream(): Promise<StreamableHTTPClientTransport> {
    const url = this.url ?? (await findRunningHub(this.context.dataDir)).urls.mcp;
    const token = this.token ?? (await this.context.tokens()).mint(`ai:${this.name}`);
    const upstream = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
    upstream.onmessage = (message) => this.fromHub(upstream, message);
    upstream.onerror = (error) => this.log.debug('hub transport error', { error: describeError(error) });
    await upstream.start();
    return upstream;
  }

  private async forward(message: JSONRPCMessage): Promise<void> {
    if (isInitializeRequest(message)) this.initialize = message;
    if ('method' in message && message.method === 'notifications/initialized') this.initialized = true;
    try {
      this.upstream ??= await this.connectUpstream();
      await this.upstream.send(message);
    } catch (error) {
      if (this.initialize && this.initialized && isSessionLost(error)) {
        try {
          await this.reopen();
          await this.upstream!.send(message);
          return;
        } catch (retryError) {
          error = retryError;
        }
      }
      this.upstream = undefined;
      if (isJSONRPCRequest(message)) {
        await this.local.send({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32000, message: `The Inlet hub is not reachable: ${describeError(error)}` },
        });
      }
    }
  }

  /** A new session after a hub restart: replay initialize, swallow its answer, re-announce tools. */
  private reopen(): Promise<void> {
    this.reconnecting ??= (async () => {
      await this.upstream?.close().catch(() => undefined);
      const upstream = await this.connectUpstream();
      upstream.onmessage = undefined;
      const answered = new Promise<void>((resolve) => {
        upstream.onmessage = (message) => {
          if ('id' in message && message.id === (this.initialize as { id: string | number }).id) {
            const result = (message as { result?: { protocolVersion?: string } }).result;
            if (result?.protocolVersion) upstream.setProtocolVersion(result.protocolVersion);
            upstream.onmessage = (next) => this.fromHub(upstream, next);
            resolve();
          }
        };
      });
      await upstream.send(this.initialize!);
      await answered;
      await upstream.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      this.upstream = upstream;
      this.log.info('reconnected to the hub with a new session');
      await this.local.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    })().finally(() => (this.reconnecting = undefined));
    return this.reconnecting;
  }

  private fromHub(upstream: StreamableHTTPClientTransport, message: JSONRPCMessage): void {
    if (this.initialize && 'id' in message && message.id === (this.initialize as { id: unknown }).id && 'result' in message) {
      const version = (message.result as { protocolVersion?: string }).protocolVersion;
      if (version) upstream.setProtocolVersion(version);
    }
    void this.local.send(message).catch(() => undefined);
  }
}

function isSessionLost(error: unknown): boolean {
  const text = describeError(error);
  return /\b404\b|ECONNREFUSED|fetch failed|Session not found/i.test(text);
}
