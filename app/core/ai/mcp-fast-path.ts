import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { RpcError } from '../base/rpc-error.js';
import { describeError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { ToolRegistry } from '../catalog/tool-registry.js';
import type { ToolRouter } from '../calls/tool-router.js';

type Id = string | number;
interface RpcRequest {
  jsonrpc: '2.0';
  id?: Id;
  method: string;
  params?: { name?: unknown; arguments?: unknown; _meta?: Record<string, unknown>; requestId?: Id };
}

/**
 * The hot path of `/mcp`: `tools/call` (without a progress token), `tools/list` and `ping`
 * on an open session are answered here with a plain `application/json` response, which the
 * Streamable HTTP transport allows in place of an SSE stream. It skips the SDK transport's
 * conversion of every request into a Web `Request` and every answer into an SSE stream, which
 * is most of an AI call's cost in the hub (docs/performance.md). Everything else (initialize,
 * notifications, calls that want progress, GET streams) still goes through the SDK.
 */
export class McpFastPath {
  /** Calls in flight per session, so `notifications/cancelled` can reach them. */
  private readonly inFlight = new Map<string, Map<Id, AbortController>>();

  constructor(
    private readonly registry: ToolRegistry,
    private readonly router: ToolRouter,
    private readonly log: Logger,
  ) {}

  /** Answers the request if it is one of ours; returns false to let the SDK handle it. */
  handle(sessionId: string, caller: string, req: IncomingMessage, res: ServerResponse, body: unknown): boolean {
    if (!isRequest(body) || !acceptsJson(req)) return false;
    if (body.method === 'notifications/cancelled') return this.cancel(sessionId, body, res);
    if (body.id === undefined) return false;
    const id = body.id;
    if (body.method === 'ping') return reply(res, id, {}), true;
    if (body.method === 'tools/list') return replyRaw(res, id, this.registry.listJson(), sessionId), true;
    if (body.method !== 'tools/call') return false;
    const params = body.params ?? {};
    const meta = params._meta ?? {};
    if (meta.progressToken !== undefined || typeof params.name !== 'string') return false;
    if (params.arguments !== undefined && (params.arguments === null || typeof params.arguments !== 'object' || Array.isArray(params.arguments))) return false;
    const controller = new AbortController();
    const calls = this.inFlight.get(sessionId) ?? new Map<Id, AbortController>();
    this.inFlight.set(sessionId, calls);
    calls.set(id, controller);
    // A client that hangs up has given up on the call.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort('the AI client disconnected');
    });
    this.router
      .call({ name: params.name, arguments: params.arguments as Record<string, unknown> | undefined }, { caller, signal: controller.signal, meta })
      .then(
        (result) => reply(res, id, result, sessionId),
        (error) => {
          if (controller.signal.aborted) return replyError(res, id, -32800, 'Request cancelled', sessionId);
          if (error instanceof McpError) return replyError(res, id, error.code, error.message.replace(/^MCP error -?\d+: /, ''), sessionId, error.data);
          if (error instanceof RpcError) return replyError(res, id, error.code, error.message, sessionId, error.data);
          this.log.error('tools/call failed', { error: describeError(error) });
          replyError(res, id, -32603, 'Internal error', sessionId);
        },
      )
      .finally(() => {
        calls.delete(id);
        if (calls.size === 0) this.inFlight.delete(sessionId);
      });
    return true;
  }

  /** Aborts every call of a closing session. */
  closeSession(sessionId: string): void {
    for (const controller of this.inFlight.get(sessionId)?.values() ?? []) controller.abort('the session closed');
    this.inFlight.delete(sessionId);
  }

  private cancel(sessionId: string, body: RpcRequest, res: ServerResponse): boolean {
    const requestId = body.params?.requestId;
    const controller = requestId === undefined ? undefined : this.inFlight.get(sessionId)?.get(requestId);
    if (!controller) return false; // not ours: the SDK may be running it
    controller.abort(String((body.params as { reason?: unknown }).reason ?? 'cancelled by the AI client'));
    res.writeHead(202, { 'mcp-session-id': sessionId }).end();
    return true;
  }
}

function isRequest(body: unknown): body is RpcRequest {
  return !!body && typeof body === 'object' && !Array.isArray(body) && (body as RpcRequest).jsonrpc === '2.0' && typeof (body as RpcRequest).method === 'string';
}

function acceptsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') || accept.includes('*/*');
}

function replyRaw(res: ServerResponse, id: Id, resultJson: string, sessionId?: string): void {
  write(res, `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${resultJson}}`, sessionId);
}

function reply(res: ServerResponse, id: Id, result: unknown, sessionId?: string): void {
  write(res, JSON.stringify({ jsonrpc: '2.0', id, result }), sessionId);
}

function replyError(res: ServerResponse, id: Id, code: number, message: string, sessionId?: string, data?: unknown): void {
  const error: Record<string, unknown> = { code, message };
  if (data !== undefined) error.data = data;
  write(res, JSON.stringify({ jsonrpc: '2.0', id, error }), sessionId);
}

function write(res: ServerResponse, payload: string, sessionId?: string): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) };
  if (sessionId) headers['mcp-session-id'] = sessionId;
  res.writeHead(200, headers).end(payload);
}
