import { randomUUID } from 'node:crypto';
import type { Server, ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { logArguments, type AiChannel } from '../calls/ai-channel.js';

/** The AI client's answer passes through as it came: no schema may strip or reshape it. */
const Passthrough = z.looseObject({});
/** A person may take long to answer an elicitation: as long as the SDK gives one round (10 min). */
const ANSWER_TIMEOUT_MS = 600_000;

/**
 * The way back to a 2025 AI client (a `/mcp` session or a `/sse` one) during one of its calls:
 * the provider's requests go to it as server→client requests related to the call (on the
 * call's own response stream), its log lines as notifications related to the call.
 */
export function sessionChannel(server: Server, ctx: ServerContext, caller: string): AiChannel & { flush(): Promise<void> } {
  // Log lines go out before the call's result (a client stops listening once it has it).
  let sent: Promise<unknown> = Promise.resolve();
  return {
    caller,
    origin: `session:${ctx.sessionId ?? randomUUID()}`,
    capabilities: server.getClientCapabilities() as Record<string, unknown> | undefined,
    ask: (method, params, signal) =>
      ctx.mcpReq.send({ method, params }, Passthrough, { signal, timeout: ANSWER_TIMEOUT_MS, resetTimeoutOnProgress: true }) as Promise<Record<string, unknown>>,
    // The SDK applies the client's log level (logging/setLevel on 2025, the envelope's on 2026).
    log: (params) => {
      sent = Promise.all([sent, ctx.mcpReq.log(...logArguments(params)).catch(() => undefined)]);
    },
    flush: async () => {
      await sent;
    },
  };
}
