import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialProvider } from './fixtures/ws-provider.js';
import { adminEvents } from './helpers/admin-events.js';
import { adminRequest, childEnv, CLI, connectAi, hubStatus, names, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { startMcpLinkHub, startRegistrant, type Registrant } from './helpers/mcp-link-registrant.js';
import { runCommand } from './helpers/run-command.js';

/**
 * MCP-Link's tools against Inlet, end to end (docs/mcp-link.md): `inlet manifests install --mcp-link`
 * in a scratch HOME, then a registrant that behaves as MCP-Link's reverse_mcp.py (found through
 * com.aurafriday.shim.json and Inlet's native host, /sse without initialize, `remote` register,
 * `tools/reply`), and a real AI client on /mcp.
 */
describe('MCP-Link registrants', () => {
  let home: string;
  let hub: RunningHub;
  let ai: AiClient;
  const running: Registrant[] = [];
  const registrant = (tool: string, key: string) => {
    const started = startRegistrant('python', home, tool, key);
    running.push(started);
    return started;
  };

  before(async () => {
    let installed: string;
    ({ home, hub, installed } = await startMcpLinkHub());
    assert.match(installed, /\.config\/google-chrome\/NativeMessagingHosts\/com\.aurafriday\.shim\.json/);
    ai = await connectAi(hub);
    const token = await hub.mint('provider:legacy');
    await dialProvider(`${hub.urls.ws}?server_name=legacy&token=${encodeURIComponent(token)}`, { tools: ['hi'] });
    await ai.waitForTools((tools) => names(tools).includes('legacy__hi'));
  });
  after(async () => {
    await Promise.all(running.map((r) => r.kill()));
    await ai?.close();
    await hub?.stop();
  });

  it('registers a tool that an AI client sees under its bare name and calls, with MCP-Link\'s {"input": …} wrapping unwrapped', async () => {
    const py = registrant('echo_py', 'key-a');
    const registered = await py.next((e) => e.event === 'registered');
    assert.match(registered.text ?? '', /^Successfully registered tool: echo_py\n/);
    const tools = await ai.waitForTools((list) => names(list).includes('echo_py'));
    assert.ok(!names(tools).includes('remote'), 'the remote meta-tool is for registrants on /sse, not for AI clients');
    assert.deepEqual(tools.find((t) => t.name === 'echo_py')?.inputSchema.required, ['message']);

    assert.equal(textOf((await ai.callTool({ name: 'echo_py', arguments: { message: 'hi' } })) as never), 'Echo: hi');
    // The registrant prints each call as it answers it: the first call's line may come after
    // its result, so the second call is the line after the first call's.
    const first = await py.next((e) => e.event === 'call');
    const wrapped = await ai.callTool({ name: 'echo_py', arguments: { input: { input: { message: 'wrapped', _timeout_seconds: 30, operation: 'execute' } } } });
    assert.equal(textOf(wrapped as never), 'Echo: wrapped');
    const call = await py.next((e) => e.event === 'call', py.events.indexOf(first) + 1);
    assert.deepEqual(call, { event: 'call', tool: 'echo_py', arguments: { message: 'wrapped' } });

    const status = await hubStatus(hub);
    const entry = status.providers.find((p) => p.kind === 'registrant' && p.name === 'remote:echo_py');
    assert.deepEqual(entry?.tools, ['echo_py']);
    assert.equal(entry?.client, 'addin:addin', 'the token MCP-Link clients get from the native host, which they launch without arguments');
    assert.ok(status.sessions.some((s) => s.caller === 'addin:echo_py' && s.protocol === 'sse'));
    const printed = await runCommand(process.execPath, [CLI, 'status'], childEnv(hub.dataDir, { HOME: home }));
    assert.match(printed.stdout, /^ {2}remote:echo_py {2}\[ready\] {2}registrant .*\(addin:addin from [^)]+\)\n {6}echo_py$/m);
  });

  it('lets the registrant call another tool over its own session, asked about under its own identity addin:echo_py', async () => {
    const events = await adminEvents(hub);
    const answer = ai.callTool({ name: 'echo_py', arguments: { message: 'relay', call: 'legacy__hi', arguments: { text: 'via-registrant' } } });
    const state = await events.until((s) => s.pending.some((p) => p.tool === 'hi'));
    const pending = state.pending.find((p) => p.tool === 'hi')!;
    assert.equal(pending.caller, 'addin:echo_py');
    const decided = await adminRequest(hub, 'POST', `/approvals/${encodeURIComponent(pending.id)}/approve`, {});
    assert.equal(decided.status, 200);
    const text = textOf((await answer) as never);
    assert.match(text, /^Echo: relay\n/);
    assert.match(text, /hi:via-registrant/);
    events.close();
  });

  it('gives a second registrant with another key name2, and lets a restart with the first key take its name back', async () => {
    const other = registrant('echo_py', 'key-b');
    assert.match((await other.next((e) => e.event === 'registered')).text ?? '', /^Successfully registered tool: echo_py2 \(renamed from echo_py due to naming conflict\)/);
    await ai.waitForTools((list) => names(list).includes('echo_py2'));
    // The push names the tool the registrant asked for, so a renamed MCP-Link client still answers.
    assert.equal(textOf((await ai.callTool({ name: 'echo_py2', arguments: { message: 'second' } })) as never), 'Echo: second');

    const restart = registrant('echo_py', 'key-a');
    const again = await restart.next((e) => e.event === 'registered');
    assert.match(again.text ?? '', /^Successfully registered tool: echo_py\n.*"replaced":true/);
    const seen = restart.events.length;
    assert.equal(textOf((await ai.callTool({ name: 'echo_py', arguments: { message: 'restarted' } })) as never), 'Echo: restarted');
    await restart.next((e) => e.event === 'call', seen);
  });

  it('fails a call at its reply deadline when the registrant never answers', async () => {
    const py = registrant('silent_py', 'key-s');
    await py.next((e) => e.event === 'registered');
    await ai.waitForTools((list) => names(list).includes('silent_py'));
    await assert.rejects(ai.callTool({ name: 'silent_py', arguments: { message: 'm', silent: true, _timeout_seconds: 1 } }), /Remote tool 'silent_py' did not reply within 1 seconds/);
  });

  it('drops the tool from tools/list when the registrant dies, failing the call it left waiting, and gives its name to the next registrant', async () => {
    const py = registrant('dying_py', 'key-d');
    await py.next((e) => e.event === 'registered');
    await ai.waitForTools((list) => names(list).includes('dying_py'));
    const failed = assert.rejects(ai.callTool({ name: 'dying_py', arguments: { message: 'm', silent: true } }), /Remote tool 'dying_py' disconnected before replying/);
    await py.next((e) => e.event === 'call');
    await py.kill();
    await failed;
    await ai.waitForTools((list) => !names(list).includes('dying_py'));

    const heir = registrant('dying_py', 'key-heir');
    assert.match((await heir.next((e) => e.event === 'registered')).text ?? '', /^Successfully registered tool: dying_py\n/);
    await ai.waitForTools((list) => names(list).includes('dying_py'));
  });
});

