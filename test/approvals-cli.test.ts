import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ApprovalQueue } from '../app/core/calls/approval-queue.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { adminEvents } from './helpers/admin-events.js';
import { childEnv, CLI, connectAi, names, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';

/**
 * Runs the CLI without blocking this process: the provider lives in it and must keep answering
 * the hub's heartbeat while the command runs.
 */
function cli(hub: RunningHub, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(hub.dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

async function admin(hub: RunningHub, method: string, path: string, body?: unknown) {
  const response = await fetch(`${hub.urls.api}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await hub.mint('admin')}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, data: (await response.json()) as Record<string, unknown> };
}

describe('deciding a call by its id prefix', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let provider: Awaited<ReturnType<typeof dialProvider>>;
  let events: Awaited<ReturnType<typeof adminEvents>>;

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', timeout_s: 120 } } });
    ai = await connectAi(hub, 'ai:claude');
    provider = await dialProvider(`${hub.urls.ws}?server_name=shop&token=${encodeURIComponent(await hub.mint('provider:shop'))}`, { tools: ['buy'] });
    await ai.waitForTools((tools) => names(tools).includes('shop__buy'));
    events = await adminEvents(hub);
  });
  after(async () => {
    events?.close();
    provider?.socket.close();
    await ai?.close();
    await hub?.stop();
  });

  /** Starts a call and returns its pending request's id once the hub shows it waiting. */
  async function waiting(options?: { signal: AbortSignal }) {
    const seen = new Set((await events.until(() => true)).pending.map((p) => p.id));
    const call = ai.callTool({ name: 'shop__buy', arguments: { text: 'milk' } }, CallToolResultSchema, options);
    const state = await events.until((s) => s.pending.some((p) => !seen.has(p.id)));
    return { call, id: state.pending.find((p) => !seen.has(p.id))!.id };
  }

  /** Both answers for an ended request: the full id and an 8-character prefix. */
  function late(id: string) {
    return Promise.all([cli(hub, ['approvals', 'approve', id]), cli(hub, ['approvals', 'approve', id.slice(0, 8)])]);
  }

  it('a prefix approves a waiting call, and the CLI names the full id', async () => {
    const { call, id } = await waiting();
    const approve = await cli(hub, ['approvals', 'approve', id.slice(0, 8)]);
    assert.equal(approve.status, 0, approve.stderr);
    assert.equal(approve.stdout, `Approved ${id}.\n`);
    assert.equal(textOf((await call) as CallToolResult), 'buy:milk');
  });

  it('a call that was denied: the prefix gets the same "Too late" as the full id', async () => {
    const { call, id } = await waiting();
    assert.equal((await admin(hub, 'POST', `/approvals/${id}/deny`)).status, 200);
    await call;
    const [full, prefix] = await late(id);
    assert.equal(full!.status, 2);
    assert.equal(full!.stderr.trim(), 'inlet approvals: Too late: this request was already denied by cli.');
    assert.equal(prefix!.status, 2);
    assert.equal(prefix!.stderr, full!.stderr);
  });

  it('a call the AI client cancelled: the prefix gets what the admin API says for the full id', async () => {
    const controller = new AbortController();
    const { call, id } = await waiting({ signal: controller.signal });
    controller.abort();
    await assert.rejects(call);
    await events.until((s) => !s.pending.some((p) => p.id === id));
    const prefix = await cli(hub, ['approvals', 'deny', id.slice(0, 8)]);
    const full = await admin(hub, 'POST', `/approvals/${id}/deny`);
    assert.deepEqual(full, { status: 409, data: { error: 'Too late: this request was cancelled by the AI client.' } });
    assert.equal(prefix.stderr.trim(), `inlet approvals: ${String(full.data.error)}`);
  });

  it('a call that timed out: the prefix says "timed out after 1 s", as the full id does (CLI and admin API)', async () => {
    assert.equal((await admin(hub, 'PUT', '/policy', { timeout_s: 1 })).status, 200);
    try {
      const { call, id } = await waiting();
      assert.match(textOf((await call) as CallToolResult), /timed out waiting for approval/);
      const [full, prefix] = await late(id);
      assert.match(full!.stderr, /Too late: this request timed out after 1 s\./);
      assert.equal(prefix!.stderr, full!.stderr);
      const api = await admin(hub, 'POST', `/approvals/${id.slice(0, 8)}/deny`);
      assert.deepEqual(api, { status: 409, data: { error: 'Too late: this request timed out after 1 s.' } });
    } finally {
      await admin(hub, 'PUT', '/policy', { timeout_s: 120 });
    }
  });

  it('an id no request ever had is still "No pending request"', async () => {
    const unknown = await cli(hub, ['approvals', 'deny', 'zzzz']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /No pending request with id zzzz\./);
  });
});

describe('the approval queue resolving prefixes', () => {
  it('a prefix that fits several requests (waiting or ended) is refused, not guessed', async () => {
    const queue = new ApprovalQueue();
    const info = { caller: 'ai:t', provider: 'p', tool: 't', exposed: 'p__t', arguments: {} };
    // 17 random ids: at least two share their first hex digit.
    const outcomes = Array.from({ length: 17 }, () => queue.request(info, { timeoutMs: 60_000 }));
    const ids = queue.list().map((p) => p.id);
    const shared = [...'0123456789abcdef'].find((c) => ids.filter((id) => id.startsWith(c)).length >= 2)!;
    const fits = ids.filter((id) => id.startsWith(shared));
    const refused = queue.decide(shared, true, 'test');
    assert.deepEqual(refused, { ok: false, message: `The id prefix "${shared}" fits ${fits.length} requests; give more characters.` });
    assert.equal(queue.size, 17, 'nothing was decided');
    // One of them ends; it still counts, so the prefix stays ambiguous rather than picking the other.
    const [first, second] = fits;
    assert.equal(queue.decide(first!, false, 'test').ok, true);
    assert.equal(queue.decide(shared, true, 'test').ok, false);
    // A longer prefix names one.
    const decided = queue.decide(second!.slice(0, 30), true, 'test');
    assert.equal(decided.ok && decided.pending.id, second);
    queue.closeAll();
    await Promise.all(outcomes);
  });
});
