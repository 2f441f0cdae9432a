import type { IncomingMessage, ServerResponse } from 'node:http';
import { spliceParts, type SpliceJob } from './tools-list-splice.js';

/**
 * The hub's seam between node:http and the SDK's Web-standard face (`Request` in, `Response`
 * out): the one place a faster path may live (docs/decisions.md). Everything MCP happens in the
 * SDK; this only moves bytes.
 */

/** How answers are written: `fast` buffers JSON answers and splices cached tool lists in. */
export interface WriteMode {
  fast: boolean;
}

/**
 * One Web `Request` from what the hub already read. Its signal aborts when the client hangs up
 * before the answer is complete, which is how a 2026-07-28 client cancels a call.
 */
export function toWebRequest(req: IncomingMessage, res: ServerResponse, body: string | undefined): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort(new Error('the client closed the connection'));
  });
  const method = req.method ?? 'GET';
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : (body ?? ''),
    signal: gone.signal,
  });
}

/**
 * Writes the SDK's `Response` to `res`. Streams (SSE) are piped chunk by chunk and cancelled
 * when the client goes; `splice` says what to do with an answer to tools/list (tools-list-splice.ts). Resolves when the answer is complete or the client has gone: true when the client
 * went first.
 */
export async function writeWebResponse(
  res: ServerResponse,
  response: Response,
  mode: WriteMode,
  splice?: SpliceJob,
  /** Called once a stream's first chunk is written (a listen stream's acknowledgement). */
  onFirstChunk?: () => void,
): Promise<boolean> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => (headers[key] = value));
  const body = response.body;
  if (!body) {
    res.writeHead(response.status, headers).end();
    return false;
  }
  if (mode.fast && headers['content-type']?.startsWith('application/json')) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    splice?.capture?.(bytes);
    const parts = (splice?.insert && spliceParts(bytes, splice.insert)) || [bytes];
    headers['content-length'] = String(parts.reduce((sum, part) => sum + part.byteLength, 0));
    res.writeHead(response.status, headers);
    for (const part of parts) res.write(part);
    res.end();
    return false;
  }
  res.writeHead(response.status, headers);
  res.flushHeaders();
  const reader = body.getReader();
  let clientLeft = false;
  const stop = () => {
    clientLeft = !res.writableFinished;
    void reader.cancel().catch(() => undefined);
  };
  res.once('close', stop);
  let pending = splice;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const parts = pending?.insert ? spliceParts(value, pending.insert) : null;
      if (parts) pending = undefined;
      else if (pending?.capture?.(value)) pending = undefined;
      for (const part of parts ?? [value]) res.write(part);
      if (onFirstChunk) {
        onFirstChunk();
        onFirstChunk = undefined;
      }
    }
  } catch {
    // The stream was cancelled (the client went) or failed: nothing more can be sent.
  } finally {
    res.off('close', stop);
    res.end();
  }
  return clientLeft;
}
