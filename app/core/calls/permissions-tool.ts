import type { CallToolResult, Tool } from '@modelcontextprotocol/server';

/**
 * `permissions__approve` (Iris-compatible, for Claude Code's `--permission-prompt-tool`): Claude
 * Code asks before it uses one of its tools, and the answer comes from Inlet's policies and the
 * same pending queue as every other call. Policies see it as provider "permissions" and the
 * requested tool's name, so `{"provider":"permissions","tool":"Bash","policy":"allow"}` works.
 */
export const PERMISSIONS_TOOL_NAME = 'permissions__approve';
export { PERMISSIONS_PROVIDER } from '../../shared/admin-types.js';

export const PERMISSIONS_TOOL: Tool = {
  name: PERMISSIONS_TOOL_NAME,
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
