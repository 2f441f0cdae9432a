import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import WebSocket from 'ws';
import { z } from 'zod';
import { Hub } from '../app/core/hub.js';
import type { Logger } from '../app/core/base/log.js';
import type { ToolRouter } from '../app/core/calls/tool-router.js';
import { WebSocketTransport } from '../app/core/providers/ws-transport.js';
import { controlSocketPath } from '../app/os/control-socket-path.js';
import { secretFilePath } from '../app/os/data-dir.js';
import { FileSecretStore } from '../app/os/file-secret-store.js';
import { removeOnExit, sleep } from './procs.js';

/**
 * A hub inside the bench process (the real `Hub`, as `inlet serve` builds it) with one echo
 * provider, also in this process, dialled in over `/ws` as provider `echo`. Caller, hub and
 * provider then share one clock and one event loop: a path inside the hub can be timed alone,
 * and a stamp taken in the provider compares with one taken before a request to the hub.
 */
export interface InProcessHub {
  hub: Hub;
  dataDir: string;
  /** The hub's router (`Hub.router`, public). */
  router: ToolRouter;
  /** performance.now() when the provider last received a tools/call (before the SDK parses it). */
  lastReceived(): number;
  stop(): Promise<void>;
}

export interface InProcessHubOptions {
  config: Record<string, unknown>;
  /** Serve the control socket too (for the native host). */
  controlSocket?: boolean;
  /** Connect the echo provider (default true). */
  provider?: boolean;
}

export const ECHO_TOOL = 'echo__echo';
export const ECHO_ARGS = { message: 'hello from the bench' };

/** The hub's info lines (a line per provider, per pending call) stay out of the bench output. */
export function quietLogger(namespace = 'hub'): Logger {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void process.stderr.write(`${level} [${namespace}] ${message}${fields ? ' ' + JSON.stringify(fields) : ''}\n`);
  const drop = () => undefined;
  return { error: write('ERROR'), warn: write('WARN'), info: drop, debug: drop, child: (sub) => quietLogger(`${namespace}:${sub}`) };
}

export async function startInProcessHub(options: InProcessHubOptions): Promise<InProcessHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inlet-bench-inproc-'));
  removeOnExit(dataDir);
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify(options.config, null, 2) + '\n');
  const hub = new Hub({
    dataDir,
    secretStore: new FileSecretStore(secretFilePath(dataDir)),
    port: 0,
    writeDiscovery: false,
    controlSocketPath: options.controlSocket ? controlSocketPath(dataDir) : undefined,
    log: quietLogger(),
  });
  await hub.start();
  let received = 0;
  let socket: WebSocket | undefined;
  if (options.provider !== false) {
    const server = new McpServer({ name: 'bench-echo', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.registerTool('echo', { description: 'Returns its message unchanged.', inputSchema: { message: z.string() } }, async ({ message }) => ({
      content: [{ type: 'text', text: message }],
    }));
    const url = `${hub.urls.ws}?server_name=echo&token=${encodeURIComponent(hub.tokens.mint('provider:echo'))}`;
    socket = new WebSocket(url, { perMessageDeflate: false });
    const transport = new WebSocketTransport(socket);
    await server.connect(transport); // before 'open', so the hub's initialize is never missed
    const deliver = transport.onmessage;
    transport.onmessage = (message) => {
      if ('method' in message && message.method === 'tools/call') received = performance.now();
      deliver?.(message);
    };
    await once(socket, 'open');
    const deadline = Date.now() + 10_000;
    while (hub.catalog.get(ECHO_TOOL)?.provider.state !== 'ready') {
      if (Date.now() > deadline) throw new Error(`${ECHO_TOOL} was not listed by the in-process hub within 10 s`);
      await sleep(5);
    }
  }
  const router: ToolRouter = hub.router;
  return {
    hub,
    dataDir,
    router,
    lastReceived: () => received,
    stop: async () => {
      socket?.close();
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
