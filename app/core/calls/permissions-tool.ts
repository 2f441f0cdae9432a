import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import { RPC, RpcError } from '../base/rpc-error.js';
import type { Config } from '../config/config.js';
import type { CallOptions, Provider, ProviderStats } from '../providers/provider.js';
import { PERMISSIONS_PROVIDER } from '../../shared/admin-types.js';
import type { ApprovalGate } from './approval-gate.js';
import { resolvePolicy } from './policy.js';

/**
 * `permissions__approve` (Iris-compatible, for Claude Code's `--permission-prompt-tool`): Claude
 * Code asks before it uses one of its tools, and the answer comes from Inlet's policies and the
 * same pending queue as every other call. Policies see it as provider "permissions" and the
 * requested tool's name, so `{"provider":"permissions","tool":"Bash","policy":"allow"}` works.
 */
export const PERMISSIONS_TOOL_NAME = 'permissions__approve';
export { PERMISSIONS_PROVIDER } from '../../shared/admin-types.js';

/** The tool under its own name; the catalog exposes it as `permissions__approve`. */
export const PERMISSIONS_TOOL: Tool = {
  name: 'approve',
  description:
    "Permission approval handler for Claude Code's --permission-prompt-tool feature. The request is decided by Inlet's approval policies or by the user in the Inlet panel.",
  inputSchema: {
    type: 'object',
    required: ['tool_name', 'input'],
    properties: {
      tool_name: { type: 'string', description: "The name of the tool requesting permission (e.g., 'Bash')" },
      input: { type: 'object', description: 'The input parameters for the tool being requested' },
      reason: { type: 'string', description: 'Optional reason provided by Claude for why it needs permission' },
    },
  },
};

export interface PermissionRequest {
  tool_name: string;
  input: Record<string, unknown>;
  reason?: string;
}

export function parsePermissionRequest(args: Record<string, unknown> | undefined): PermissionRequest | string {
  if (!args || typeof args.tool_name !== 'string' || !args.tool_name) return 'tool_name (a string) is required';
  if (!args.input || typeof args.input !== 'object' || Array.isArray(args.input)) return 'input (an object) is required';
  return { tool_name: args.tool_name, input: args.input as Record<string, unknown>, reason: typeof args.reason === 'string' ? args.reason : undefined };
}

/** Iris's exact shapes: the decision as indented JSON in one text content, never isError. */
export function permissionAllow(input: Record<string, unknown>, message?: string): CallToolResult {
  const decision: Record<string, unknown> = { behavior: 'allow', updatedInput: input };
  if (message) decision.message = message;
  return { content: [{ type: 'text', text: JSON.stringify(decision, null, 2) }] };
}

export function permissionDeny(message: string): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify({ behavior: 'deny', message }, null, 2) }] };
}

/**
 * The built-in provider `permissions` with its one tool `approve`: a provider like any other in
 * the catalog, run in-process. It is the approval itself, so it is not gated again: the policy
 * and the queue decide about the tool Claude Code asks for (provider `permissions`, that tool's
 * name), and its decision is audited.
 */
export class PermissionsProvider implements Provider {
  readonly name = PERMISSIONS_PROVIDER;
  readonly kind = 'builtin' as const;
  readonly state = 'ready' as const;
  readonly protocol = 'builtin';
  readonly capabilities = { tools: {} };
  readonly owner = 'hub';
  readonly connectedAt = Date.now();
  readonly stats: ProviderStats = { calls: 0, errors: 0, inFlight: 0, totalMs: 0 };
  readonly tools = [PERMISSIONS_TOOL];
  readonly resources = [];
  readonly resourceTemplates = [];
  readonly prompts = [];

  constructor(
    private readonly gate: ApprovalGate,
    private readonly getConfig: () => Config,
  ) {}

  async callTool(name: string, args: Record<string, unknown> | undefined, options: CallOptions): Promise<CallToolResult> {
    if (name !== PERMISSIONS_TOOL.name) throw new RpcError(RPC.INVALID_PARAMS, `Unknown tool: ${name}.`);
    const parsed = parsePermissionRequest(args);
    if (typeof parsed === 'string') throw new RpcError(RPC.INVALID_PARAMS, `${PERMISSIONS_TOOL_NAME}: ${parsed}.`);
    const caller = options.caller ?? 'unknown';
    const started = performance.now();
    this.stats.calls++;
    try {
      return await this.decide(parsed, caller, options);
    } finally {
      this.stats.totalMs += performance.now() - started;
    }
  }

  private async decide(parsed: PermissionRequest, caller: string, options: CallOptions): Promise<CallToolResult> {
    const config = this.getConfig();
    const base = this.gate.auditBase(caller, PERMISSIONS_PROVIDER, parsed.tool_name, parsed.input);
    const verdict = resolvePolicy(config.approvals, { caller, provider: PERMISSIONS_PROVIDER, tool: parsed.tool_name });
    if (verdict.policy === 'allow') {
      this.gate.audit({ event: 'decision', ...base, decision: 'allow', decided_by: verdict.source, outcome: 'allowed' });
      return permissionAllow(parsed.input);
    }
    if (verdict.policy === 'deny') {
      this.gate.audit({ event: 'decision', ...base, decision: 'deny', decided_by: verdict.source, outcome: 'denied' });
      return permissionDeny(`Permission denied by Inlet's policy (${verdict.source})`);
    }
    this.gate.audit({ event: 'call-start', ...base, decision: 'ask', decided_by: verdict.source });
    const asker = { signal: options.signal ?? new AbortController().signal, onwaiting: options.onwaiting };
    const outcome = await this.gate.ask(
      { caller, provider: PERMISSIONS_PROVIDER, tool: parsed.tool_name, exposed: PERMISSIONS_TOOL_NAME, arguments: parsed.input, reason: parsed.reason },
      asker,
      config,
    );
    const refusal = await this.gate.settle(outcome, base, { provider: PERMISSIONS_PROVIDER, tool: parsed.tool_name });
    if (outcome.kind === 'cancelled') throw new RpcError(RPC.INVALID_REQUEST, 'cancelled');
    if (refusal) return permissionDeny(`Permission ${refusal}`);
    return permissionAllow(parsed.input, (outcome as { reason?: string }).reason);
  }

  readResource(): never {
    throw new RpcError(RPC.METHOD_NOT_FOUND, `Provider "${this.name}" offers no resources.`);
  }

  getPrompt(): never {
    throw new RpcError(RPC.METHOD_NOT_FOUND, `Provider "${this.name}" offers no prompts.`);
  }

  complete(): never {
    throw new RpcError(RPC.METHOD_NOT_FOUND, `Provider "${this.name}" offers no completions.`);
  }

  subscribeResource(): never {
    throw new RpcError(RPC.METHOD_NOT_FOUND, `Provider "${this.name}" offers no resources.`);
  }

  async unsubscribeResource(): Promise<void> {}

  /** It never changes and never goes. */
  onEvent(): () => void {
    return () => undefined;
  }

  close(): void {}
}
