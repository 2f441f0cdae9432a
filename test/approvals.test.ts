import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { dialProvider } from './fixtures/ws-provider.js';
import type { Pending } from '../app/shared/admin-types.js';
import { watchHub, type HubEvents } from './helpers/hub-events.js';
import { runCommand } from './helpers/run-command.js';
import { adminRequest, childEnv, CLI, connectAi, names, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';

function cli(hub: RunningHub, args: string[]) {
  return runCommand(process.execPath, [CLI, ...args], childEnv(hub.dataDir));
}

const admin = adminRequest<Record<string, unknown> & Array<Record<string, unknown>>>;

/**
 * The next call to start waiting, from the hub's event stream: the first pending request not
 * handed out before (so a snapshot from before the last decision cannot answer).
 */
function pendingCalls(events: HubEvents): () => Promise<Pending> {
  const seen = new Set<string>();
  return async () => {
    const next = await events.until((state) => state.pending.find((p) => !seen.has(p.id)));
    seen.add(next.id);
    return next;
  };
}

const text = (result: unknown) => JSON.stringify((result as { content?: unknown }).content);

/** A window no test here waits out: every decision below comes from the test, never the clock. */
const NEVER_S = 3_600;

describe('approvals from the shell and the admin API', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let provider: Awaited<ReturnType<typeof dialProvider>>;
  let events: HubEvents;
  let nextPending: () => Promise<Pending>;

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', timeout_s: NEVER_S } } });
    ai = await connectAi(hub, 'ai:claude');
    provider = await dialProvider(`${hub.urls.ws}?server_name=shop&token=${encodeURIComponent(await hub.mint('provider:shop'))}`, { tools: ['buy', 'look'] });
    await ai.waitForTools((tools) => names(tools).includes('shop__buy'));
    events = await watchHub(hub);
    nextPending = pendingCalls(events);
  });
  after(async () => {
    events?.close();
    provider?.socket.close();
    await ai?.close();
    await hub?.stop();
  });

  it('`inlet approvals list` shows the waiting call and `approve` delivers the provider\'s result', async () => {
    const call = ai.callTool({ name: 'shop__buy', arguments: { text: 'milk' } });
    const pending = await nextPending();
    const list = await cli(hub, ['approvals', 'list']);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /ai:claude wants shop\/buy/);
    assert.match(list.stdout, /"text":"milk"/);
    const approve = await cli(hub, ['approvals', 'approve', String(pending.id).slice(0, 8)]);
    assert.equal(approve.status, 0, approve.stderr);
    assert.deepEqual((await call).content, [{ type: 'text', text: 'buy:milk' }]);
  });

  it('`deny` gives the AI a tool error saying it was denied and by whom', async () => {
    const call = ai.callTool({ name: 'shop__buy', arguments: { text: 'caviar' } });
    const pending = await nextPending();
    const deny = await cli(hub, ['approvals', 'deny', String(pending.id), '--reason', 'too expensive']);
    assert.equal(deny.status, 0, deny.stderr);
    const result = await call;
    assert.equal(result.isError, true);
    assert.match(text(result), /was not made: denied by cli \(too expensive\)/);
  });

  it('a late decision is refused with a clear message', async () => {
    const call = ai.callTool({ name: 'shop__look', arguments: {} });
    const pending = await nextPending();
    await admin(hub, 'POST', `/approvals/${pending.id}/approve`);
    await call;
    const late = await admin(hub, 'POST', `/approvals/${pending.id}/deny`);
    assert.equal(late.status, 409);
    assert.match(String(late.data.error), /Too late: this request was already approved by cli/);
    const cliLate = await cli(hub, ['approvals', 'deny', String(pending.id)]);
    assert.equal(cliLate.status, 2);
    assert.match(cliLate.stderr, /Too late/);
  });

  it('the AI client\'s cancellation removes the request', async () => {
    const controller = new AbortController();
    const call = ai.callTool({ name: 'shop__buy', arguments: {} }, CallToolResultSchema, { signal: controller.signal });
    const pending = await nextPending();
    controller.abort('changed my mind');
    await assert.rejects(call);
    await events.until((state) => !state.pending.some((p) => p.id === pending.id));
  });

  it('a provider that leaves fails its pending calls', async () => {
    const other = await dialProvider(`${hub.urls.ws}?server_name=fleeting&token=${encodeURIComponent(await hub.mint('provider:fleeting'))}`, { tools: ['x'] });
    await ai.waitForTools((tools) => names(tools).includes('fleeting__x'));
    const call = ai.callTool({ name: 'fleeting__x', arguments: {} });
    await nextPending();
    other.socket.terminate();
    const result = await call;
    assert.equal(result.isError, true);
    assert.match(text(result), /its provider fleeting disconnected while it waited for approval/);
  });

  it('"always allow" writes a rule: the next call goes through without a prompt', async () => {
    const call = ai.callTool({ name: 'shop__look', arguments: { text: '1' } });
    const pending = await nextPending();
    assert.equal((await admin(hub, 'POST', `/approvals/${pending.id}/approve`, { always: true })).status, 200);
    await call;
    const config = JSON.parse(await readFile(join(hub.dataDir, 'config.json'), 'utf8')) as { approvals: { rules: unknown[] } };
    assert.deepEqual(config.approvals.rules, [{ provider: 'shop', tool: 'look', policy: 'allow' }]);
    const next = await ai.callTool({ name: 'shop__look', arguments: { text: '2' } });
    assert.deepEqual(next.content, [{ type: 'text', text: 'look:2' }]);
  });

  it('pause denies every new call until lifted', async () => {
    assert.equal((await admin(hub, 'POST', '/pause', { paused: true })).status, 200);
    const paused = await ai.callTool({ name: 'shop__look', arguments: {} });
    assert.match(text(paused), /Inlet is paused/);
    const lifted = await admin(hub, 'POST', '/pause', { paused: false });
    assert.equal(lifted.status, 200, JSON.stringify(lifted.data));
    const again = await ai.callTool({ name: 'shop__look', arguments: { text: 'ok' } });
    assert.deepEqual(again.content, [{ type: 'text', text: 'look:ok' }]);
  });

  it('`inlet policy` edits the rules of the running hub, which applies them at once', async () => {
    const add = await cli(hub, ['policy', 'add', '--provider', 'shop', '--tool', 'buy', 'deny']);
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stdout, /\d+\. provider shop, tool buy → deny/);
    const refused = await ai.callTool({ name: 'shop__buy', arguments: {} });
    assert.match(text(refused), /denied by Inlet's policy \(rule \d+ \(provider shop, tool buy → deny\)\)/);
    const number = /(\d+)\. provider shop, tool buy → deny/.exec(add.stdout)![1]!;
    assert.equal((await cli(hub, ['policy', 'remove', number])).status, 0);
    assert.doesNotMatch((await cli(hub, ['policy'])).stdout, /tool buy → deny/);
    const bad = await cli(hub, ['policy', 'default', 'sometimes']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /must be allow, ask or deny/);
  });

  it('`inlet approvals watch` prints a call as soon as it waits', async () => {
    const watch = spawn(process.execPath, [CLI, 'approvals', 'watch', '--json'], { env: childEnv(hub.dataDir) });
    const call = ai.callTool({ name: 'shop__buy', arguments: { text: 'bread' } });
    const pending = await nextPending();
    // The line that names this request: watch prints each request once, as it starts waiting.
    const printed = await new Promise<Record<string, unknown>>((resolve) => {
      let out = '';
      watch.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const line = out.split('\n').find((l) => l.includes(pending.id));
        if (line) resolve(JSON.parse(line) as Record<string, unknown>);
      });
    });
    watch.kill('SIGINT');
    assert.equal(printed.tool, 'buy');
    assert.deepEqual(printed.arguments, { text: 'bread' });
    await admin(hub, 'POST', `/approvals/${pending.id}/deny`);
    await call;
  });
});

