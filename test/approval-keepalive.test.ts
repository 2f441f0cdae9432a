import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, McpError, type CallToolResult, type Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Pending } from '../app/shared/admin-types.js';
import { dialProvider } from './fixtures/ws-provider.js';
import { connectAi, startHub, textOf, type AiClient, type RunningHub } from './helpers/hub-process.js';
import { providerUrl } from './helpers/panel-browser.js';

/**
 * Issue 7 item 12: an AI client's own request timeout (the SDK client's is 60 s) must not end a
 * call that still waits for a person. A client that sent a progress token hears a keep-alive
 * progress notification every `approvals.keepalive_s` while the call waits; with
 * `resetTimeoutOnProgress` the real SDK client then outlives its own timeout many times over.
 * The keep-alive here beats every 100 ms against a client timeout of 2.5 s, and each test waits
 * for progress events, not for the clock.
 */
const CLIENT_TIMEOUT_MS = 2_500;

describe('a call waiting for approval keeps the AI client waiting', () => {
  let hub: RunningHub;
  let ai: AiClient;
  let provider: Awaited<ReturnType<typeof dialProvider>>;

  const admin = async (method: 'GET' | 'POST', path: string): Promise<unknown> => {
    const response = await fetch(`${hub.urls.api}${path}`, { method, headers: { Authorization: `Bearer ${await hub.mint('admin')}`, 'Content-Type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    assert.equal(response.status, 200, `${method} ${path}`);
    return response.json();
  };
  /** The waiting call to `tool` (with these arguments): an earlier, cancelled one may not have left yet. */
  const waitingCall = async (tool: string, args: unknown = {}): Promise<Pending> => {
    const found = ((await admin('GET', '/approvals')) as Pending[]).find((p) => p.tool === tool && JSON.stringify(p.arguments) === JSON.stringify(args));
    assert.ok(found, `${tool} waits for approval`);
    return found;
  };

  before(async () => {
    hub = await startHub({ config: { approvals: { default: 'ask', timeout_s: 60, keepalive_s: 0.1 } } });
    provider = await dialProvider(await providerUrl(hub, 'kp'), { tools: ['echo'] });
    // A provider tool that reports progress of its own, after the approval.
    provider.server.registerTool('steps', { inputSchema: {} }, async (_args, extra) => {
      const progressToken = extra._meta?.progressToken;
      for (const step of [0, 1, 2]) {
        if (progressToken !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: step, total: 2, message: `step ${step}` } });
      }
      return { content: [{ type: 'text', text: 'steps done' }] };
    });
    ai = await connectAi(hub);
    await ai.waitForTools((tools) => tools.some((t) => t.name === 'kp__steps'));
  });

  after(async () => {
    provider?.socket.close();
    await ai?.close().catch(() => undefined);
    await hub?.stop();
    if (hub) await rm(hub.dataDir, { recursive: true, force: true });
  });

  it('without progress, the SDK client gives up at its own timeout while the call still waits (what the docs warn about)', async () => {
    const gaveUp = await ai.callTool({ name: 'kp__echo', arguments: { text: 'silent' } }, undefined, { timeout: CLIENT_TIMEOUT_MS }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(gaveUp instanceof McpError, 'the client gave up');
    assert.equal(gaveUp.code, ErrorCode.RequestTimeout);
  });

  it('with resetTimeoutOnProgress, the SDK client outlives several of its own timeouts and gets the result once approved', async () => {
    const started = performance.now();
    const beats: Progress[] = [];
    let firstBeat!: () => void;
    let waitedLong!: () => void;
    const queued = new Promise<void>((resolve) => (firstBeat = resolve));
    const longEnough = new Promise<void>((resolve) => (waitedLong = resolve));
    const result = ai.callTool({ name: 'kp__echo', arguments: { text: 'kept alive' } }, undefined, {
      timeout: CLIENT_TIMEOUT_MS,
      resetTimeoutOnProgress: true,
      onprogress: (progress) => {
        beats.push(progress);
        firstBeat();
        // Three of the client's own timeouts have gone by, and it is still waiting.
        if (performance.now() - started > 3 * CLIENT_TIMEOUT_MS) waitedLong();
      },
    }) as Promise<CallToolResult>;

    await queued;
    const pending = await waitingCall('echo', { text: 'kept alive' });
    assert.equal(pending.keptAlive, true, 'the panel can say this client is kept waiting');
    await longEnough;
    await admin('POST', `/approvals/${pending.id}/approve`);

    assert.equal(textOf(await result), 'echo:kept alive');
    assert.match(beats[0]?.message ?? '', /^Waiting for approval in Inlet \(\d+ s left\)$/);
    for (let i = 1; i < beats.length; i++) assert.ok(beats[i]!.progress > beats[i - 1]!.progress, 'every progress value increases');
  });

  it('after the wait, the provider\'s own progress reaches the client and the values still increase', async () => {
    const seen: Progress[] = [];
    let firstBeat!: () => void;
    const queued = new Promise<void>((resolve) => (firstBeat = resolve));
    const result = ai.callTool({ name: 'kp__steps', arguments: {} }, undefined, {
      timeout: CLIENT_TIMEOUT_MS,
      resetTimeoutOnProgress: true,
      onprogress: (progress) => {
        seen.push(progress);
        firstBeat();
      },
    }) as Promise<CallToolResult>;
    await queued;
    await admin('POST', `/approvals/${(await waitingCall('steps')).id}/approve`);

    assert.equal(textOf(await result), 'steps done');
    const messages = seen.map((p) => p.message ?? '');
    assert.ok(messages[0]?.startsWith('Waiting for approval in Inlet'), messages.join(' | '));
    assert.deepEqual(messages.filter((m) => m.startsWith('step')), ['step 0', 'step 1', 'step 2']);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.progress > seen[i - 1]!.progress, `progress increases: ${seen.map((p) => p.progress).join(', ')}`);
    const last = seen.at(-1)!;
    assert.equal(last.progress, last.total, 'the last step still reads as complete');
  });

  it('Claude Code\'s permission prompts (permissions__approve) are kept alive the same way', async () => {
    let firstBeat!: (progress: Progress) => void;
    const beat = new Promise<Progress>((resolve) => (firstBeat = resolve));
    const result = ai.callTool({ name: 'permissions__approve', arguments: { tool_name: 'Bash', input: { command: 'ls' } } }, undefined, {
      timeout: CLIENT_TIMEOUT_MS,
      resetTimeoutOnProgress: true,
      onprogress: (progress) => firstBeat(progress),
    }) as Promise<CallToolResult>;
    assert.match((await beat).message ?? '', /Waiting for approval in Inlet/);
    await admin('POST', `/approvals/${(await waitingCall('Bash', { command: 'ls' })).id}/approve`);
    assert.match(textOf(await result), /"behavior": "allow"/);
  });
});
