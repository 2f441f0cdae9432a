import { ErrorCode, McpError, type CallToolResult, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { callTimeoutMs, type Config } from './config.js';
import type { ToolRegistry } from './tool-registry.js';

export interface CallContext {
  /** The AI client's id (from its token), e.g. "ai:claude". */
  caller: string;
  signal: AbortSignal;
  /** Present when the AI client asked for progress. */
  onprogress?: (progress: Progress) => void;
  meta?: Record<string, unknown>;
}

export interface CallRequest {
  name: string;
  arguments?: Record<string, unknown>;
}

/**
 * Routes one `tools/call` from an AI session to the provider behind the exposed name. This is
 * the single place every call passes through, so policies and approvals slot in here.
 */
export class ToolRouter {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly getConfig: () => Config,
  ) {}

  async call(request: CallRequest, context: CallContext): Promise<CallToolResult> {
    const entry = this.registry.get(request.name);
    if (!entry) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.name} (no connected provider offers it).`);
    }
    return entry.provider.callTool(entry.toolName, request.arguments, {
      signal: context.signal,
      onprogress: context.onprogress,
      meta: context.meta,
      timeoutMs: callTimeoutMs(this.getConfig(), entry.provider.name),
    });
  }
}
