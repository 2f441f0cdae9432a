import { CLIENT_INFO_META_KEY, Server, type CallToolResult, type ServerContext } from '@modelcontextprotocol/server';
import { describeError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { NO_VALIDATION } from '../base/no-validation.js';
import { RpcError, RPC } from '../base/rpc-error.js';
import { VERSION } from '../base/version.js';
import type { Catalog } from '../catalog/catalog.js';
import { page } from '../catalog/pages.js';
import type { ResourceSubscriptions, Subscriber } from '../catalog/resource-subscriptions.js';
import type { CallContext, ToolRouter } from '../calls/tool-router.js';
import type { ToolsListSplice } from './tools-list-splice.js';
import { ProgressRelay } from './progress-relay.js';
import type { InputRounds } from './input-rounds.js';
import { sessionChannel } from './session-channel.js';

const INSTRUCTIONS =
  'Inlet hub: tools, resources and prompts offered by providers that connected to this hub (browser extensions, add-ins, remote services). ' +
  'Tool and prompt names are <provider>__<name>; a resource URI that two providers offer is listed as inlet://<provider>/<uri>.';

/** `_meta` keys of the 2026-07-28 request envelope: the SDK reads them; they are not the provider's business. */
const ENVELOPE_PREFIX = 'io.modelcontextprotocol/';

export interface AiServerDeps {
  catalog: Catalog;
  router: ToolRouter;
  /** 2025 sessions subscribe through `resources/subscribe` (2026 clients through their listen streams). */
  subscriptions: ResourceSubscriptions;
  log: Logger;
  /** When set, tools/list answers carry a placeholder the HTTP writer replaces with cached bytes. */
  splice?: ToolsListSplice;
  /** 2026-07-28 calls whose provider asks the client something (shared by every request's server). */
  rounds?: InputRounds;
}

/**
 * The one MCP server the AI side has: a low-level SDK `Server` answering the lists from the
 * catalog (long ones in pages) and calls, reads, prompts and completions through the router.
 * Every surface uses it: the 2026-07-28 handler builds one per request, each 2025 session and
 * each `/sse` session holds one (and its resource subscriptions, which end with it). The SDK
 * does the protocol (both revisions, cancellation, the wire rules); this only says what is offered.
 */
export function createAiServer(deps: AiServerDeps): Server {
  const server = new Server(
    { name: 'inlet', version: VERSION },
    {
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true }, completions: {}, logging: {} },
      instructions: INSTRUCTIONS,
      jsonSchemaValidator: NO_VALIDATION,
    },
  );
  server.onerror = (error) => deps.log.debug('AI protocol error', { error: describeError(error) });
  server.setRequestHandler('tools/list', (_request, ctx) => {
    const req = ctx.http?.req;
    if (deps.splice && req) return { tools: deps.splice.listFor(req, server.getNegotiatedProtocolVersion() ?? '') };
    return { tools: deps.catalog.list() };
  });
  server.setRequestHandler('tools/call', (request, ctx) => callTool(deps, server, request.params, ctx));
  server.setRequestHandler('resources/list', (request) => {
    const { items, nextCursor } = page(deps.catalog.resources.listResources(), request.params?.cursor);
    return nextCursor ? { resources: items, nextCursor } : { resources: items };
  });
  server.setRequestHandler('resources/templates/list', (request) => {
    const { items, nextCursor } = page(deps.catalog.resources.listTemplates(), request.params?.cursor);
    return nextCursor ? { resourceTemplates: items, nextCursor } : { resourceTemplates: items };
  });
  server.setRequestHandler('prompts/list', (request) => {
    const { items, nextCursor } = page(deps.catalog.prompts.list(), request.params?.cursor);
    return nextCursor ? { prompts: items, nextCursor } : { prompts: items };
  });
  server.setRequestHandler('resources/read', (request, ctx) => deps.router.readResource(request.params.uri, callContext(ctx)));
  server.setRequestHandler('prompts/get', (request, ctx) => deps.router.getPrompt(request.params.name, request.params.arguments, callContext(ctx)));
  server.setRequestHandler('completion/complete', (request, ctx) => deps.router.complete(request.params, callContext(ctx)));
  // A session's subscriptions are its own: updates go to it alone, and end with it.
  const subscriber: Subscriber = { send: (uri, params) => void server.sendResourceUpdated({ ...params, uri }).catch(() => undefined) };
  server.setRequestHandler('resources/subscribe', async (request) => {
    await deps.subscriptions.subscribe(subscriber, request.params.uri);
    return {};
  });
  server.setRequestHandler('resources/unsubscribe', (request) => {
    deps.subscriptions.unsubscribe(subscriber, request.params.uri);
    return {};
  });
  server.onclose = () => deps.subscriptions.drop(subscriber);
  return server;
}

/** Who asks and how, for a request that is not a tool call. */
function callContext(ctx: ServerContext): CallContext {
  const caller = ctx.http?.authInfo?.clientId;
  if (!caller) throw new RpcError(RPC.INVALID_REQUEST, 'Unauthorized: this request carries no Inlet identity.');
  return { caller, signal: ctx.mcpReq.signal, meta: forwardedMeta(ctx.mcpReq._meta) };
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
  const channel = sessionChannel(server, ctx, caller);
  const relay =
    progressToken === undefined
      ? undefined
      : new ProgressRelay((progress) => ctx.mcpReq.notify({ method: 'notifications/progress', params: { ...progress, progressToken } }));
  const result = await deps.router.call(
    { name: params.name, arguments: params.arguments },
    { caller, signal: ctx.mcpReq.signal, meta: forwardedMeta(ctx.mcpReq._meta), onprogress: relay?.provider, onwaiting: relay?.waiting, channel },
  );
  await Promise.all([relay?.flush(), channel.flush()]);
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