describe('permissions__approve (Iris contract, for Claude Code --permission-prompt-tool)', () => {
  let hub: RunningHub;
  let ai: AiClient;

  let events: HubEvents;
  let nextPending: () => Promise<Pending>;

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', timeout_s: NEVER_S, rules: [{ provider: 'permissions', tool: 'Read', policy: 'allow' }, { provider: 'permissions', tool: 'Delete', policy: 'deny' }] } } });
    ai = await connectAi(hub, 'ai:claude-code');
    events = await watchHub(hub);
    nextPending = pendingCalls(events);
  });
  after(async () => {
    events?.close();
    await ai?.close();
    await hub?.stop();
  });

  it('is listed with Iris\'s schema', async () => {
    const { tools } = await ai.listTools();
    const tool = tools.find((t) => t.name === 'permissions__approve');
    assert.ok(tool);
    assert.deepEqual(tool.inputSchema.required, ['tool_name', 'input']);
  });

  it('answers the exact Iris shapes for allow and deny', async () => {
    const allowed = await ai.callTool({ name: 'permissions__approve', arguments: { tool_name: 'Read', input: { file_path: '/etc/hosts' } } });
    assert.deepEqual(allowed.content, [{ type: 'text', text: JSON.stringify({ behavior: 'allow', updatedInput: { file_path: '/etc/hosts' } }, null, 2) }]);
    assert.equal(allowed.isError, undefined);
    const denied = await ai.callTool({ name: 'permissions__approve', arguments: { tool_name: 'Delete', input: { path: '/' } } });
    const decision = JSON.parse((denied.content as Array<{ text: string }>)[0]!.text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(decision), ['behavior', 'message']);
    assert.equal(decision.behavior, 'deny');
    assert.match(String(decision.message), /Permission denied by Inlet's policy/);
    assert.equal(denied.isError, undefined);
  });

  it('routes an ask into the same queue: approved from the shell, with the reviewer\'s reason', async () => {
    const call = ai.callTool({ name: 'permissions__approve', arguments: { tool_name: 'Bash', input: { command: 'ls' }, reason: 'list files' } });
    const pending = await nextPending();
    assert.equal(pending.provider, 'permissions');
    assert.equal(pending.tool, 'Bash');
    assert.equal(pending.reason, 'list files');
    await admin(hub, 'POST', `/approvals/${pending.id}/approve`, { reason: 'fine' });
    const result = await call;
    assert.deepEqual(JSON.parse((result.content as Array<{ text: string }>)[0]!.text), { behavior: 'allow', updatedInput: { command: 'ls' }, message: 'fine' });
  });
});

describe('approvals that nobody answers', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let provider: Awaited<ReturnType<typeof dialProvider>>;

  // The timeout is what is tested, so the window is tiny and nothing else here waits on one.
  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', timeout_s: 0.5 } } });
    ai = await connectAi(hub, 'ai:claude');
    provider = await dialProvider(`${hub.urls.ws}?server_name=shop&token=${encodeURIComponent(await hub.mint('provider:shop'))}`, { tools: ['look'] });
    await ai.waitForTools((tools) => names(tools).includes('shop__look'));
  });
  after(async () => {
    provider?.socket.close();
    await ai?.close();
    await hub?.stop();
  });

  it('no decision in time: the AI gets an error saying it timed out, and the request leaves the queue', async () => {
    const result = await ai.callTool({ name: 'shop__look', arguments: {} });
    assert.equal(result.isError, true);
    assert.match(text(result), /timed out waiting for approval \(no decision within 0\.5 s\)/);
    const { data } = await admin(hub, 'GET', '/approvals');
    assert.equal(data.length, 0, 'nothing waits forever');
  });
});
