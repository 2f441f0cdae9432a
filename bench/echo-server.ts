import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/**
 * The one echo server every scenario talks to (over WebSocket, stdio or Streamable HTTP):
 * an SDK McpServer with `echo` (returns its message as text), or `count` tools `tool0…` that
 * all echo, for the many-providers run.
 */
export function createEchoServer(count = 1): McpServer {
  const server = new McpServer({ name: 'bench-echo', version: '1.0.0' }, { capabilities: { tools: {} } });
  const names = count === 1 ? ['echo'] : Array.from({ length: count }, (_, i) => `tool${i}`);
  for (const name of names) {
    server.registerTool(
      name,
      { description: 'Returns its message unchanged.', inputSchema: { message: z.string() } },
      async ({ message }) => ({ content: [{ type: 'text', text: message }] }),
    );
  }
  return server;
}

/** Reads `--flag value` pairs from argv. */
export function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? undefined : argv[i + 1];
}
