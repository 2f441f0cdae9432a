import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialProvider, upgradeStatus } from './fixtures/ws-provider.js';
import { rawProvider } from './fixtures/raw-provider.js';
import { watchHub } from './helpers/hub-events.js';
import { runCommand } from './helpers/run-command.js';
import { CLI, childEnv, connectAi, hubStatus, names, startHub, type AiClient, type RunningHub } from './helpers/hub-process.js';

describe('providers authenticate before the upgrade (CleverChatty-compatible)', () => {
  let hub: RunningHub;
  let ai: AiClient;

  before(async () => {
    hub = await startHub({
      config: {
        reverse_mcp_settings: { enabled: false },
        tools_servers: {
          my_remote_server: { transport: 'reverse_mcp', auth_token: 'my-secret-token-123', interface: 'none', disabled: false },
          switched_off: { transport: 'reverse_mcp', auth_token: 'tok', disabled: true },
        },
      },
    });
    ai = await connectAi(hub);
  });
  after(async () => {
    await ai?.close();
    await hub?.stop();
  });

  it('accepts a raw CleverChatty-style provider by query string and calls it as if local', async () => {
    const provider = await rawProvider(`${hub.urls.ws}?server_name=my_remote_server&token=my-secret-token-123`);
    await ai.waitForTools((tools) => names(tools).includes('my_remote_server__exec_cmd'));
    const result = await ai.callTool({ name: 'my_remote_server__exec_cmd', arguments: { command: 'ls -la' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'ran: ls -la' }]);
    const methods = provider.received.map((m) => (m as { method?: string }).method);
    assert.deepEqual(methods.slice(0, 4), ['server/discover', 'initialize', 'notifications/initialized', 'tools/list'], 'the hub speaks first, in order');
    provider.socket.close();
    await ai.waitForTools((tools) => !names(tools).includes('my_remote_server__exec_cmd'));
  });

  it('accepts headers (X-MCP-Server-Name + Authorization: Bearer) with a minted provider token', async () => {
    const token = await hub.mint('provider:headers');
    const provider = await dialProvider(hub.urls.ws, { headers: { 'X-MCP-Server-Name': 'headers', Authorization: `Bearer ${token}` }, tools: ['hello'] });
    await ai.waitForTools((tools) => names(tools).includes('headers__hello'));
    const result = await ai.callTool({ name: 'headers__hello', arguments: { text: 'x' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'hello:x' }]);
    provider.socket.close();
  });

  it('accepts a raw token in Authorization and a bearer subprotocol (for browsers)', async () => {
    const token = await hub.mint('provider:rawtok');
    const a = await dialProvider(hub.urls.ws, { headers: { 'X-MCP-Server-Name': 'rawtok', Authorization: token }, tools: ['a'] });
    const sub = await hub.mint('provider:sub');
    const b = await dialProvider(`${hub.urls.ws}?server_name=sub`, { protocols: ['inlet', `inlet.bearer.${Buffer.from(sub).toString('base64url')}`], tools: ['b'] });
    assert.equal(b.socket.protocol, 'inlet', 'the token is never echoed back as the chosen subprotocol');
    await ai.waitForTools((tools) => names(tools).includes('rawtok__a') && names(tools).includes('sub__b'));
    a.socket.close();
    b.socket.close();
  });

  it('answers 400 for a missing name and 401 for bad tokens, registering nothing', async () => {
    // Providers of earlier tests are leaving; start from an empty hub.
    const before = names(await ai.waitForTools((tools) => names(tools).length === 0));
    const missing = await upgradeStatus(`${hub.urls.ws}?token=my-secret-token-123`);
    assert.equal(missing.status, 400);
    assert.match(missing.body, /Server name required/);
    const wrong = await upgradeStatus(`${hub.urls.ws}?server_name=my_remote_server&token=nope`);
    assert.equal(wrong.status, 401);
    const otherName = await upgradeStatus(`${hub.urls.ws}?server_name=someone_else&token=${encodeURIComponent(await hub.mint('provider:me'))}`);
    assert.equal(otherName.status, 401, 'a provider token works for its own name only');
    const staticElsewhere = await upgradeStatus(`${hub.urls.ws}?server_name=another&token=my-secret-token-123`);
    assert.equal(staticElsewhere.status, 401, 'a static token serves its server name only');
    const aiToken = await upgradeStatus(hub.urls.ws, { 'X-MCP-Server-Name': 'x', Authorization: `Bearer ${await hub.mint('ai:x')}` });
    assert.equal(aiToken.status, 401, 'an AI token cannot offer tools');
    const disabled = await upgradeStatus(`${hub.urls.ws}?server_name=switched_off&token=tok`);
    assert.equal(disabled.status, 401, 'a disabled tools_servers entry is refused');
    const none = await upgradeStatus(`${hub.urls.ws}?server_name=anon`);
    assert.equal(none.status, 401);
    assert.deepEqual(names((await ai.listTools()).tools), before);
    assert.deepEqual((await hubStatus(hub)).providers, []);
  });

  it('refuses the AI endpoint without a valid AI token (401), and to a provider token (403)', async () => {
    const response = await fetch(hub.urls.mcp, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: '{}' });
    assert.equal(response.status, 401);
    const provider = await fetch(hub.urls.mcp, { method: 'POST', headers: { Authorization: `Bearer ${await hub.mint('provider:p')}` }, body: '{}' });
    assert.equal(provider.status, 403);
  });

  it('a revoked AI token stops working on its open session at once', async () => {
    const doomed = await connectAi(hub, 'ai:doomed');
    await doomed.listTools();
    const cli = await runCommand(process.execPath, [CLI, 'token', 'revoke', '--client', 'ai:doomed'], childEnv(hub.dataDir));
    assert.equal(cli.status, 0, cli.stderr);
    // The hub applies the revocation when it reloads config.json; the panel's state says when.
    const events = await watchHub(hub);
    await events.until((state) => state.revoked.includes('ai:doomed'));
    events.close();
    await assert.rejects(doomed.listTools(), /401|Unauthorized/);
    await doomed.close().catch(() => undefined);
  });

  it('cuts a revoked provider off at once and refuses its next connection with 401', async () => {
    const token = await hub.mint('provider:revokee');
    const provider = await dialProvider(`${hub.urls.ws}?server_name=revokee&token=${encodeURIComponent(token)}`, { tools: ['t'] });
    await ai.waitForTools((tools) => names(tools).includes('revokee__t'));
    const cli = await runCommand(process.execPath, [CLI, 'token', 'revoke', '--client', 'provider:revokee'], childEnv(hub.dataDir));
    assert.equal(cli.status, 0, cli.stderr);
    const closed = await provider.closed;
    assert.equal(closed.code, 4003);
    await ai.waitForTools((tools) => !names(tools).includes('revokee__t'));
    const again = await upgradeStatus(`${hub.urls.ws}?server_name=revokee&token=${encodeURIComponent(token)}`);
    assert.equal(again.status, 401);
  });
});
