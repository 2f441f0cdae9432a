import { CLIENT_INFO_META_KEY, Server, type CallToolResult, type ServerContext } from '@modelcontextprotocol/server';
import { describeError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { NO_VALIDATION } from '../base/no-validation.js';
import { RpcError, RPC } from '../base/rpc-error.js';
import { VERSION } from '../base/version.js';
import type { ToolRegistry } from '../catalog/tool-registry.js';
import type { ToolRouter } from '../calls/tool-router.js';
import type { ToolsListSplice } from './tools-list-splice.js';
import { ProgressRelay } from './progress-relay.js';
import type { InputRounds } from './input-rounds.js';
import { sessionChannel } from './session-channel.js';

const INSTRUCTIONS =
  'Inlet hub: tools offered by providers that connected to this hub (browser extensions, add-ins, remote services). ' +
  'Tool names are <provider>__<tool>.';

/** `_meta` keys of the 2026-07-28 request envelope: the SDK reads them; they are not the provider's business. */
const ENVELOPE_PREFIX = 'io.modelcontextprotocol/';

export interface AiServerDeps {
  registry: ToolRegistry;
  router: ToolRouter;
  log: Logger;
  /** When set, tools/list answers carry a placeholder the HTTP writer replaces with cached bytes. */
  splice?: ToolsListSplice;
  /** 2026-07-28 calls whose provider asks the client something (shared by every request's server). */
  rounds?: InputRounds;
}

/**
 * The one MCP server the AI side has: a low-level SDK `Server` answering `tools/list` from the
 * registry and `tools/call` through the router. Every surface uses it: the 2026-07-28 handler
 * builds one per request, each 2025 session and each `/sse` session holds one. The SDK does the
 * protocol (both revisions, cancellation, the wire rules); this only says what the tools are.
 */
export function createAiServer(deps: AiServerDeps): Server {
  const server = new Server(
    { name: 'inlet', version: VERSION },
    { capabilities: { tools: { listChanged: true }, logging: {} }, instructions: INSTRUCTIONS, jsonSchemaValidator: NO_VALIDATION },
  );
  server.onerror = (error) => deps.log.debug('AI protocol error', { error: describeError(error) });
  server.setRequestHandler('tools/list', (_request, ctx) => {
    const req = ctx.http?.req;
    if (deps.splice && req) return { tools: deps.splice.listFor(req, server.getNegotiatedProtocolVersion() ?? '') };
    return { tools: deps.registry.list() };
  });
  server.setRequestHandler('tools/call', (request, ctx) => callTool(deps, server, request.params, ctx));
  return server;
}

async function callTool(deps: AiServerDeps, server: Server, params: { name: string; arguments?: Record<string, unknown> }, ctx: ServerContext): Promise<CallToolResult> {
  const caller = ctx.http?.authInfo?.clientId;
  if (!caller) throw new RpcError(RPC.INVALID_REQUEST, 'Unauthorized: this request carries no Inlet identity.');
  const progressToken = ctx.mcpReq._meta?.progressToken;
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  if (envelope && deps.rounds) {
    // 2026-07-28: what the provider asks the client comes back as input_required rounds.
    const origin = `2026:${caller}:${(envelope[CLIENT_INFO_META_KEY] as { name?: unknown } | undefined)?.name ?? ''}`;
    const meta = forwardedMeta(ctx.mcpReq._meta);
    return (await deps.rounds.round(ctx, caller, params.name, origin, (channel, signal, hooks) =>
      deps.router.call(
        { name: params.name, arguments: params.arguments },
        { caller, signal, meta, channel, onprogress: hooks.onprogress, onwaiting: progressToken === undefined ? undefined : hooks.onwaiting },
      ),
    )) as CallToolResult;
  }
  // With a progress token the client hears the provider's progress and, while the call waits
  // for approval, a keep-alive beat that holds off its own request timeout.
  const relay =
    progressToken === undefined
      ? undefined
      : new ProgressRelay((progress) => ctx.mcpReq.notify({ method: 'notifications/progress', params: { ...progress, progressToken } }));
  const result = await deps.router.call(
    { name: params.name, arguments: params.arguments },
    { caller, signal: ctx.mcpReq.signal, meta: forwardedMeta(ctx.mcpReq._meta), onprogress: relay?.provider, onwaiting: relay?.waiting, channel: sessionChannel(server, ctx, caller) },
  );
  await relay?.flush();
  return result as CallToolResult;
}

/** The AI client's `_meta` as the provider should see it: no progress token (the hub sets its own), no envelope. */
function forwardedMeta(meta: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!meta) return undefined;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(meta)) {
    if (key === 'progressToken' || key.startsWith(ENVELOPE_PREFIX)) continue;
    (out ??= {})[key] = meta[key];
  }
  return out;
}
