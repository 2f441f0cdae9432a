import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createEchoServer } from './echo-server.js';

/** The echo server over stdio: for (d) behind mcp-proxy and (f) spawned by the SDK client. */
const server = createEchoServer();
await server.connect(new StdioServerTransport());
process.stdin.on('end', () => process.exit(0));
