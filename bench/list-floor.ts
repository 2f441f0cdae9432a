import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpClient } from './clients.js';
import { runLoad, type LoadResult } from './stats.js';

/**
 * The floor of `tools/list` with many tools: the same SDK client asking a server that does no
 * work at all (it answers initialize, and tools/list with a fixed body: the hub's own answer,
 * captured by the caller). What remains is the client's share: reading, JSON.parse, and the
 * SDK's schema validation of every tool.
 */
function staticServer(resultJson: string): Server {
  const cached = Buffer.from(resultJson);
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { id?: unknown; method?: string; params?: { protocolVersion?: string } };
      if (message.id === undefined) return void res.writeHead(202).end();
      const result =
        message.method === 'initialize'
          ? Buffer.from(JSON.stringify({ protocolVersion: message.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'static', version: '1' } }))
          : message.method === 'tools/list'
            ? cached
            : Buffer.from('{}');
      const head = Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":`);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': head.length + result.length + 1, 'Mcp-Session-Id': 'static' });
      res.write(head);
      res.write(result);
      res.end('}');
    });
  });
}

/** Extracts the `result` of a tools/list answer, whether it came as JSON or as one SSE event. */
export function resultOf(answer: string): string {
  const json = answer.trimStart().startsWith('{') ? answer : (/^data: (.*)$/m.exec(answer)?.[1] ?? '{}');
  return JSON.stringify((JSON.parse(json) as { result: unknown }).result);
}

export async function listFloor(resultJson: string, calls: number): Promise<LoadResult> {
  const server = staticServer(resultJson);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const bench = await httpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  try {
    const list = () => bench.client.listTools();
    await runLoad(list, 1, Math.max(3, Math.ceil(calls / 10)));
    return await runLoad(list, 1, calls);
  } finally {
    await bench.close();
    server.closeAllConnections();
    server.close();
  }
}
