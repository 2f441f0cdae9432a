import assert from 'node:assert/strict';

export interface SseEvent {
  event: string;
  data: string;
  /** Comment lines (keep-alives) of this block; an event with only comments has data ''. */
  comments: string[];
}

/**
 * The events of an SSE body, read as MCP-Link's Python clients read them: each `data:` line must
 * hold one whole message (asserted), comments (`: keepalive`) are reported separately.
 */
export async function* sseEvents(body: ReadableStream<Uint8Array>, options: { comments?: boolean } = {}): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end).split('\n');
      buffered = buffered.slice(end + 2);
      const comments = block.filter((line) => line.startsWith(':'));
      const lines = block.filter((line) => !line.startsWith(':'));
      if (lines.length === 0) {
        if (options.comments && comments.length) yield { event: 'comment', data: '', comments };
        continue;
      }
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
      assert.equal(data.length, 1, 'one data line per event');
      yield { event: lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message', data: data[0]!, comments };
    }
  }
}
