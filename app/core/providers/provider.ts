import type { AiChannel } from '../calls/ai-channel.js';
import type { ProviderLogLine } from '../../shared/admin-types.js';
import type {
  CallToolResult,
  CompleteRequestParams,
  CompleteResult,
  GetPromptResult,
  Progress,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplateType,
  ServerCapabilities,
  Tool,
} from '@modelcontextprotocol/client';

/**
 * What the catalog needs of any provider, whatever carries it (docs/provider-protocol.md):
 * - `socket`: an MCP server that dialled in on `/ws` (ProviderConnection);
 * - `builtin`: tools the hub itself offers, run in-process (`permissions__approve`);
 * - `registrant`: tools registered through MCP-Link's `remote` tool (bare names).
 * The catalog names what a provider offers by its kind (catalog/names.ts) and routes every
 * call, read, prompt and completion back to it by that name.
 */
export type ProviderKind = 'socket' | 'builtin' | 'registrant';

export type ProviderState = 'initializing' | 'ready' | 'closed';

/** The lists a provider offers; each changes on its own. */
export type ListKind = 'tools' | 'resources' | 'prompts';

export type ProviderEvent =
  /** One of its lists changed (resource templates count as `resources`); read the new one from the provider. */
  | { type: 'list-changed'; list: ListKind }
  /** A resource the hub subscribed to (`subscribeResource`) changed at the provider. */
  | { type: 'resource-updated'; uri: string; params?: Record<string, unknown> }
  /** The provider is gone; `reason` is one phrase for people. Its lists are void. */
  | { type: 'closed'; reason: string };

export interface ProviderStats {
  calls: number;
  errors: number;
  inFlight: number;
  totalMs: number;
}

/** How one request to a provider is made on behalf of an AI client. */
export interface RequestOptions {
  /** The AI client's cancellation. */
  signal?: AbortSignal;
  /** The longest silence before the request is given up (progress restarts it, for calls). */
  timeoutMs: number;
  /** `_meta` from the AI client's request, without its progressToken (the hub sets its own). */
  meta?: Record<string, unknown>;
  /** The AI client's id (from its token), e.g. `ai:claude`, for providers that act on who asks. */
  caller?: string;
}

export interface CallOptions extends RequestOptions {
  onprogress?: (progress: Progress) => void;
  /** Present when the AI client can hear progress: a provider that waits for a person calls it meanwhile. */
  onwaiting?: (waiting: { waitedMs: number; leftMs: number }) => void;
  /** The way back to the calling AI client, for the provider's requests and log lines during the call. */
  channel?: AiChannel;
}

export interface Provider {
  /** Unique among live providers of every kind; the namespace of its tools and prompts. */
  readonly name: string;
  readonly kind: ProviderKind;
  readonly state: ProviderState;
  /** The MCP revision spoken with it (`2026-07-28`, `2025-11-25`, …); `builtin` for in-process ones. */
  readonly protocol: string | undefined;
  /** What it declared (tools, resources with subscribe/listChanged, prompts, completions). */
  readonly capabilities: ServerCapabilities;
  /** The client id (from its token) that owns it; another client may not replace it. */
  readonly owner: string;
  /** When it connected or was registered (ms since the epoch). */
  readonly connectedAt: number;
  readonly stats: ProviderStats;
  /** Its peer's address, where it has one. */
  readonly remoteAddress?: string;
  /** Its `serverInfo`, where it sent one. */
  readonly serverInfo?: { name: string; version: string };

  /** Its recent log lines (`notifications/message`), oldest first, where it sends any. */
  readonly logs?: readonly ProviderLogLine[];

  /** The current lists, under the provider's own names and URIs. */
  readonly tools: readonly Tool[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplateType[];
  readonly prompts: readonly Prompt[];

  /** Calls one of its tools; a lost connection or timeout is a tool error, its JSON-RPC errors are thrown as RpcError. */
  callTool(name: string, args: Record<string, unknown> | undefined, options: CallOptions): Promise<CallToolResult>;
  /** Reads one resource by its own URI; errors are thrown as RpcError or HubError. */
  readResource(uri: string, options: RequestOptions): Promise<ReadResourceResult>;
  getPrompt(name: string, args: Record<string, string> | undefined, options: RequestOptions): Promise<GetPromptResult>;
  /** `completion/complete` with the ref already in the provider's own names. */
  complete(params: CompleteRequestParams, options: RequestOptions): Promise<CompleteResult>;
  /** Asks to hear `resource-updated` for `uri` (the catalog calls it once per URI, for the first AI client). */
  subscribeResource(uri: string): Promise<void>;
  /** Stops hearing `uri` (after the last AI client let go). */
  unsubscribeResource(uri: string): Promise<void>;

  /** Hears its changes and its end; returns the unsubscribe. */
  onEvent(listener: (event: ProviderEvent) => void): () => void;
  /** Ends it (a socket gets `code` and `reason`); idempotent. */
  close(code: number, reason: string): void;
}

/** A tool result of one text, an error or not. */
export function textResult(text: string, isError = false): CallToolResult {
  return { content: [{ type: 'text', text }], isError };
}

/** The answer for a lost or timed-out call: a tool error the AI client can read. */
export function toolError(text: string): CallToolResult {
  return textResult(text, true);
}