// Both clients, each in a HOME of its own: reverse_mcp.js also dies, instead of reconnecting,
// when its stream is cut off rather than ended, so it checks that a stopping hub ends each stream.
for (const language of ['python', 'node'] as const) {
  describe(`an MCP-Link registrant (${language}) across a hub restart`, () => {
    const tool = `comeback_${language}`;
    let home: string;
    let hub: RunningHub;
    let registrant: Registrant | undefined;

    before(async () => {
      ({ home, hub } = await startMcpLinkHub());
    });
    after(async () => {
      await registrant?.kill();
      await hub?.stop();
    });

    it('sees its stream end, reconnects with backoff, finds the new hub through the native host and registers again', async () => {
      registrant = startRegistrant(language, home, tool, 'key-c');
      await registrant.next((e) => e.event === 'registered');
      await hub.stop();
      const seen = registrant.events.length;
      await registrant.next((e) => e.event === 'disconnected', seen);
      await registrant.next((e) => e.event === 'reconnecting', seen);
      hub = await startHub({ dataDir: hub.dataDir, env: { HOME: home } });
      await registrant.next((e) => e.event === 'registered', seen);
      const ai = await connectAi(hub);
      await ai.waitForTools((list) => names(list).includes(tool));
      assert.equal(textOf((await ai.callTool({ name: tool, arguments: { message: 'back' } })) as never), 'Echo: back');
      await ai.close();
    });
  });
}
