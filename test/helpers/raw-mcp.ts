/** Raw HTTP against `/mcp`: what the hub answers, byte for byte, with no client in between. */

export interface Answer {
  status: number;
  type: string | null;
  allow: string | null;
  session: string | null;
  body: string;
}

/** The 2026-07-28 per-request envelope a raw request carries in `params._meta`. */
export const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw-http', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

export const ACCEPT_BOTH = 'application/json, text/event-stream';

/** Headers of a 2026-07-28 request for `method` (and `name`, for tools/call). */
export function modernHeaders(token: string, method: string, name?: string): Record<string, string> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    Accept: ACCEPT_BOTH,
    'MCP-Protocol-Version': '2026-07-28',
    'Mcp-Method': method,
  };
  if (name !== undefined) headers['Mcp-Name'] = name;
  return headers;
}

export function legacyHeaders(token: string, session?: string): Record<string, string> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: ACCEPT_BOTH };
  if (session) {
    headers['Mcp-Session-Id'] = session;
    headers['MCP-Protocol-Version'] = '2025-11-25';
  }
  return headers;
}

export function initializeBody(id: number | string = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw-http', version: '1.0.0' } } });
}

export function callBody(id: number | string, name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } });
}

export function requestBody(id: number | string, method: string, meta?: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params: meta ? { _meta: meta } : {} });
}

export async function send(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    allow: response.headers.get('allow'),
    session: response.headers.get('mcp-session-id'),
    body: await response.text(),
  };
}

/** The JSON-RPC messages of an answer: the JSON body, or the `data:` lines of an SSE body. */
export function messagesOf(answer: Pick<Answer, 'body' | 'type'>): Array<Record<string, unknown>> {
  if (!answer.body) return [];
  if (answer.type?.startsWith('text/event-stream')) {
    return answer.body
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line.length > 6)
      .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
  }
  return [JSON.parse(answer.body) as Record<string, unknown>];
}

/** The JSON-RPC error code of an answer, if it carries one. */
export function errorCode(answer: Answer): number | undefined {
  const error = messagesOf(answer).find((m) => m.error)?.error as { code?: number } | undefined;
  return error?.code;
}

/** Opens a 2025-11-25 session by raw HTTP; returns its id. */
export async function openSession(url: string, token: string): Promise<string> {
  const answer = await send(url, { method: 'POST', headers: legacyHeaders(token), body: initializeBody() });
  if (answer.status !== 200 || !answer.session) throw new Error(`initialize answered ${answer.status}: ${answer.body}`);
  const done = await send(url, { method: 'POST', headers: legacyHeaders(token, answer.session), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  if (done.status !== 202) throw new Error(`notifications/initialized answered ${done.status}`);
  return answer.session;
}
