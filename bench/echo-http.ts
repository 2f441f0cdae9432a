import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler, isInitializeRequest, McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { toWebRequest, writeWebResponse } from '../app/core/ai/web-bridge.js';

/**
 * The floors of the AI hop: the echo tool served directly by the v2 SDK, in its own process,
 * over the same Node adapter the hub uses (app/core/ai/web-bridge.ts, plain mode).
 *   (default)  2025: stateful sessions, each a WebStandardStreamableHTTPServerTransport with
 *              JSON responses (the fastest 2025 form the SDK has)
 *   --modern   2026-07-28: createMcpHandler(factory, { legacy: 'reject' }), stateless
 * Prints "listening URL".
 */
function echoServer(): McpServer {
  const server = new McpServer({ name: 'bench-echo-v2', version: '1.0.0' });
  server.registerTool('echo', { description: 'Returns its message unchanged.', inputSchema: z.object({ message: z.string() }) }, async ({ message }) => ({
    content: [{ type: 'text', text: message }],
  }));
  return server;
}

const PLAIN = { fast: false };
const modern = process.argv.includes('--modern') ? createMcpHandler(() => echoServer(), { legacy: 'reject' }) : undefined;
const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if ((req.url ?? '').split('?', 1)[0] !== '/mcp') return void res.writeHead(404).end();
  const raw = req.method === 'POST' ? await readBody(req) : undefined;
  const body = raw ? (JSON.parse(raw) as unknown) : undefined;
  const request = toWebRequest(req, res, raw);
  if (modern) return void (await writeWebResponse(res, await modern.fetch(request, { parsedBody: body }), PLAIN));
  const id = req.headers['mcp-session-id'];
  let transport = typeof id === 'string' ? sessions.get(id) : undefined;
  if (!transport) {
    if (typeof id === 'string' || !isInitializeRequest(body)) return void res.writeHead(typeof id === 'string' ? 404 : 400).end();
    const created = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (sessionId) => void sessions.set(sessionId, created),
    });
    created.onclose = () => void (created.sessionId && sessions.delete(created.sessionId));
    await echoServer().connect(created);
    transport = created;
  }
  await writeWebResponse(res, await transport.handleRequest(request, { parsedBody: body }), PLAIN);
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp\n`);
});
process.on('SIGTERM', () => process.exit(0));
