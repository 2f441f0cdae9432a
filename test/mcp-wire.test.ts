import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialRichProvider, type RichProvider } from './fixtures/rich-provider.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, names, startHub, type RunningHub } from './helpers/hub-process.js';
import {
  ACCEPT_BOTH,
  callBody,
  ENVELOPE,
  errorCode,
  initializeBody,
  legacyHeaders,
  messagesOf,
  modernHeaders,
  openSession,
  requestBody,
  send,
  type Answer,
} from './helpers/raw-mcp.js';

/**
 * The wire rules of `/mcp`, by raw HTTP, on both of the hub's paths: the fast one (answers
 * buffered, cached tool lists spliced in) and the plain one (`INLET_MCP_FAST_PATH=off`). Every
 * case must get the answer the SDK's rules give, and the two paths the same bytes.
 */
interface Side {
  label: string;
  hub: RunningHub;
  token: string;
  provider: RichProvider;
}

type Case = [label: string, init: (side: Side, session: string) => RequestInit, status: number, code?: number];

const without = (headers: Record<string, string>, name: string) => Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));

const LEGACY_CASES: Case[] = [
  ['initialize with Accept: application/json only', ({ token }) => ({ method: 'POST', headers: { ...legacyHeaders(token), Accept: 'application/json' }, body: initializeBody() }), 406, -32000],
  ['initialize with Accept: text/event-stream only', ({ token }) => ({ method: 'POST', headers: { ...legacyHeaders(token), Accept: 'text/event-stream' }, body: initializeBody() }), 406, -32000],
  ['initialize with Content-Type: text/plain', ({ token }) => ({ method: 'POST', headers: { ...legacyHeaders(token), 'Content-Type': 'text/plain' }, body: initializeBody() }), 415, -32000],
  ['a session request with Accept: application/json only', ({ token }, s) => ({ method: 'POST', headers: { ...legacyHeaders(token, s), Accept: 'application/json' }, body: requestBody(2, 'tools/list') }), 406, -32000],
  ['a session request naming MCP-Protocol-Version 1999-01-01', ({ token }, s) => ({ method: 'POST', headers: { ...legacyHeaders(token, s), 'MCP-Protocol-Version': '1999-01-01' }, body: requestBody(3, 'tools/list') }), 400, -32000],
  ['a session request without MCP-Protocol-Version (it defaults)', ({ token }, s) => ({ method: 'POST', headers: without(legacyHeaders(token, s), 'MCP-Protocol-Version'), body: callBody(4, 'rich__echo', { text: 'x' }) }), 200],
  ['tools/list on a session', ({ token }, s) => ({ method: 'POST', headers: legacyHeaders(token, s), body: requestBody(5, 'tools/list') }), 200],
  ['an unknown tool on a session', ({ token }, s) => ({ method: 'POST', headers: legacyHeaders(token, s), body: callBody(6, 'nobody__nothing') }), 200, -32602],
  ['an unknown session id', ({ token }) => ({ method: 'POST', headers: legacyHeaders(token, 'no-such-session'), body: requestBody(7, 'tools/list') }), 404, -32001],
  ['no session id on a request that is not initialize', ({ token }) => ({ method: 'POST', headers: legacyHeaders(token), body: requestBody(8, 'tools/list') }), 400, -32000],
  ['GET on a session with Accept: application/json', ({ token }, s) => ({ method: 'GET', headers: { ...legacyHeaders(token, s), Accept: 'application/json' } }), 406, -32000],
  ['a body that is not JSON', ({ token }, s) => ({ method: 'POST', headers: legacyHeaders(token, s), body: '{oops' }), 400, -32700],
];

