import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for the AI endpoints, for the browser origins the user listed in `ai.allowed_origins`
 * (the request guard has already refused every other origin). A web-based MCP client needs the
 * preflight answered and `Mcp-Session-Id` exposed; nothing is sent for requests without Origin.
 * Returns true when it answered the request itself (a preflight).
 */
const ALLOW_HEADERS = 'Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID';

export function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', 'Mcp-Session-Id, WWW-Authenticate, Retry-After');
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': ALLOW_HEADERS,
    'Access-Control-Max-Age': '600',
    'Cache-Control': 'no-store',
  });
  res.end();
  return true;
}
