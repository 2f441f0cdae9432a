import { randomUUID } from 'node:crypto';
import type { CallToolResult, GetPromptResult, CompleteResult, ReadResourceResult, ServerCapabilities, Tool } from '@modelcontextprotocol/server';
import type { Logger } from '../base/log.js';
import { RPC, RpcError } from '../base/rpc-error.js';
import { textResult, type CallOptions, type Provider, type ProviderEvent } from '../providers/provider.js';
import type { TokenIdentity } from '../security/tokens.js';
import type { RegisterRequest } from './remote-tool.js';
import { DEFAULT_REPLY_S, replyResult, typeMismatch, unwrapArguments } from './reverse-call.js';

/** Registrant providers are named `remote:<tool>` (after MCP-Link's `remote` tool). */
export const REGISTRANT_PREFIX = 'remote:';

/** MCP-Link's error code for a remote tool that did not answer. */
const REMOTE_FAILED = -32000;

/** The `/sse` session a registrant holds: where its pushed calls go. */
export interface RegistrantSession {
  readonly id: string;
  /** The identity of the token the session was opened with. */
  readonly identity: TokenIdentity;
  readonly remoteAddress: string;
  alive(): boolean;
  /** Writes one message on the session's stream (one `data:` line). */
  push(message: object): void;
}

interface PendingCall {
  resolve: (result: CallToolResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One tool an MCP-Link client registered (docs/mcp-link.md): a provider of kind `registrant`
 * whose single tool AI clients see under its bare name. A call is pushed on the registrant's
 * own stream as MCP-Link's `reverse` message and ends when the registrant POSTs `tools/reply`
 * with the call's id, when the reply deadline passes, or when the registrant goes away.
 */
export class RegisteredTool implements Provider {
  readonly kind = 'registrant' as const;
  readonly connectedAt = Date.now();
  readonly registeredAt = new Date().toISOString();
  readonly stats = { calls: 0, errors: 0, inFlight: 0, totalMs: 0 };
  state: 'ready' | 'closed' = 'ready';
  readonly tools: readonly Tool[];
  readonly resources = [] as const;
  readonly resourceTemplates = [] as const;
  readonly prompts = [] as const;
  readonly capabilities: ServerCapabilities = { tools: {} };
  /** No MCP revision is negotiated with a registrant (MCP-Link clients never initialize). */
  readonly protocol = undefined;
  private readonly listeners = new Set<(event: ProviderEvent) => void>();
  /** Set by the owner: the tool is gone (unregistered, replaced or its session ended). */
  onClosed?: (reason: string) => void;
  private readonly pending = new Map<string, PendingCall>();
  private readonly schema: Tool['inputSchema'];

  /**
   * The provider's name: `remote:<tool>`, a name space of its own, so a registrant never takes
   * a socket provider's name (the companion extension's `browser`) nor the other way round.
   */
  readonly name: string;

  constructor(
    /** The name AI clients see: the one asked for, or `name2`, `name3`… on a clash. */
    readonly toolName: string,
    readonly request: RegisterRequest,
    readonly session: RegistrantSession,
    private readonly log: Logger,
  ) {
    this.name = `${REGISTRANT_PREFIX}${toolName}`;
    this.schema = { ...request.parameters, type: 'object' } as Tool['inputSchema'];
    // The readme leads: it is the short description a progressive-discovery listing shows.
    const readme = request.readme?.trim();
    const description = readme && readme !== request.description ? `${readme}\n\n${request.description}` : request.description;
    this.tools = [{ name: toolName, description, inputSchema: this.schema }];
  }

  get identity(): TokenIdentity {
    return this.session.identity;
  }

  get owner(): string {
    return this.session.identity.clientId;
  }

  get remoteAddress(): string {
    return this.session.remoteAddress;
  }

  /** The name the registrant asked for: pushed calls carry it, so a renamed registrant still answers. */
  get requestedName(): string {
    return this.request.tool_name;
  }

  async callTool(_tool: string, args: Record<string, unknown> | undefined, options: CallOptions): Promise<CallToolResult> {
    if (this.state === 'closed' || !this.session.alive()) {
      return textResult(`Remote tool ${this.toolName} is not reachable: its registrant connection is gone`, true);
    }
    const call = unwrapArguments(args, this.schema, DEFAULT_REPLY_S * 1000);
    const mismatch = typeMismatch(this.toolName, call.arguments, this.schema);
    if (mismatch) return textResult(mismatch, true);
    const started = performance.now();
    this.stats.calls++;
    this.stats.inFlight++;
    const callId = randomUUID();
    try {
      const result = await new Promise<CallToolResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(callId);
          reject(new RpcError(REMOTE_FAILED, `Remote tool '${this.toolName}' did not reply within ${Math.round(call.timeoutMs / 1000)} seconds`));
        }, call.timeoutMs);
        this.pending.set(callId, { resolve, reject, timer });
        const onAbort = () => this.settle(callId, undefined, new Error('cancelled'));
        if (options.signal?.aborted) return onAbort();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        this.session.push({
          jsonrpc: '2.0',
          id: callId,
          reverse: {
            tool: this.requestedName,
            call_id: callId,
            input: { method: 'tools/call', params: { name: this.requestedName, arguments: call.arguments }, jsonrpc: '2.0', id: callId },
            isError: false,
          },
        });
      });
      if (result.isError) this.stats.errors++;
      return result;
    } catch (error) {
      this.stats.errors++;
      throw error;
    } finally {
      this.stats.inFlight--;
      this.stats.totalMs += performance.now() - started;
    }
  }

  /** A `tools/reply` for `callId`: false when this tool has no such call waiting. */
  reply(callId: string, params: unknown): boolean {
    if (!this.pending.has(callId)) return false;
    this.settle(callId, replyResult(params, this.request.readme ?? this.request.description));
    return true;
  }

  /** Ends the registration; calls still waiting fail with MCP-Link's "disconnected" error. */
  close(_code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const callId of [...this.pending.keys()]) {
      this.settle(callId, undefined, new RpcError(REMOTE_FAILED, `Remote tool '${this.toolName}' disconnected before replying`));
    }
    this.log.info('registered tool removed', { tool: this.toolName, reason });
    this.onClosed?.(reason);
    for (const listener of this.listeners) listener({ type: 'closed', reason });
  }

  onEvent(listener: (event: ProviderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // A registrant offers one tool and nothing else (MCP-Link has no resources or prompts).
  readResource(): Promise<ReadResourceResult> {
    return Promise.reject(new RpcError(RPC.METHOD_NOT_FOUND, `Remote tool ${this.toolName} offers no resources.`));
  }

  getPrompt(): Promise<GetPromptResult> {
    return Promise.reject(new RpcError(RPC.METHOD_NOT_FOUND, `Remote tool ${this.toolName} offers no prompts.`));
  }

  complete(): Promise<CompleteResult> {
    return Promise.reject(new RpcError(RPC.METHOD_NOT_FOUND, `Remote tool ${this.toolName} offers no completions.`));
  }

  async subscribeResource(): Promise<void> {
    throw new RpcError(RPC.METHOD_NOT_FOUND, `Remote tool ${this.toolName} offers no resources.`);
  }

  async unsubscribeResource(): Promise<void> {}

  private settle(callId: string, result: CallToolResult | undefined, error?: Error): void {
    const call = this.pending.get(callId);
    if (!call) return;
    this.pending.delete(callId);
    clearTimeout(call.timer);
    if (error) call.reject(error);
    else call.resolve(result!);
  }
}