const MODERN_CASES: Case[] = [
  ['server/discover', ({ token }) => ({ method: 'POST', headers: modernHeaders(token, 'server/discover'), body: requestBody(1, 'server/discover', ENVELOPE) }), 200],
  ['tools/list', ({ token }) => ({ method: 'POST', headers: modernHeaders(token, 'tools/list'), body: requestBody(2, 'tools/list', ENVELOPE) }), 200],
  ['tools/call', ({ token }) => ({ method: 'POST', headers: modernHeaders(token, 'tools/call', 'rich__echo'), body: callBody(3, 'rich__echo', { text: 'x' }, ENVELOPE) }), 200],
  ['tools/call with Accept: application/json only (2026 does not require both)', ({ token }) => ({ method: 'POST', headers: { ...modernHeaders(token, 'tools/call', 'rich__echo'), Accept: 'application/json' }, body: callBody(4, 'rich__echo', {}, ENVELOPE) }), 200],
  ['tools/call without MCP-Protocol-Version', ({ token }) => ({ method: 'POST', headers: without(modernHeaders(token, 'tools/call', 'rich__echo'), 'MCP-Protocol-Version'), body: callBody(5, 'rich__echo', {}, ENVELOPE) }), 400, -32020],
  ['tools/call without Mcp-Method', ({ token }) => ({ method: 'POST', headers: without(modernHeaders(token, 'tools/call', 'rich__echo'), 'Mcp-Method'), body: callBody(6, 'rich__echo', {}, ENVELOPE) }), 400, -32020],
  ['tools/call whose Mcp-Method says tools/list', ({ token }) => ({ method: 'POST', headers: modernHeaders(token, 'tools/list', 'rich__echo'), body: callBody(7, 'rich__echo', {}, ENVELOPE) }), 400, -32020],
  ['tools/call without Mcp-Name', ({ token }) => ({ method: 'POST', headers: modernHeaders(token, 'tools/call'), body: callBody(8, 'rich__echo', {}, ENVELOPE) }), 400, -32020],
  ['tools/call whose Mcp-Name names another tool', ({ token }) => ({ method: 'POST', headers: modernHeaders(token, 'tools/call', 'rich__rich'), body: callBody(9, 'rich__echo', {}, ENVELOPE) }), 400, -32020],
  ['an envelope naming 2099-01-01', ({ token }) => ({ method: 'POST', headers: { ...modernHeaders(token, 'tools/call', 'rich__echo'), 'MCP-Protocol-Version': '2099-01-01' }, body: callBody(10, 'rich__echo', {}, { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }) }), 400, -32022],
  ['ping, which 2026-07-28 removed', ({ token }) => ({ method: 'POST', headers: modernHeaders(token, 'ping'), body: requestBody(11, 'ping', ENVELOPE) }), 404, -32601],
  ['an unknown tool', ({ token }) => ({ method: 'POST', headers: modernHeaders(token, 'tools/call', 'nobody__nothing'), body: callBody(12, 'nobody__nothing', {}, ENVELOPE) }), 200, -32602],
  ['GET without a session', ({ token }) => ({ method: 'GET', headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } }), 405],
  ['DELETE without a session', ({ token }) => ({ method: 'DELETE', headers: { Authorization: `Bearer ${token}` } }), 405],
  ['PUT', ({ token }) => ({ method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: ACCEPT_BOTH }, body: '{}' }), 405],
];

