import { Client, LOG_LEVEL_META_KEY, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport as V1StdioTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { childEnv, CLI, connectAi, EVERYTHING, startBridge, type BridgeProcess, type RunningHub } from './hub-process.js';

/**
 * AI clients that answer what a provider asks them during a call, as AI apps do: each answers
 * sampling with a text naming itself, elicitation with a form filled in, roots with one root of
 * its own, and records what it was asked and the log lines it heard. `v2` speaks 2026-07-28
 * (the multi round-trip form), `v1` 2025-11-25 (server→client requests on its session).
 * `capable: false` declares none of the three capabilities. `via: 'stdio'` talks to the hub
 * through `inlet stdio --name <name>` (as Claude Desktop does) instead of HTTP; `via: 'sse'`
 * (the v1 client only) uses the legacy `/sse` surface.
 */
export interface AnsweringClient {
  name: string;
  /** The revision the client and the hub agreed on (the v1 client does not say). */
  protocol: string | undefined;
  asked: Array<{ method: string; params: unknown }>;
  logs: Array<{ level: string; data: unknown }>;
  call(name: string, args?: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<{ content: Array<{ type: string; text?: string }>; isError?: boolean }>;
  close(): Promise<void>;
}

/** Resolves once an AI client sees every one of `names` (a watcher client, closed after). */
export async function untilTools(hub: RunningHub, names: string[]): Promise<void> {
  const watcher = await connectAi(hub, 'ai:watcher');
  await watcher.waitForTools((tools) => names.every((name) => tools.some((t) => t.name === name)));
  await watcher.close();
}

/** server-everything bridged as `name`, once its tools (those that need sampling and roots too) are offered. */
export async function bridgeEverything(hub: RunningHub, name: string): Promise<BridgeProcess> {
  const bridge = startBridge(hub, name, [process.execPath, EVERYTHING]);
  await untilTools(hub, [`${name}__trigger-sampling-request`, `${name}__get-roots-list`]);
  return bridge;
}

export function samplingAnswer(name: string) {
  return { role: 'assistant' as const, content: { type: 'text' as const, text: `sampled by ${name}` }, model: `${name}-model` };
}
export const ELICITED = { name: 'Ada Lovelace', check: true };
export function rootOf(name: string) {
  return { uri: `file:///work/${name}`, name: `${name} root` };
}

export async function answeringClient(hub: RunningHub, kind: 'v1' | 'v2', name: string, capable = true, via: 'http' | 'stdio' | 'sse' = 'http'): Promise<AnsweringClient> {
  const stdio = { command: process.execPath, args: [CLI, 'stdio', '--name', name], env: childEnv(hub.dataDir) as Record<string, string>, stderr: 'pipe' as const };
  const token = await hub.mint(`ai:${name}`);
  const requestInit = { headers: { Authorization: `Bearer ${token}` } };
  const url = new URL(hub.urls.mcp);
  const asked: AnsweringClient['asked'] = [];
  const logs: AnsweringClient['logs'] = [];
  const capabilities = capable ? { sampling: {}, elicitation: { form: {} }, roots: {} } : {};
  const answers = {
    sampling: (params: unknown) => (asked.push({ method: 'sampling/createMessage', params }), samplingAnswer(name)),
    elicitation: (params: unknown) => (asked.push({ method: 'elicitation/create', params }), { action: 'accept' as const, content: ELICITED }),
    roots: () => (asked.push({ method: 'roots/list', params: {} }), { roots: [rootOf(name)] }),
  };
  if (kind === 'v1') {
    const client = new V1Client({ name, version: '1' }, { capabilities });
    if (capable) {
      client.setRequestHandler(CreateMessageRequestSchema, (request) => answers.sampling(request.params));
      client.setRequestHandler(ElicitRequestSchema, (request) => answers.elicitation(request.params));
      client.setRequestHandler(ListRootsRequestSchema, () => answers.roots());
    }
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push({ level: n.params.level, data: n.params.data }));
    const sse = () => {
      const fetchWithToken: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${token}` } });
      return new SSEClientTransport(new URL((hub.urls as Record<string, string>).sse!), { requestInit, eventSourceInit: { fetch: fetchWithToken } });
    };
    const transport = via === 'stdio' ? new V1StdioTransport(stdio) : via === 'sse' ? sse() : new V1Transport(url, { requestInit });
    await client.connect(transport);
    return {
      name,
      protocol: transport instanceof V1Transport ? transport.protocolVersion : undefined,
      asked,
      logs,
      call: async (tool, args = {}, options) => (await client.callTool({ name: tool, arguments: args }, undefined, options)) as never,
      close: async () => {
        if (transport instanceof V1Transport) await transport.terminateSession().catch(() => undefined);
        await client.close();
      },
    };
  }
  const client = new Client({ name, version: '1' }, { versionNegotiation: { mode: 'auto' }, capabilities });
  if (capable) {
    client.setRequestHandler('sampling/createMessage', (request) => answers.sampling(request.params));
    client.setRequestHandler('elicitation/create', (request) => answers.elicitation(request.params));
    client.setRequestHandler('roots/list', () => answers.roots());
  }
  client.setNotificationHandler('notifications/message', (n) => void logs.push({ level: n.params.level, data: n.params.data }));
  await client.connect(via === 'stdio' ? new StdioClientTransport(stdio) : new StreamableHTTPClientTransport(url, { requestInit }));
  return {
    name,
    protocol: client.getNegotiatedProtocolVersion(),
    asked,
    logs,
    // A 2026-07-28 client hears log lines only at a level it names in the request's envelope.
    call: async (tool, args = {}, options) => (await client.callTool({ name: tool, arguments: args, _meta: { [LOG_LEVEL_META_KEY]: 'debug' } }, options)) as never,
    close: () => client.close(),
  };
}
