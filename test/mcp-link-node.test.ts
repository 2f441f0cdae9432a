import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialProvider } from './fixtures/ws-provider.js';
import { adminEvents } from './helpers/admin-events.js';
import { adminRequest, connectAi, names, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { startMcpLinkHub, startRegistrant, type Registrant } from './helpers/mcp-link-registrant.js';

/**
 * MCP-Link's Node client, reverse_mcp.js, against Inlet (docs/mcp-link.md): the project's own
 * registrant that behaves as it does (test/fixtures/mcp-link-registrant.mjs), found through the
 * com.aurafriday.shim.json that `inlet manifests install --mcp-link` wrote in a scratch HOME.
 * test/mcp-link.test.ts covers the wire with the Python client; this covers what the Node client
 * does differently: it answers pushed calls concurrently and only for the name it registered,
 * decodes each read of its stream on its own, and reads another tool's answer off
 * its stream within 30 s. Its reconnection across a hub restart is tested there, with Python's.
 */
describe("MCP-Link's Node registrant", () => {
  let home: string;
  let hub: RunningHub;
  let ai: AiClient;
  let js: Registrant;
  let renamed: Registrant | undefined;

  before(async () => {
    ({ home, hub } = await startMcpLinkHub());
    ai = await connectAi(hub);
    const token = await hub.mint('provider:legacy');
    await dialProvider(`${hub.urls.ws}?server_name=legacy&token=${encodeURIComponent(token)}`, { tools: ['hi'] });
    js = startRegistrant('node', home, 'echo_js', 'key-js');
  });
  after(async () => {
    await Promise.all([js?.kill(), renamed?.kill()]);
    await ai?.close();
    await hub?.stop();
  });

  it('registers through the native host, and an AI client sees its tool under its bare name and gets its answer', async () => {
    assert.match((await js.next((e) => e.event === 'registered')).text ?? '', /^Successfully registered tool: echo_js\n/);
    const tools = await ai.waitForTools((list) => names(list).includes('echo_js'));
    assert.deepEqual(tools.find((t) => t.name === 'echo_js')?.inputSchema.required, ['message']);
    assert.equal(textOf((await ai.callTool({ name: 'echo_js', arguments: { message: 'hi' } })) as never), 'Echo: hi');
    assert.equal((await js.next((e) => e.event === 'replied')).ok, true, 'its tools/reply POST was answered 202');
  });

  it('answers calls to its tool when renamed echo_js2, since the push names the tool it registered, which it checks', async () => {
    renamed = startRegistrant('node', home, 'echo_js', 'key-other');
    assert.match((await renamed.next((e) => e.event === 'registered')).text ?? '', /^Successfully registered tool: echo_js2 \(renamed from echo_js/);
    await ai.waitForTools((list) => names(list).includes('echo_js2'));
    assert.equal(textOf((await ai.callTool({ name: 'echo_js2', arguments: { message: 'second' } })) as never), 'Echo: second');
    assert.equal((await renamed.next((e) => e.event === 'call')).tool, 'echo_js');
    await renamed.kill();
    await ai.waitForTools((list) => !names(list).includes('echo_js2'));
  });

  it('answers a second call while the first waits on the approval of a tool it called, under its own identity', async () => {
    const events = await adminEvents(hub);
    const relayed = ai.callTool({ name: 'echo_js', arguments: { message: 'relay', call: 'legacy__hi', arguments: { text: 'via-js' } } });
    const pending = (await events.until((s) => s.pending.some((p) => p.tool === 'hi'))).pending.find((p) => p.tool === 'hi')!;
    assert.equal(pending.caller, 'addin:echo_js');
    // reverse_mcp.js handles each push as it comes: this one is answered while the first waits.
    assert.equal(textOf((await ai.callTool({ name: 'echo_js', arguments: { message: 'meanwhile' } })) as never), 'Echo: meanwhile');
    assert.equal((await adminRequest(hub, 'POST', `/approvals/${encodeURIComponent(pending.id)}/approve`, {})).status, 200);
    const text = textOf((await relayed) as never);
    assert.match(text, /^Echo: relay\n\n\[DEMO\] Called legacy__hi tool successfully!\nResult:\n/);
    assert.match(text, /hi:via-js/);
    events.close();
  });

  it('hears at once, not after its 30 s wait, that a call to another tool was denied or names no tool', async () => {
    const events = await adminEvents(hub);
    const denied = ai.callTool({ name: 'echo_js', arguments: { message: 'deny', call: 'legacy__hi', arguments: { text: 'x' } } });
    const pending = (await events.until((s) => s.pending.some((p) => p.tool === 'hi'))).pending.find((p) => p.tool === 'hi')!;
    assert.equal((await adminRequest(hub, 'POST', `/approvals/${encodeURIComponent(pending.id)}/deny`, {})).status, 200);
    const deniedText = textOf((await denied) as never);
    assert.match(deniedText, /^Echo: deny\n\n/);
    assert.match(deniedText, /denied by/);
    assert.doesNotMatch(deniedText, /Tool call failed/, 'the registrant did not wait out its 30 s');
    events.close();

    // reverse_mcp.js's own demo calls MCP-Link's built-in sqlite, which Inlet does not have.
    const unknown = textOf((await ai.callTool({ name: 'echo_js', arguments: { message: 'list tables', call: 'sqlite', arguments: { input: { sql: '.tables' } } } })) as never);
    assert.match(unknown, /^Echo: list tables\n\n\[DEMO\] sqlite tool call failed or returned no result:\n/);
    assert.match(unknown, /Unknown tool: sqlite/);
  });

  it('gets a long non-ASCII message whole, though it decodes each chunk of its stream on its own', async () => {
    // Over 64 KiB, the push reaches it in several reads; a character split between two would be garbled.
    const message = `${'€'.repeat(30_000)} café 😀`;
    assert.equal(textOf((await ai.callTool({ name: 'echo_js', arguments: { message } })) as never), `Echo: ${message}`);
  });

  it('is dropped from tools/list when killed, failing the call it left waiting', async () => {
    const failed = assert.rejects(ai.callTool({ name: 'echo_js', arguments: { message: 'm', silent: true } }), /Remote tool 'echo_js' disconnected before replying/);
    await js.next((e) => e.event === 'call' && e.arguments?.silent === true);
    await js.kill();
    await failed;
    await ai.waitForTools((list) => !names(list).includes('echo_js'));
  });
});
