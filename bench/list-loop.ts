import { flag } from './echo-server.js';

/**
 * A client that does nothing but ask for tools/list (2026-07-28, raw HTTP, the whole answer
 * read and dropped), in its own process, until it is stopped: the load under which the
 * many-providers run times other clients' calls.
 */
const argv = process.argv.slice(2);
const url = flag(argv, 'url')!;
const headers = {
  Authorization: `Bearer ${flag(argv, 'token')}`,
  'Content-Type': 'application/json',
  Accept: 'application/json, text/event-stream',
  'MCP-Protocol-Version': '2026-07-28',
  'Mcp-Method': 'tools/list',
};
const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'list-loop', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
process.on('SIGTERM', () => process.exit(0));
process.stdout.write('looping\n');
for (let id = 1; ; id++) {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list', params: { _meta: meta } }) });
  await response.arrayBuffer();
}
