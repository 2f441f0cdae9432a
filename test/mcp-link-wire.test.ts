import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { adminRequest, connectAi, hubStatus, names, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { sseEvents, type SseEvent } from './helpers/sse-stream.js';

type Message = { id?: string; result?: { content?: Array<{ type: string; text: string }>; isError?: boolean; tools?: Array<{ name: string }> }; reverse?: Record<string, unknown> };

/** A registrant on the raw wire, as MCP-Link's clients speak it: no initialize, uuid ids, 202 expected. */
class RawRegistrant {
  private readonly waiting = new Map<string, (message: Message) => void>();
  private readonly pushes: Message[] = [];
  private pushWaiter: (() => void) | undefined;
  private readonly stop = new AbortController();
  private streamEnded!: () => void;
  /** Resolves when the hub ends the stream. */
  readonly ended = new Promise<void>((resolve) => (this.streamEnded = resolve));
  endpoint = '';

  constructor(private readonly sseUrl: string, private readonly token: string) {}

  async open(): Promise<void> {
    const response = await fetch(this.sseUrl, { headers: { Authorization: `Bearer ${this.token}`, Accept: 'text/event-stream' }, signal: this.stop.signal });
    assert.equal(response.status, 200);
    const events = sseEvents(response.body!);
    const first = (await events.next()).value as SseEvent;
    assert.equal(first.event, 'endpoint');
    this.endpoint = first.data;
    void (async () => {
      try {
        for await (const event of events) {
          const message = JSON.parse(event.data) as Message;
          if (message.reverse) {
            this.pushes.push(message);
            this.pushWaiter?.();
          } else if (message.id) this.waiting.get(message.id)?.(message);
        }
      } catch {
        /* aborted */
      }
      this.streamEnded();
    })();
  }

  async post(message: unknown): Promise<void> {
    const response = await fetch(new URL(this.endpoint, this.sseUrl), { method: 'POST', headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(message) });
    assert.equal(response.status, 202);
    assert.equal(await response.text(), '');
  }

  async request(method: string, params: unknown, id: string = randomUUID()): Promise<Message> {
    const answer = new Promise<Message>((resolve) => this.waiting.set(id, resolve));
    await this.post({ jsonrpc: '2.0', id, method, params });
    return answer;
  }

  remote(input: Record<string, unknown>): Promise<Message> {
    return this.request('tools/call', { name: 'remote', arguments: { input } });
  }

  async nextPush(): Promise<Message> {
    while (this.pushes.length === 0) await new Promise<void>((resolve) => (this.pushWaiter = resolve));
    return this.pushes.shift()!;
  }

  close(): void {
    this.stop.abort();
  }
}

const REGISTRATION = {
  operation: 'register',
  description: 'A raw test tool.',
  parameters: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
  callback_endpoint: 'raw://callback',
  TOOL_API_KEY: 'raw-key',
};

function text(message: Message): string {
  return message.result?.content?.[0]?.text ?? '';
}

describe('MCP-Link\'s wire on /sse (remote, reverse pushes, tools/reply)', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let raw: RawRegistrant;

  before(async () => {
    hub = await startHub({
      config: {
        approvals: { default: 'allow', rules: [{ caller: 'addin:wire', policy: 'allow' }] },
        providers: { 'remote:gated': { progressive_discovery: true }, 'remote:gated2': { progressive_discovery: true } },
      },
      env: { INLET_SSE_KEEPALIVE_MS: '300' },
    });
    ai = await connectAi(hub);
    raw = new RawRegistrant(hub.urls.sse ?? '', await hub.mint('addin:wire'));
    await raw.open();
  });
  after(async () => {
    raw?.close();
    await ai?.close();
    await hub?.stop();
  });

  it('announces a relative endpoint with session_id and lists remote first, without initialize', async () => {
    assert.match(raw.endpoint, /^\/messages\/\?session_id=[0-9a-f]{32}$/);
    const listed = await raw.request('tools/list', {});
    assert.equal(listed.result?.tools?.[0]?.name, 'remote');
    const ais = await ai.listTools();
    assert.ok(!names(ais.tools).includes('remote'));
  });

  it('keeps a quiet stream alive with comment lines', async () => {
    const stop = new AbortController();
    const response = await fetch(hub.urls.sse ?? '', { headers: { Authorization: `Bearer ${await hub.mint('addin:quiet')}` }, signal: stop.signal });
    const events = sseEvents(response.body!, { comments: true });
    assert.equal((await events.next()).value?.event, 'endpoint');
    assert.deepEqual((await events.next()).value?.comments, [': keepalive']);
    stop.abort();
  });

  it('refuses bad registrations with a clear error and registers nothing', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...REGISTRATION, tool_name: 'two words' }, /tool_name: tool_name must be 1 to 64 letters, digits/],
      [{ ...REGISTRATION, tool_name: 'ok', TOOL_API_KEY: undefined }, /TOOL_API_KEY/],
      [{ ...REGISTRATION, tool_name: 'ok', description: 'x'.repeat(16_385) }, /description is longer than 16384 characters/],
      [{ ...REGISTRATION, tool_name: 'ok', parameters: 'none' }, /parameters/],
      [{ operation: 'launch' }, /operation/],
    ];
    for (const [input, why] of cases) {
      const answer = await raw.remote(input);
      assert.equal(answer.result?.isError, true);
      assert.match(text(answer), why);
    }
    // An AI client's token calls tools; it does not offer them (roles.ts).
    const aiSession = new RawRegistrant(hub.urls.sse ?? '', await hub.mint('ai:not-a-registrant'));
    await aiSession.open();
    const refused = await aiSession.remote({ ...REGISTRATION, tool_name: 'ai_tool' });
    assert.match(text(refused), /^Cannot register 'ai_tool': ai:not-a-registrant is a token that calls tools, not one that offers them/);
    aiSession.close();
    const listed = await raw.remote({ operation: 'list' });
    assert.deepEqual(JSON.parse(text(listed)), { registered_tools: [] });
  });

  it('pushes a call as MCP-Link\'s reverse message and hands the tools/reply result to the AI client', async () => {
    const registered = await raw.remote({ ...REGISTRATION, tool_name: 'raw_tool' });
    assert.match(text(registered), /^Successfully registered tool: raw_tool\n/);
    await ai.waitForTools((tools) => names(tools).includes('raw_tool'));

    const answer = ai.callTool({ name: 'raw_tool', arguments: { input: { message: 'hello', tool_unlock_token: 'kept', handler_info: { x: 1 } } } });
    const push = await raw.nextPush();
    const callId = push.id!;
    assert.deepEqual(push, {
      jsonrpc: '2.0',
      id: callId,
      reverse: {
        tool: 'raw_tool',
        call_id: callId,
        input: { method: 'tools/call', params: { name: 'raw_tool', arguments: { message: 'hello', tool_unlock_token: 'kept' } }, jsonrpc: '2.0', id: callId },
        isError: false,
      },
    });
    // The browser extension's variant of the reply: extra fields, the JSON-RPC id is the call id.
    const confirmation = await raw.request('tools/reply', { name: 'raw_tool', call_id: callId, id: callId, result: { content: [{ type: 'text', text: 'done' }] } }, callId);
    assert.equal(text(confirmation), `Tool reply processed for call_id ${callId}`);
    assert.equal(textOf((await answer) as never), 'done');
  });

  it('answers a reply without a result, a reply to no call, and arguments of the wrong type as MCP-Link does', async () => {
    const answer = ai.callTool({ name: 'raw_tool', arguments: { message: 'no result' } });
    const push = await raw.nextPush();
    await raw.post({ jsonrpc: '2.0', id: push.id, method: 'tools/reply', params: {} });
    assert.deepEqual(await answer, { content: [{ type: 'text', text: '(no result provided)' }], isError: true });

    const stray = await raw.request('tools/reply', { result: { content: [] } }, 'no-such-call');
    assert.equal(stray.result?.isError, true);
    assert.equal(text(stray), 'No pending call found for call_id: no-such-call');

    const wrong = await ai.callTool({ name: 'raw_tool', arguments: { message: 5 } });
    assert.deepEqual(wrong, { content: [{ type: 'text', text: "Invalid arguments for raw_tool: 'message' must be a string, got integer" }], isError: true });
  });

  it('unregisters only with the same TOOL_API_KEY, with one answer for a wrong key and an unknown name', async () => {
    const wrongKey = await raw.remote({ operation: 'unregister', tool_name: 'raw_tool', TOOL_API_KEY: 'guess' });
    const unknown = await raw.remote({ operation: 'unregister', tool_name: 'nothing', TOOL_API_KEY: 'guess' });
    assert.equal(text(wrongKey), "Cannot unregister 'raw_tool': unknown tool or TOOL_API_KEY mismatch");
    assert.equal(text(unknown), "Cannot unregister 'nothing': unknown tool or TOOL_API_KEY mismatch");
    const listed = JSON.parse(text(await raw.remote({ operation: 'list' }))) as { registered_tools: Array<Record<string, unknown>> };
    assert.deepEqual(Object.keys(listed.registered_tools[0]!).sort(), ['callback_endpoint', 'name', 'registered_at', 'registered_by', 'session_alive']);
    assert.equal(listed.registered_tools[0]!.registered_by, 'addin:wire');
    assert.ok(!JSON.stringify(listed).includes('raw-key'), 'no key is listed');

    const done = await raw.remote({ operation: 'unregister', tool_name: 'raw_tool', TOOL_API_KEY: 'raw-key' });
    assert.deepEqual(JSON.parse(text(done)), { unregistered: 'raw_tool' });
    await ai.waitForTools((tools) => !names(tools).includes('raw_tool'));
  });

  it('lists an opted-in registrant in progressive-discovery form: readme first, then calls with its own unlock token', async () => {
    await raw.remote({ ...REGISTRATION, tool_name: 'gated', readme: 'Short: when to use gated.', TOOL_API_KEY: 'gated-key' });
    await raw.remote({ ...REGISTRATION, tool_name: 'gated2', TOOL_API_KEY: 'gated2-key' });
    const tools = await ai.waitForTools((list) => names(list).includes('gated') && names(list).includes('gated2'));
    const gated = tools.find((t) => t.name === 'gated')!;
    assert.equal(gated.description, 'Short: when to use gated.');
    assert.deepEqual(Object.keys(gated.inputSchema.properties ?? {}), ['input']);

    const refused = await ai.callTool({ name: 'gated', arguments: { input: { message: 'no token' } } });
    assert.equal(refused.isError, true);
    assert.match(textOf(refused as never), /Missing required tool_unlock_token for gated\. Call gated with \{"input":\{"operation":"readme"\}\} first/);

    const readme = JSON.parse(textOf((await ai.callTool({ name: 'gated', arguments: { input: { operation: 'readme' } } })) as never)) as { description: string; parameters: { properties: object }; tool_unlock_token: string };
    assert.match(readme.description, /A raw test tool\./);
    assert.deepEqual(Object.keys(readme.parameters.properties), ['message']);
    assert.match(readme.tool_unlock_token, /^[0-9a-f]{8}$/);
    const other = JSON.parse(textOf((await ai.callTool({ name: 'gated2', arguments: { input: { operation: 'readme' } } })) as never)) as { tool_unlock_token: string };
    assert.notEqual(other.tool_unlock_token, readme.tool_unlock_token, 'each tool has its own token');

    const answer = ai.callTool({ name: 'gated', arguments: { input: { message: 'unlocked', tool_unlock_token: readme.tool_unlock_token } } });
    const push = await raw.nextPush();
    assert.deepEqual((push.reverse!.input as { params: { arguments: unknown } }).params.arguments, { message: 'unlocked' });
    await raw.post({ jsonrpc: '2.0', id: push.id, method: 'tools/reply', params: { result: { content: [{ type: 'text', text: 'opened' }] } } });
    assert.equal(textOf((await answer) as never), 'opened');
  });

  it('ends a registrant\'s stream when its token is revoked, and its tool leaves the list', async () => {
    const revokee = new RawRegistrant(hub.urls.sse ?? '', await hub.mint('addin:revokee'));
    await revokee.open();
    await revokee.remote({ ...REGISTRATION, tool_name: 'revoked_tool', TOOL_API_KEY: 'r' });
    await ai.waitForTools((tools) => names(tools).includes('revoked_tool'));
    const revoked = await adminRequest(hub, 'POST', '/tokens/revoke', { client: 'addin:revokee' });
    assert.equal(revoked.status, 200);
    await revokee.ended;
    await ai.waitForTools((tools) => !names(tools).includes('revoked_tool'));
  });

  it('names the token an unnamed add-in connected with, even after it unregistered its tool, so revoking it cuts the add-in off', async () => {
    const unnamed = new RawRegistrant(hub.urls.sse ?? '', await hub.mint('addin:addin'));
    await unnamed.open();
    await unnamed.remote({ ...REGISTRATION, tool_name: 'unnamed_tool', TOOL_API_KEY: 'u' });
    const session = async () => (await hubStatus(hub)).sessions.find((s) => s.caller === 'addin:unnamed_tool');
    assert.deepEqual({ ...(await session()), since: undefined, client: undefined }, { caller: 'addin:unnamed_tool', since: undefined, client: undefined, protocol: 'sse', registered: ['unnamed_tool'], token: 'addin:addin' });
    await unnamed.remote({ operation: 'unregister', tool_name: 'unnamed_tool', TOOL_API_KEY: 'u' });
    assert.equal((await session())?.token, 'addin:addin');
    assert.equal((await session())?.registered, undefined);
    assert.equal((await adminRequest(hub, 'POST', '/tokens/revoke', { client: 'addin:addin' })).status, 200);
    await unnamed.ended;
  });
});
