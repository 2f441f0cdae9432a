import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { RunningHub } from './hub-process.js';

/**
 * Stock SDK clients of each MCP revision, as AI clients use `/mcp`:
 * - `v2-auto`: the v2 client with version negotiation on (2026-07-28, no session; it opens its
 *   own `subscriptions/listen` stream for tool-list changes);
 * - `v1`: the v1 client (2025-11-25, a session and a GET stream);
 * - `v2-2025-06-18`: the v2 client offering 2025-06-18 only.
 * Results are read with a loose schema, so nothing the hub sends is stripped before a test sees it.
 */
export type ClientKind = 'v2-auto' | 'v1' | 'v2-2025-06-18';
export const CLIENT_KINDS: ClientKind[] = ['v2-auto', 'v1', 'v2-2025-06-18'];

type Loose = Record<string, unknown>;
const Loose = z.looseObject({});
const ToolList = z.looseObject({ tools: z.array(z.looseObject({ name: z.string() })) });

export interface CallOptions {
  onprogress?: (progress: { progress: number; total?: number }) => void;
  signal?: AbortSignal;
}

export interface RevisionClient {
  kind: ClientKind;
  /** The revision the client and the hub agreed on. */
  protocol: string | undefined;
  sessionId: string | undefined;
  listTools(): Promise<Array<{ name: string } & Loose>>;
  call(name: string, args?: Loose, options?: CallOptions): Promise<Loose>;
  /** Resolves at the next tool-list change the client hears. */
  nextListChange(): Promise<void>;
  close(): Promise<void>;
}

export async function connectClient(hub: RunningHub, kind: ClientKind, caller = `ai:${kind}`): Promise<RevisionClient> {
  const token = await hub.mint(caller);
  const requestInit = { headers: { Authorization: `Bearer ${token}` } };
  const url = new URL(hub.urls.mcp);
  const waiters: Array<() => void> = [];
  const changed = () => {
    for (const wake of waiters.splice(0)) wake();
  };
  const nextListChange = () => new Promise<void>((resolve) => waiters.push(resolve));
  const requestOptions = (options: CallOptions = {}) => ({ ...options, resetTimeoutOnProgress: true });
  // Both SDK lines' clients and transports have the same surface for what the tests use.
  const revisionClient = (
    protocol: string | undefined,
    client: { request(request: { method: string; params: Loose }, schema: z.ZodType, options?: object): Promise<unknown>; close(): Promise<void> },
    transport: { sessionId?: string; terminateSession(): Promise<void> },
  ): RevisionClient => ({
    kind,
    protocol,
    sessionId: transport.sessionId,
    listTools: async () => ((await client.request({ method: 'tools/list', params: {} }, ToolList)) as z.infer<typeof ToolList>).tools,
    call: async (name, args = {}, options) => (await client.request({ method: 'tools/call', params: { name, arguments: args } }, Loose, requestOptions(options))) as Loose,
    nextListChange,
    close: async () => {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  });
  if (kind === 'v1') {
    const client = new V1Client({ name: `test-${kind}`, version: '1.0.0' });
    client.setNotificationHandler(ToolListChangedNotificationSchema, changed);
    const transport = new V1Transport(url, { requestInit });
    await client.connect(transport);
    return revisionClient(transport.protocolVersion, client, transport);
  }
  const client =
    kind === 'v2-auto'
      ? new Client(
          { name: `test-${kind}`, version: '1.0.0' },
          { versionNegotiation: { mode: 'auto' }, listChanged: { tools: { onChanged: changed, debounceMs: 0, autoRefresh: false } } },
        )
      : new Client({ name: `test-${kind}`, version: '1.0.0' }, { supportedProtocolVersions: ['2025-06-18'] });
  if (kind !== 'v2-auto') client.setNotificationHandler('notifications/tools/list_changed', changed);
  const transport = new StreamableHTTPClientTransport(url, { requestInit });
  await client.connect(transport);
  return revisionClient(client.getNegotiatedProtocolVersion(), client, transport);
}
