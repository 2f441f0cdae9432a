// A minimal MCP server over one WebSocket, written by hand: the extension ships without a build
// step, and the handful of methods a provider needs (docs/provider-protocol.md) does not justify
// bundling the SDK. Over this socket the hub is the MCP client and the extension the server.

import { callTool } from './tools.js';

/** Newest first: the answer to an unknown version is the newest one we speak (MCP §lifecycle). */
export const PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

const METHOD_NOT_FOUND = -32601;
const INVALID_REQUEST = -32600;
const INVALID_PARAMS = -32602;
const PARSE_ERROR = -32700;

/**
 * Creates the server side of one connection. `send` writes one JSON-RPC message; `onReady` runs
 * once the hub has sent notifications/initialized (the connection is then fully usable).
 */
export function createMcpSession({ tools, serverInfo, send, onReady }) {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const listed = tools.map(({ name, description, inputSchema, annotations }) => ({ name, description, inputSchema, annotations }));

  const reply = (id, result) => send({ jsonrpc: '2.0', id, result });
  const fail = (id, code, message) => send({ jsonrpc: '2.0', id, error: { code, message } });

  async function request(message) {
    const { id, method, params } = message;
    switch (method) {
      case 'initialize': {
        const asked = params?.protocolVersion;
        const protocolVersion = PROTOCOL_VERSIONS.includes(asked) ? asked : PROTOCOL_VERSIONS[0];
        return reply(id, { protocolVersion, capabilities: { tools: { listChanged: false } }, serverInfo });
      }
      case 'ping':
        return reply(id, {});
      case 'tools/list':
        return reply(id, { tools: listed });
      case 'tools/call': {
        const tool = byName.get(params?.name);
        if (!tool) return fail(id, INVALID_PARAMS, `Unknown tool: ${String(params?.name)}`);
        return reply(id, await callTool(tool, params.arguments));
      }
      default:
        return fail(id, METHOD_NOT_FOUND, `Method not found: ${method}`);
    }
  }

  function dispatch(message) {
    if (message === null || typeof message !== 'object' || message.jsonrpc !== '2.0') {
      return fail(null, INVALID_REQUEST, 'Not a JSON-RPC 2.0 message.');
    }
    const isRequest = typeof message.method === 'string' && message.id !== undefined && message.id !== null;
    if (isRequest) {
      // Each request runs on its own: a slow tool must not hold up the hub's pings.
      request(message).catch((error) => fail(message.id, -32603, `Internal error: ${error?.message ?? error}`));
      return;
    }
    if (message.method === 'notifications/initialized') onReady?.();
    // Other notifications (cancelled, progress) and responses to our keepalive pings need no answer.
  }

  /** Takes the text of one frame: one message, or several separated by newlines (mcp-go's framing). */
  function receive(frameText) {
    for (const line of frameText.split('\n')) {
      if (line.trim() === '') continue;
      let parsed;
      try {
        parsed = JSON.parse(line);
      } catch {
        fail(null, PARSE_ERROR, 'A frame did not hold JSON.');
        continue;
      }
      for (const message of Array.isArray(parsed) ? parsed : [parsed]) dispatch(message);
    }
  }

  return { receive };
}
