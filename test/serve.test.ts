import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dialProvider } from './fixtures/ws-provider.js';
import { runCommand } from './helpers/run-command.js';
import { childEnv, CLI, connectAi, FIXTURES, makeDataDir, names, startBridge, startHub } from './helpers/hub-process.js';

function runCli(args: string[], dataDir: string) {
  return runCommand(process.execPath, [CLI, ...args], childEnv(dataDir));
}

describe('inlet serve', () => {
  it('answers /healthz, writes hub.json without secrets, and `inlet status` shows who is connected', async () => {
    const hub = await startHub();
    try {
      const health = await fetch(hub.urls.healthz);
      assert.equal(health.status, 200);
      assert.equal(await health.text(), 'ok');
      const token = await hub.mint('provider:statusy');
      const provider = await dialProvider(`${hub.urls.ws}?server_name=statusy&token=${encodeURIComponent(token)}`, { tools: ['ping'] });
      const ai = await connectAi(hub, 'ai:status-check');
      await ai.waitForTools((tools) => names(tools).includes('statusy__ping'));
      await ai.callTool({ name: 'statusy__ping', arguments: {} });
      const status = await runCli(['status'], hub.dataDir);
      assert.equal(status.status, 0, status.stderr);
      assert.match(status.stdout, /statusy\s+\[ready\]/);
      assert.match(status.stdout, /statusy__ping/);
      assert.match(status.stdout, /1 call\(s\), 0 error\(s\)/);
      assert.match(status.stdout, /ai:status-check/);
      const { readFile } = await import('node:fs/promises');
      const hubJson = await readFile(join(hub.dataDir, 'hub.json'), 'utf8');
      assert.doesNotMatch(hubJson, /inlet1\./, 'hub.json holds no token');
      await ai.close();
      provider.socket.close();
    } finally {
      await hub.stop();
    }
  });

  it('stops cleanly on SIGTERM: providers get a close frame, calls in flight get an error, hub.json goes', async () => {
    const hub = await startHub();
    const bridge = startBridge(hub, 'slow', [process.execPath, join(FIXTURES, 'changing-server.js')]);
    const token = await hub.mint('provider:listener');
    const provider = await dialProvider(`${hub.urls.ws}?server_name=listener&token=${encodeURIComponent(token)}`);
    const ai = await connectAi(hub);
    await ai.waitForTools((tools) => names(tools).includes('slow__wait_for_cancel'));
    const call = ai.callTool({ name: 'slow__wait_for_cancel', arguments: {} });
    await bridge.waitForOutput((out) => out.includes('WAITING'));
    const exit = hub.stop('SIGTERM');
    const result = await call;
    assert.equal(result.isError, true);
    assert.match(JSON.stringify(result.content), /the hub is shutting down/);
    assert.equal((await provider.closed).code, 1001);
    assert.equal(await exit, 0);
    assert.equal(existsSync(join(hub.dataDir, 'hub.json')), false);
    bridge.process.kill();
    await ai.close().catch(() => undefined);
  });

  it('refuses a bad config with one sentence naming the file, the field and the problem', async () => {
    const dataDir = await makeDataDir({ reverse_mcp_settings: { heartbeat_s: 'often' } });
    const run = await runCli(['serve', '--port', '0'], dataDir);
    assert.equal(run.status, 1);
    const message = run.stderr.trim();
    assert.equal(message.split('\n').length, 1, message);
    assert.match(message, new RegExp(`${join(dataDir, 'config.json').replace(/[/\\.]/g, '\\$&')}`));
    assert.match(message, /"reverse_mcp_settings\.heartbeat_s"/);
    assert.match(message, /expected number/);

    await writeFile(join(dataDir, 'config.json'), '{ "port": 80, }');
    const broken = await runCli(['serve', '--port', '0'], dataDir);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /config\.json is not valid JSON/);
  });

  it('accepts a CleverChatty config file as it is', async () => {
    const hub = await startHub({
      config: {
        log_file_path: 'cleverchatty.log',
        model: 'ollama:qwen2.5:3b',
        reverse_mcp_settings: { enabled: false, listen_host: ':9090', tls: { enabled: false, cert_file: '/path/cert.pem', key_file: '/path/key.pem' } },
        tools_servers: { my_remote_server: { transport: 'reverse_mcp', auth_token: 'my-secret-token-123', interface: 'none', disabled: false }, files: { command: 'npx', args: ['x'] } },
      },
    });
    try {
      assert.match(hub.stderr(), /config key "model" .* is ignored/);
    } finally {
      await hub.stop();
    }
  });

  it('refuses to start a second hub on the same data dir', async () => {
    const hub = await startHub();
    try {
      const second = await runCli(['serve', '--port', '0'], hub.dataDir);
      assert.equal(second.status, 1);
      assert.match(second.stderr, /Another hub is already running/);
    } finally {
      await hub.stop();
    }
  });

  it('every command has --help, and errors are one sentence with a non-zero exit', async () => {
    const dataDir = await makeDataDir();
    const help = await runCli(['--help'], dataDir);
    assert.equal(help.status, 0);
    for (const command of ['serve', 'status', 'bridge', 'stdio', 'token']) {
      const run = await runCli([command, '--help'], dataDir);
      assert.equal(run.status, 0, command);
      assert.match(run.stdout, new RegExp(`Usage: inlet ${command}`));
    }
    const status = await runCli(['status'], dataDir);
    assert.equal(status.status, 1);
    assert.match(status.stderr, /^inlet status: No hub is running for the data dir .*\n$/);
    const unknown = await runCli(['serve', '--bogus'], dataDir);
    assert.equal(unknown.status, 2);
    const noName = await runCli(['bridge', '--', 'true'], dataDir);
    assert.equal(noName.status, 2);
    assert.match(noName.stderr, /needs --name/);
  });
});
