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

  /** The admin API's answers to a decision by the full id and by an 8-character prefix. */
  function lateByApi(id: string) {
    return Promise.all([admin(hub, 'POST', `/approvals/${id}/deny`), admin(hub, 'POST', `/approvals/${id.slice(0, 8)}/deny`)]);
  }

  // The CLI passes what the user typed to the hub, which resolves it: the CLI cases below cover
  // what the user sees; the API cases each way a request ends, without a CLI start each.

  it('`inlet approvals approve PREFIX` decides a waiting call and names the full id', async () => {
    const { call, id } = await waiting();
    const approve = await cli(hub, ['approvals', 'approve', id.slice(0, 8)]);
    assert.equal(approve.status, 0, approve.stderr);
    assert.equal(approve.stdout, `Approved ${id}.\n`);
    assert.equal(textOf((await call) as CallToolResult), 'buy:milk');
  });

  it('a call that timed out: `inlet approvals approve` with a prefix says "Too late: … timed out after 1 s", as with the full id', async () => {
    assert.equal((await admin(hub, 'PUT', '/policy', { timeout_s: 1 })).status, 200);
    try {
      const { call, id } = await waiting();
      assert.match(textOf((await call) as CallToolResult), /timed out waiting for approval/);
      const [full, prefix] = await Promise.all([cli(hub, ['approvals', 'approve', id]), cli(hub, ['approvals', 'approve', id.slice(0, 8)])]);
      assert.equal(full.status, 2);
      assert.equal(full.stderr.trim(), 'inlet approvals: Too late: this request timed out after 1 s.');
      assert.equal(prefix.status, 2);
      assert.equal(prefix.stderr, full.stderr);
    } finally {
      await admin(hub, 'PUT', '/policy', { timeout_s: 120 });
    }
  });

  it('a call that was denied: the admin API answers a prefix as it answers the full id', async () => {
    const { call, id } = await waiting();
    assert.deepEqual(await admin(hub, 'POST', `/approvals/${id.slice(0, 8)}/deny`), { status: 200, data: { ok: true, id } });
    await call;
    const tooLate = { status: 409, data: { error: 'Too late: this request was already denied by cli.' } };
    assert.deepEqual(await lateByApi(id), [tooLate, tooLate]);
  });

  it('a call the AI client cancelled: the admin API answers a prefix as it answers the full id', async () => {
    const controller = new AbortController();
    const { call, id } = await waiting({ signal: controller.signal });
    controller.abort();
    await assert.rejects(call);
    await events.until((s) => !s.pending.some((p) => p.id === id));
    const tooLate = { status: 409, data: { error: 'Too late: this request was cancelled by the AI client.' } };
    assert.deepEqual(await lateByApi(id), [tooLate, tooLate]);
  });

  it('an id no request ever had is still "No pending request"', async () => {
    assert.deepEqual(await admin(hub, 'POST', '/approvals/zzzz/deny'), { status: 409, data: { error: 'No pending request with id zzzz.' } });
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