describe('the wire rules of /mcp, raw HTTP, on the fast path and the plain path alike', () => {
  const sides: Side[] = [];

  before(async () => {
    for (const [label, env] of [['fast path', {}], ['plain path', { INLET_MCP_FAST_PATH: 'off' }]] as const) {
      const hub = await startHub({ env });
      const watcher = await connectAi(hub, 'ai:watcher');
      const provider = await dialRichProvider(`${hub.urls.ws}?server_name=rich&token=${encodeURIComponent(await hub.mint('provider:rich'))}`);
      await watcher.waitForTools((tools) => names(tools).includes('rich__echo'));
      await watcher.close();
      sides.push({ label, hub, token: await hub.mint('ai:raw'), provider });
    }
  });
  after(async () => {
    for (const side of sides) {
      await side.provider.close();
      await side.hub.stop();
    }
  });

  async function runCases(cases: Case[], sessions: string[]): Promise<void> {
    for (const [label, init, status, code] of cases) {
      const answers: Answer[] = [];
      for (const [i, side] of sides.entries()) {
        const answer = await send(side.hub.urls.mcp, init(side, sessions[i] ?? ''));
        assert.equal(answer.status, status, `${side.label}, ${label}: ${answer.body}`);
        if (code !== undefined) assert.equal(errorCode(answer), code, `${side.label}, ${label}: ${answer.body}`);
        if (status === 405) assert.equal(answer.allow, 'POST', `${side.label}, ${label}`);
        answers.push(answer);
      }
      const [fast, plain] = answers.map(({ status: s, type, allow, body }) => ({ status: s, type, allow, body }));
      assert.deepEqual(fast, plain, `${label}: both paths answer the same bytes`);
    }
  }

  it('2025-11-25 requests: 406 without both Accept types, 415, protocol-version checks, 404 for an unknown session', async () => {
    await runCases(LEGACY_CASES, await Promise.all(sides.map((side) => openSession(side.hub.urls.mcp, side.token))));
  });

  it('2026-07-28 requests: Mcp-Method / Mcp-Name / MCP-Protocol-Version must match the body; 404 for removed methods; 405 for GET/DELETE/PUT', async () => {
    await runCases(MODERN_CASES, []);
  });

  it('a cancelled 2025 call gets no response; the provider hears the cancellation', async () => {
    for (const side of sides) {
      const session = await openSession(side.hub.urls.mcp, side.token);
      const url = side.hub.urls.mcp;
      const call = await fetch(url, { method: 'POST', headers: legacyHeaders(side.token, session), body: callBody(42, 'rich__slow', { steps: 100_000, ms: 10 }, { progressToken: 'p' }) });
      const reader = call.body!.getReader();
      await reader.read(); // the first progress: the call runs at the provider
      const cancelled = side.provider.nextCancel();
      const note = await send(url, { method: 'POST', headers: legacyHeaders(side.token, session), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 42, reason: 'stop' } }) });
      assert.equal(note.status, 202);
      assert.ok(await cancelled, `${side.label}: the provider saw the cancellation`);
      // Ending the session closes the call's stream: whatever it carried, no response to 42.
      assert.equal((await send(url, { method: 'DELETE', headers: legacyHeaders(side.token, session) })).status, 200);
      let rest = '';
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += Buffer.from(chunk.value).toString('utf8');
      const responses = messagesOf({ body: rest, type: 'text/event-stream' }).filter((m) => m.id === 42);
      assert.deepEqual(responses, [], `${side.label}: no response to the cancelled call`);
    }
  });

  it('a 2026 call is cancelled by closing its request; the provider hears it', async () => {
    for (const side of sides) {
      const stop = new AbortController();
      const call = await fetch(side.hub.urls.mcp, {
        method: 'POST',
        headers: modernHeaders(side.token, 'tools/call', 'rich__slow'),
        body: callBody(43, 'rich__slow', { steps: 100_000, ms: 10 }, { ...ENVELOPE, progressToken: 'p' }),
        signal: stop.signal,
      });
      assert.equal(call.headers.get('content-type'), 'text/event-stream');
      await call.body!.getReader().read();
      const cancelled = side.provider.nextCancel();
      stop.abort();
      assert.ok(await cancelled, `${side.label}: the provider saw the cancellation`);
    }
  });

  it('pushes the same tools/list_changed bytes on both paths: a 2025 GET stream, a 2026 listen stream', async () => {
    const heard: string[][] = [];
    const until = async (reader: ReadableStreamDefaultReader<Uint8Array>, text: string) => {
      let seen = '';
      while (!seen.includes(text)) seen += Buffer.from((await reader.read()).value!).toString('utf8');
      return seen.split('\n').filter((line) => !line.startsWith(':')).join('\n');
    };
    for (const side of sides) {
      const session = await openSession(side.hub.urls.mcp, side.token);
      const legacy = (await fetch(side.hub.urls.mcp, { headers: { ...legacyHeaders(side.token, session), Accept: 'text/event-stream' } })).body!.getReader();
      const listen = await fetch(side.hub.urls.mcp, {
        method: 'POST',
        headers: modernHeaders(side.token, 'subscriptions/listen'),
        body: JSON.stringify({ jsonrpc: '2.0', id: 'listen-1', method: 'subscriptions/listen', params: { _meta: ENVELOPE, notifications: { toolsListChanged: true } } }),
      });
      const modern = listen.body!.getReader();
      const acknowledged = await until(modern, 'subscriptions/acknowledged');
      const provider = await dialProvider(`${side.hub.urls.ws}?server_name=joiner&token=${encodeURIComponent(await side.hub.mint('provider:joiner'))}`);
      heard.push([await until(legacy, 'list_changed'), acknowledged, await until(modern, 'list_changed')]);
      await legacy.cancel();
      await modern.cancel();
      provider.socket.close();
    }
    assert.deepEqual(heard[0], heard[1]);
    assert.equal(heard[0]![0], 'event: message\ndata: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n\n');
    assert.match(heard[0]![2]!, /"method":"notifications\/tools\/list_changed".*"io\.modelcontextprotocol\/subscriptionId":"listen-1"/);
  });

  it('answers a 2,000-tool tools/list with the same bytes on both paths, in both revisions', async () => {
    const many = Array.from({ length: 2_000 }, (_, i) => `tool_${i}_with_a_longer_name`);
    const extra = [];
    const lists: Answer[][] = [];
    for (const side of sides) {
      const watcher = await connectAi(side.hub, 'ai:watcher');
      extra.push(await dialProvider(`${side.hub.urls.ws}?server_name=many&token=${encodeURIComponent(await side.hub.mint('provider:many'))}`, { tools: many }));
      await watcher.waitForTools((tools) => tools.length === 2_000 + 5);
      await watcher.close();
      // Twice each: the first answer after a change teaches the fast path the list's bytes, the
      // second is spliced from them.
      const session = await openSession(side.hub.urls.mcp, side.token);
      const answers: Answer[] = [];
      for (let round = 0; round < 2; round++) {
        answers.push(await send(side.hub.urls.mcp, { method: 'POST', headers: modernHeaders(side.token, 'tools/list'), body: requestBody(1, 'tools/list', ENVELOPE) }));
        answers.push(await send(side.hub.urls.mcp, { method: 'POST', headers: legacyHeaders(side.token, session), body: requestBody(2, 'tools/list') }));
      }
      for (const answer of answers) assert.equal((messagesOf(answer)[0]?.result as { tools: unknown[] }).tools.length, 2_000 + 5, side.label);
      lists.push(answers.map(({ status, type, body }) => ({ status, type, body }) as Answer));
    }
    for (const [i, fast] of lists[0]!.entries()) {
      const plain = lists[1]![i]!;
      assert.deepEqual([fast.status, fast.type], [plain.status, plain.type]);
      assert.ok(fast.body === plain.body, `answer ${i} differs from byte ${firstDifference(fast.body, plain.body)}`);
    }
    for (const provider of extra) provider.socket.close();
  });
});

/** Where two texts first differ, with a little context, for a readable failure. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `${i}: …${a.slice(Math.max(0, i - 40), i + 60)}… vs …${b.slice(Math.max(0, i - 40), i + 60)}…`;
}
