import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectClient } from './helpers/ai-clients.js';
import { hubStatus, startHub, type RunningHub } from './helpers/hub-process.js';
import { legacyHeaders, openSession, requestBody, send } from './helpers/raw-mcp.js';

/** Resolves when the hub logs a line matching `pattern` (the hub runs with INLET_LOG=info). */
function nextLog(hub: RunningHub, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line === undefined) return;
      hub.process.stderr!.off('data', onData);
      resolve(line);
    };
    hub.process.stderr!.on('data', onData);
  });
}

/** Opens the GET stream of a 2025 session, as Claude Code does right after initialize. */
async function openStream(url: string, token: string, session: string): Promise<AbortController> {
  const stop = new AbortController();
  const response = await fetch(url, { method: 'GET', headers: { ...legacyHeaders(token, session), Accept: 'text/event-stream' }, signal: stop.signal });
  assert.equal(response.status, 200);
  void response.body!.getReader().read().catch(() => undefined);
  return stop;
}

describe('no AI session outlives its client', () => {
  let hub: RunningHub;
  let token: string;

  before(async () => {
    // A short idle timeout (9 s, longer than the 5 s a session gets after its stream closed).
    hub = await startHub({ config: { ai: { idle_timeout_min: 0.15 } }, env: { INLET_LOG: 'info' } });
    token = await hub.mint('ai:lifetime');
  });
  after(async () => {
    await hub?.stop();
  });

  it('ends a 2025 session within seconds once its client closed the GET stream and went quiet (claude mcp list)', async () => {
    const session = await openSession(hub.urls.mcp, token);
    const stream = await openStream(hub.urls.mcp, token, session);
    assert.equal((await hubStatus(hub)).sessions.filter((s) => s.caller === 'ai:lifetime').length, 1, 'listed while its stream is open');
    const ended = nextLog(hub, new RegExp(`AI session ended: its client closed the stream.*session="${session.slice(0, 8)}"`));
    stream.abort();
    await ended;
    const again = await send(hub.urls.mcp, { method: 'POST', headers: legacyHeaders(token, session), body: requestBody(2, 'tools/list') });
    assert.equal(again.status, 404, 'the session is gone, not just hidden');
    assert.deepEqual((await hubStatus(hub)).sessions.filter((s) => s.caller === 'ai:lifetime'), []);
  });

  it('keeps a session whose client closed its stream but goes on sending', async () => {
    const session = await openSession(hub.urls.mcp, token);
    const stream = await openStream(hub.urls.mcp, token, session);
    stream.abort();
    const list = await send(hub.urls.mcp, { method: 'POST', headers: legacyHeaders(token, session), body: requestBody(3, 'tools/list') });
    assert.equal(list.status, 200);
  });

  it('expires a quiet 2025 session (no stream, no requests) after the idle timeout', async () => {
    const session = await openSession(hub.urls.mcp, token);
    await nextLog(hub, new RegExp(`AI session expired after the idle timeout.*session="${session.slice(0, 8)}"`));
    const again = await send(hub.urls.mcp, { method: 'POST', headers: legacyHeaders(token, session), body: requestBody(4, 'tools/list') });
    assert.equal(again.status, 404);
  });

  it('keeps a session with an open GET stream however long it is quiet, and ends it on DELETE', async () => {
    const session = await openSession(hub.urls.mcp, token);
    const stream = await openStream(hub.urls.mcp, token, session);
    // A quiet session opened at the same time expires: the idle timeout has passed for both.
    const quiet = await openSession(hub.urls.mcp, token);
    await nextLog(hub, new RegExp(`AI session expired after the idle timeout.*session="${quiet.slice(0, 8)}"`));
    const alive = await send(hub.urls.mcp, { method: 'POST', headers: legacyHeaders(token, session), body: requestBody(5, 'tools/list') });
    assert.equal(alive.status, 200);
    const deleted = await send(hub.urls.mcp, { method: 'DELETE', headers: legacyHeaders(token, session) });
    assert.equal(deleted.status, 200);
    stream.abort();
    assert.equal((await send(hub.urls.mcp, { method: 'POST', headers: legacyHeaders(token, session), body: requestBody(6, 'tools/list') })).status, 404);
  });

  it('lists a 2026-07-28 client, which has no session, with its revision and name', async () => {
    const client = await connectClient(hub, 'v2-auto', 'ai:listener');
    const entry = (await hubStatus(hub)).sessions.find((s) => s.caller === 'ai:listener');
    assert.equal(entry?.protocol, '2026-07-28');
    assert.equal(entry?.client, 'test-v2-auto');
    await client.close();
  });
});
