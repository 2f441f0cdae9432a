import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { childEnv, CLI, connectAi, names, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';

function cli(hub: RunningHub, args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { env: childEnv(hub.dataDir), encoding: 'utf8', timeout: 20_000 });
}

async function admin(hub: RunningHub, method: string, path: string, body?: unknown) {
  const response = await fetch(`${hub.urls.api}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await hub.mint('admin')}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, data: (await response.json()) as Record<string, unknown> & Array<Record<string, unknown>> };
}

async function nextPending(hub: RunningHub): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { data } = await admin(hub, 'GET', '/approvals');
    if (data.length > 0) return data[0]!;
    if (Date.now() > deadline) throw new Error('no call started waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const text = (result: unknown) => JSON.stringify((result as { content?: unknown }).content);

describe('approvals from the shell and the admin API', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let provider: Awaited<ReturnType<typeof dialProvider>>;

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', timeout_s: 2 } } });
    ai = await connectAi(hub, 'ai:claude');
    provider = await dialProvider(`${hub.urls.ws}?server_name=shop&token=${encodeURIComponent(await hub.mint('provider:shop'))}`, { tools: ['buy', 'look'] });
    await ai.waitForTools((tools) => names(tools).includes('shop__buy'));
  });
  after(async () => {
    provider?.socket.close();
    await ai?.close();
    await hub?.stop();
  });

  it('`inlet approvals list` shows the waiting call and `approve` delivers the provider\'s result', async () => {
    const call = ai.callTool({ name: 'shop__buy', arguments: { text: 'milk' } });
    const pending = await nextPending(hub);
    const list = cli(hub, ['approvals', 'list']);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /ai:claude wants shop\/buy/);
    assert.match(list.stdout, /"text":"milk"/);
    const approve = cli(hub, ['approvals', 'approve', String(pending.id).slice(0, 8)]);
    assert.equal(approve.status, 0, approve.stderr);
    assert.deepEqual((await call).content, [{ type: 'text', text: 'buy:milk' }]);
  });

  it('`deny` gives the AI a tool error saying it was denied and by whom', async () => {
    const call = ai.callTool({ name: 'shop__buy', arguments: { text: 'caviar' } });
    const pending = await nextPending(hub);
    const deny = cli(hub, ['approvals', 'deny', String(pending.id), '--reason', 'too expensive']);
    assert.equal(deny.status, 0, deny.stderr);
    const result = await call;
    assert.equal(result.isError, true);
    assert.match(text(result), /was not made: denied by cli \(too expensive\)/);
  });

  it('no decision in time: the AI gets an error saying it timed out, and a late decision is refused', async () => {
    const result = await ai.callTool({ name: 'shop__look', arguments: {} });
    assert.equal(result.isError, true);
    assert.match(text(result), /timed out waiting for approval \(no decision within 2 s\)/);
    const { data } = await admin(hub, 'GET', '/approvals');
    assert.equal(data.length, 0, 'nothing waits forever');
  });

  it('a late decision is refused with a clear message', async () => {
    const call = ai.callTool({ name: 'shop__look', arguments: {} });
    const pending = await nextPending(hub);
    await admin(hub, 'POST', `/approvals/${pending.id}/approve`);
    await call;
    const late = await admin(hub, 'POST', `/approvals/${pending.id}/deny`);
    assert.equal(late.status, 409);
    assert.match(String(late.data.error), /Too late: this request was already approved by cli/);
    const cliLate = cli(hub, ['approvals', 'deny', String(pending.id)]);
    assert.equal(cliLate.status, 2);
    assert.match(cliLate.stderr, /Too late/);
  });

  it('the AI client\'s cancellation removes the request', async () => {
    const controller = new AbortController();
    const call = ai.callTool({ name: 'shop__buy', arguments: {} }, CallToolResultSchema, { signal: controller.signal });
    await nextPending(hub);
    controller.abort('changed my mind');
    await assert.rejects(call);
    const deadline = Date.now() + 2_000;
    while ((await admin(hub, 'GET', '/approvals')).data.length > 0) {
      assert.ok(Date.now() < deadline, 'the cancelled request left the queue');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('a provider that leaves fails its pending calls', async () => {
    const other = await dialProvider(`${hub.urls.ws}?server_name=fleeting&token=${encodeURIComponent(await hub.mint('provider:fleeting'))}`, { tools: ['x'] });
    await ai.waitForTools((tools) => names(tools).includes('fleeting__x'));
    const call = ai.callTool({ name: 'fleeting__x', arguments: {} });
    await nextPending(hub);
    other.socket.terminate();
    const result = await call;
    assert.equal(result.isError, true);
    assert.match(text(result), /its provider fleeting disconnected while it waited for approval/);
  });

  it('"always allow" writes a rule: the next call goes through without a prompt', async () => {
    const call = ai.callTool({ name: 'shop__look', arguments: { text: '1' } });
    const pending = await nextPending(hub);
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
    await admin(hub, 'POST', '/pause', { paused: false });
    const again = await ai.callTool({ name: 'shop__look', arguments: { text: 'ok' } });
    assert.deepEqual(again.content, [{ type: 'text', text: 'look:ok' }]);
  });

  it('`inlet policy` edits the rules of the running hub, which applies them at once', async () => {
    const add = cli(hub, ['policy', 'add', '--provider', 'shop', '--tool', 'buy', 'deny']);
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stdout, /\d+\. provider shop, tool buy → deny/);
    const refused = await ai.callTool({ name: 'shop__buy', arguments: {} });
    assert.match(text(refused), /denied by Inlet's policy \(rule \d+ \(provider shop, tool buy → deny\)\)/);
    const number = /(\d+)\. provider shop, tool buy → deny/.exec(add.stdout)![1]!;
    assert.equal(cli(hub, ['policy', 'remove', number]).status, 0);
    assert.doesNotMatch(cli(hub, ['policy']).stdout, /tool buy → deny/);
    const bad = cli(hub, ['policy', 'default', 'sometimes']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /must be allow, ask or deny/);
  });

  it('`inlet approvals watch` prints a call as soon as it waits', async () => {
    const watch = spawn(process.execPath, [CLI, 'approvals', 'watch', '--json'], { env: childEnv(hub.dataDir) });
    let out = '';
    watch.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    await new Promise<void>((resolve) => watch.stderr.once('data', () => resolve()));
    const call = ai.callTool({ name: 'shop__buy', arguments: { text: 'bread' } });
    const deadline = Date.now() + 5_000;
    while (!out.includes('"tool":"buy"')) {
      assert.ok(Date.now() < deadline, `watch printed: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    watch.kill('SIGINT');
    const pending = JSON.parse(out.trim().split('\n')[0]!) as { id: string };
    await admin(hub, 'POST', `/approvals/${pending.id}/deny`);
    await call;
  });
});

describe('permissions__approve (Iris contract, for Claude Code --permission-prompt-tool)', () => {
  let hub: RunningHub;
  let ai: AiClient;

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', timeout_s: 5, rules: [{ provider: 'permissions', tool: 'Read', policy: 'allow' }, { provider: 'permissions', tool: 'Delete', policy: 'deny' }] } } });
    ai = await connectAi(hub, 'ai:claude-code');
  });
  after(async () => {
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
    const pending = await nextPending(hub);
    assert.equal(pending.provider, 'permissions');
    assert.equal(pending.tool, 'Bash');
    assert.equal(pending.reason, 'list files');
    await admin(hub, 'POST', `/approvals/${pending.id}/approve`, { reason: 'fine' });
    const result = await call;
    assert.deepEqual(JSON.parse((result.content as Array<{ text: string }>)[0]!.text), { behavior: 'allow', updatedInput: { command: 'ls' }, message: 'fine' });
  });
});
