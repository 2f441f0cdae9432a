import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { RICH_RESULT } from './fixtures/rich-provider.js';
import { childEnv, hubStatus, names, ROOT, type RunningHub } from './helpers/hub-process.js';
import { startRichHub, type RichHub } from './helpers/rich-hub.js';

const INSPECTOR = join(ROOT, 'node_modules/.bin/inspector');
const run = promisify(execFile);

/**
 * The MCP Inspector's CLI (`@modelcontextprotocol/inspector`, a real AI-side client from npm)
 * against the hub, in each protocol era it offers. It writes under $HOME: a scratch one.
 */
describe('the MCP Inspector CLI against /mcp, in both protocol eras', () => {
  let rich: RichHub;
  let hub: RunningHub;
  let home: string;
  let token: string;

  before(async () => {
    rich = await startRichHub();
    hub = rich.hub;
    home = await mkdtemp(join(tmpdir(), 'inlet-inspector-home-'));
    token = await hub.mint('ai:inspector');
  });
  after(async () => {
    await rich?.stop();
  });

  /** One Inspector run (asynchronous: the provider in this process must keep answering). */
  async function inspector(era: 'legacy' | 'modern', args: string[]): Promise<{ result: Record<string, unknown> }> {
    const { stdout } = await run(
      INSPECTOR,
      ['--cli', hub.urls.mcp, '--transport', 'http', '--header', `Authorization: Bearer ${token}`, '--protocol-era', era, '--format', 'json', '-q', ...args],
      { env: childEnv(hub.dataDir, { HOME: home }), timeout: 90_000 },
    );
    return JSON.parse(stdout) as { result: Record<string, unknown> };
  }

  for (const [era, protocol] of [['legacy', '2025-11-25'], ['modern', '2026-07-28']] as const) {
    it(`--protocol-era ${era}: lists the provider's tools and calls one (MCP ${protocol})`, async () => {
      const listed = await inspector(era, ['--method', 'tools/list']);
      const tools = listed.result.tools as Array<{ name: string }>;
      assert.deepEqual(names(tools as never), ['rich__echo', 'rich__fail', 'rich__rich', 'rich__slow']);
      const called = await inspector(era, ['--method', 'tools/call', '--tool-name', 'rich__rich']);
      assert.deepEqual(called.result.content, RICH_RESULT.content);
      assert.deepEqual(called.result.structuredContent, RICH_RESULT.structuredContent);
    });
  }

  it('leaves no 2025 session behind once its runs are over (it closes its stream without DELETE)', async () => {
    const ended = new Promise<void>((resolve) => {
      // Every session the runs opened has ended (several runs: one may end after the next opened).
      const count = (line: RegExp) => hub.stderr().match(line)?.length ?? 0;
      const onData = () => {
        if (count(/AI session ended(?!:)/g) < count(/AI session opened/g)) return;
        hub.process.stderr!.off('data', onData);
        resolve();
      };
      hub.process.stderr!.on('data', onData);
      onData();
    });
    await ended;
    const legacy = (await hubStatus(hub)).sessions.filter((s) => s.caller === 'ai:inspector' && s.protocol?.startsWith('2025'));
    assert.deepEqual(legacy, []);
  });
});
