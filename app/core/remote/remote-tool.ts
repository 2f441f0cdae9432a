import type { Tool } from '@modelcontextprotocol/server';
import { z } from 'zod';

/**
 * MCP-Link's `remote` meta-tool (docs/mcp-link.md): the tool an MCP-Link client calls over `/sse`
 * to offer a tool of its own. Only `/sse` sessions see it; AI clients on `/mcp` never do.
 * Listed the way MCP-Link lists it (its real schema stays here), so clients that check for it
 * by name find it.
 */
export const REMOTE_TOOL_NAME = 'remote';

export const REMOTE_TOOL: Tool = {
  name: REMOTE_TOOL_NAME,
  description: 'Internal tool for external systems to register remote tools. Do not call directly.',
  inputSchema: { type: 'object', properties: { input: { type: 'object', description: 'do not use.' } } },
};

/** MCP-Link's limits (docs/mcp-link.md, Limits). */
export const LIMITS = {
  description: 16_384,
  readme: 16_384,
  parametersJson: 32_768,
  /** Inlet's own: one session may hold this many registered tools at once. */
  toolsPerSession: 32,
} as const;

export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const Register = z.object({
  operation: z.literal('register'),
  tool_name: z.string().transform((s) => s.trim()).pipe(z.string().regex(TOOL_NAME, 'tool_name must be 1 to 64 letters, digits, "_" or "-"')),
  description: z.string().max(LIMITS.description, `description is longer than ${LIMITS.description} characters`),
  readme: z.string().max(LIMITS.readme, `readme is longer than ${LIMITS.readme} characters`).optional(),
  parameters: z.record(z.string(), z.unknown()).refine((p) => JSON.stringify(p).length <= LIMITS.parametersJson, {
    message: `parameters is longer than ${LIMITS.parametersJson} characters as JSON`,
  }),
  callback_endpoint: z.string().max(1_024).optional(),
  TOOL_API_KEY: z.string().min(1, 'TOOL_API_KEY must not be empty').max(1_024),
});

const Unregister = z.object({ operation: z.literal('unregister'), tool_name: z.string(), TOOL_API_KEY: z.string() });
const List = z.object({ operation: z.literal('list') });

export const RemoteRequest = z.discriminatedUnion('operation', [Register, Unregister, List]);
export type RemoteRequest = z.infer<typeof RemoteRequest>;
export type RegisterRequest = z.infer<typeof Register>;

/** The request in `{"input": {...}}` (MCP-Link's wrapping), or why it is not one. */
export function parseRemoteRequest(args: Record<string, unknown> | undefined): RemoteRequest | string {
  const input = args?.input ?? args;
  if (!input || typeof input !== 'object' || Array.isArray(input)) return 'the arguments must be {"input": {"operation": "register" | "unregister" | "list", …}}';
  const parsed = RemoteRequest.safeParse(input);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/**
 * The registration answer. Every shipped MCP-Link client decides success by finding
 * "Successfully registered tool" in the first content item's text, so that phrase leads; the
 * JSON fields of MCP-Link 1.3 follow on the next line for clients that read them.
 */
export function registeredText(name: string, renamedFrom: string | null, replaced: boolean): string {
  const renamed = renamedFrom ? ` (renamed from ${renamedFrom} due to naming conflict)` : '';
  return `Successfully registered tool: ${name}${renamed}\n${JSON.stringify({ registered_name: name, renamed_from: renamedFrom, replaced })}`;
}
