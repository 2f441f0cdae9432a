import { createHmac } from 'node:crypto';
import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import { textResult } from './remote-tool.js';
import { isObject } from './reverse-call.js';

/**
 * MCP-Link's progressive discovery (docs/mcp-link.md, Progressive discovery), for registrants
 * that opt in (`providers."remote:<tool>".progressive_discovery`): AI clients see a short
 * description and one `input` object; `{"input":{"operation":"readme"}}` returns the full
 * documentation, the real parameters and the tool's unlock token; other calls must carry that
 * token, which the hub checks and removes before the call reaches the registrant. Each tool's
 * token is derived from a key of this hub run and the tool's name, so no two tools share one
 * and no token is a fixed string.
 */
const INPUT_HINT =
  'All tool parameters are passed in this single dict. Use {"input":{"operation":"readme"}} to get full documentation, parameters, and an unlock token.';

export function unlockToken(key: Buffer, tool: string): string {
  return createHmac('sha256', key).update(`tool_unlock_token\0${tool}`).digest('hex').slice(0, 8);
}

/** The definition AI clients see for a wrapped tool. */
export function wrappedDefinition(name: string, readme: string | undefined): Tool {
  return {
    name,
    description: readme?.trim() || `Use this tool when you need to access ${name} functionality`,
    inputSchema: { type: 'object', required: [], properties: { input: { type: 'object', description: INPUT_HINT } } },
  };
}

export type Gate = { answer: CallToolResult } | { arguments: Record<string, unknown> };

/**
 * Answers `readme` and refuses a missing or wrong token; otherwise the arguments to forward
 * (the token taken out).
 */
export function gateCall(name: string, token: string, documentation: string, parameters: unknown, args: Record<string, unknown> | undefined): Gate {
  const input = isObject(args?.input) ? args.input : (args ?? {});
  if (input.operation === 'readme') {
    return { answer: textResult(JSON.stringify({ description: documentation, parameters, tool_unlock_token: token }, null, 2)) };
  }
  if (input.tool_unlock_token !== token) {
    return {
      answer: textResult(
        `Error: Missing required tool_unlock_token for ${name}. Call ${name} with {"input":{"operation":"readme"}} first: the answer has the documentation and the token.`,
        true,
      ),
    };
  }
  const { tool_unlock_token: _used, ...rest } = input;
  return { arguments: rest };
}
