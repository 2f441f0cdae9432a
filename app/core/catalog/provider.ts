import type { CallToolResult, Progress, Tool } from '@modelcontextprotocol/server';
import type { TokenIdentity } from '../security/tokens.js';

/**
 * What the catalog needs of anything that offers tools (docs/mcp-link.md, Registrants in the
 * catalog). Two kinds exist today:
 *  - `socket`: a provider that dialled `/ws` (providers/provider-connection.ts); its tools are
 *    exposed as `<provider>__<tool>`;
 *  - `registrant`: a tool an MCP-Link client registered through the `remote` tool over `/sse`
 *    (remote/registered-tool.ts); its one tool is exposed under its bare name.
 * The two kinds have separate name spaces: a registrant `browser` and the companion extension's
 * provider `browser` never replace each other.
 */
export type ProviderKind = 'socket' | 'registrant';

export interface ProviderCallOptions {
  signal?: AbortSignal;
  onprogress?: (progress: Progress) => void;
  timeoutMs: number;
  meta?: Record<string, unknown>;
}

export interface CatalogProvider {
  readonly kind: ProviderKind;
  readonly name: string;
  readonly identity: TokenIdentity;
  readonly remoteAddress: string;
  readonly connectedAt: number;
  readonly stats: { calls: number; errors: number; inFlight: number; totalMs: number };
  readonly state: 'initializing' | 'ready' | 'closed';
  readonly tools: readonly Tool[];
  readonly serverInfo?: { name: string; version: string } | undefined;
  readonly protocol?: string | undefined;
  callTool(tool: string, args: Record<string, unknown> | undefined, options: ProviderCallOptions): Promise<CallToolResult>;
  close(code: number, reason: string): void;
}

/** The registry's key for a provider: the kinds never share a name. */
export function providerKey(provider: Pick<CatalogProvider, 'kind' | 'name'>): string {
  return provider.kind === 'socket' ? provider.name : `${provider.kind}:${provider.name}`;
}
