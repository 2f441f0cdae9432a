import type { IncomingMessage, ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), 'Cache-Control': 'no-store' });
  res.end(payload);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/**
 * Reads a request body as UTF-8 text up to `limit` bytes. Answers 413 itself and returns null
 * when the body is too large (or null when the client went away while sending it).
 */
export async function readBodyText(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    sendJson(res, 413, { jsonrpc: '2.0', error: { code: -32600, message: `Request body exceeds ${limit} bytes.` }, id: null });
    req.resume();
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        sendJson(res, 413, { jsonrpc: '2.0', error: { code: -32600, message: `Request body exceeds ${limit} bytes.` }, id: null });
        req.destroy();
        return null;
      }
      chunks.push(chunk);
    }
  } catch {
    return null;
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads and parses a JSON request body up to `limit` bytes. Answers 413 or 400 itself and
 * returns null when the body is too large or not JSON.
 */
export async function readJsonBody(req: IncomingMessage, res: ServerResponse, limit: number, emptyAs?: unknown): Promise<unknown | null> {
  const text = await readBodyText(req, res, limit);
  if (text === null) return null;
  if (text.length === 0 && emptyAs !== undefined) return emptyAs;
  try {
    return JSON.parse(text);
  } catch {
    sendJson(res, 400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the body is not valid JSON.' }, id: null });
    return null;
  }
}
