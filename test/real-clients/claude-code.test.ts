import assert from 'node:assert/strict';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { settledLog, waitForLog } from '../helpers/hub-log.js';
import { childEnv, CLI, hubStatus } from '../helpers/hub-process.js';
import { offlineEnv, realClient, scratchHome, startClientRig, type ClientRig } from '../helpers/real-clients.js';
import { runCommand, type CommandRun } from '../helpers/run-command.js';

const claude = realClient('claude');
const skip = 'missing' in claude ? claude.missing : false;

/**
 * Claude Code (`@anthropic-ai/claude-code`, its native binary from npm) against the hub, as a
 * user connects it: the `claude mcp add` command `inlet connect claude-code` prints, then
 * `claude mcp list`, which connects to every server and reports its health. It needs no login.
 * Each run has a scratch HOME (its config, `.claude.json`, is written there), and its model API
 * and proxies are a loopback port that refuses, so nothing reaches for the internet.
 */
describe(`Claude Code${'version' in claude ? ` ${claude.version}` : ''} against /mcp`, { skip }, () => {
  let rig: ClientRig;
  before(async () => (rig = await startClientRig('claude-code')));
  after(async () => rig?.stop());

  /** What `inlet connect claude-code --name NAME` prints: the command a user copies. */
  async function connectCommand(name: string): Promise<string> {
    const run = await runCommand(process.execPath, [CLI, 'connect', 'claude-code', '--name', name], childEnv(rig.hub.dataDir));
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  }

  /** Runs a shell command line (as a user pastes it) in a scratch HOME, `claude` on the PATH. */
  async function inShell(line: string, home: Record<string, string>, extra: Record<string, string> = {}): Promise<CommandRun> {
    const env = offlineEnv(home, rig.refused, extra);
    env.PATH = `${dirname((claude as { path: string }).path)}${delimiter}${env.PATH ?? ''}`;
    return runCommand('sh', ['-c', line], env, home.HOME);
  }

  /** Adds Inlet with `add` (a `claude mcp add` line), then runs `claude mcp list`: its output. */
  async function addAndList(add: string, home: Record<string, string>, extra: Record<string, string> = {}): Promise<string> {
    const added = await inShell(add, home, extra);
    assert.equal(added.status, 0, `${added.stdout}${added.stderr}`);
    const listed = await inShell('claude mcp list', home, extra);
    assert.equal(listed.status, 0, listed.stderr);
    return listed.stdout;
  }

  it('connects with the command `inlet connect claude-code` prints, over 2026-07-28, and opens no session', async () => {
    const add = await connectCommand('claude-code');
    assert.match(add, /^claude mcp add --transport http inlet \S+\/mcp --header "Authorization: Bearer inlet1\.ai:claude-code\.[^"]+"$/);
    const listed = await addAndList(add, await scratchHome(join(rig.scratch, 'modern')));
    assert.ok(listed.includes(`inlet: ${rig.hub.urls.mcp} (HTTP) - ✔ Connected`), listed);
    // It spoke to the hub as itself, sessionless (a 2026 client is listed for a minute after its
    // last request: docs/decisions.md), and never fell back to a 2025 session.
    const seen = (await hubStatus(rig.hub)).sessions.filter((s) => s.caller === 'ai:claude-code');
    assert.deepEqual(seen.map((s) => [s.client, s.protocol]), [['claude-code', '2026-07-28']]);
    assert.doesNotMatch(await settledLog(rig.hub), /AI session opened caller="ai:claude-code"/);
  });

  it('connects over 2025-11-25 when told to (MCP_PROTOCOL_NEGOTIATION=legacy), and its session ends once it has exited', async () => {
    const add = await connectCommand('claude-code-2025');
    const opened = waitForLog(rig.hub, /AI session opened caller="ai:claude-code-2025" client="claude-code" protocol="2025-11-25"/);
    const listed = await addAndList(add, await scratchHome(join(rig.scratch, 'legacy')), { MCP_PROTOCOL_NEGOTIATION: 'legacy' });
    assert.ok(listed.includes(`inlet: ${rig.hub.urls.mcp} (HTTP) - ✔ Connected`), listed);
    await opened;
    // `claude mcp list` closes its GET stream and exits without DELETE: the hub ends the session.
    await waitForLog(rig.hub, /AI session ended caller="ai:claude-code-2025"/);
    assert.deepEqual((await hubStatus(rig.hub)).sessions.filter((s) => s.caller === 'ai:claude-code-2025'), []);
  });

  it('reports a token that is not for an AI client as refused, in Inlet\'s words', async () => {
    const token = await rig.hub.mint('provider:not-an-ai');
    const add = `claude mcp add --transport http inlet ${rig.hub.urls.mcp} --header "Authorization: Bearer ${token}"`;
    const listed = await addAndList(add, await scratchHome(join(rig.scratch, 'refused')));
    assert.match(listed, /✘ Failed to connect/);
    assert.match(listed, /HTTP 403/);
    assert.match(listed, /only ai: and admin tokens may call tools/);
  });
});
