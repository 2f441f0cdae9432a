import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigSchema } from '../app/core/config/config.js';
import { bearerToken, loadOrCreateSecret, TokenService } from '../app/core/security/tokens.js';
import { FileSecretStore } from '../app/os/file-secret-store.js';
import { childEnv, CLI, makeDataDir } from './helpers/hub-process.js';

const config = (extra: object = {}) => ConfigSchema.parse(extra);

describe('tokens (docs/config.md, Tokens)', () => {
  const tokens = new TokenService(randomBytes(32), config({ tools_servers: { cc: { transport: 'reverse_mcp', auth_token: 'static-1' }, open: { transport: 'reverse_mcp', auth_token: '' } } }));

  it('a minted token names its client and verifies', () => {
    const token = tokens.mint('ai:claude');
    assert.match(token, /^inlet1\.ai:claude\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(tokens.verify(token), { clientId: 'ai:claude', kind: 'ai' });
    assert.equal(tokens.verify(tokens.mint('ext:abc@example.com'))?.clientId, 'ext:abc@example.com');
  });

  it('a changed byte, another client id or another secret fails', () => {
    const token = tokens.mint('provider:x');
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    assert.equal(tokens.verify(tampered), null);
    assert.equal(tokens.verify(token.replace('provider:x', 'provider:y')), null);
    assert.equal(new TokenService(randomBytes(32), config()).verify(token), null);
    assert.equal(tokens.verify('not-a-token'), null);
  });

  it('revoked client ids stop working; static tokens serve their own name only', () => {
    const revoking = new TokenService(randomBytes(32), config());
    const token = revoking.mint('ai:gone');
    revoking.applyConfig(config({ tokens: { revoked: ['ai:gone'] } }));
    assert.equal(revoking.verify(token), null);
    const ok = (auth: ReturnType<TokenService['authorizeProvider']>) => (auth.ok ? auth.identity : null);
    assert.equal(ok(tokens.authorizeProvider('cc', 'static-1'))?.staticFor, 'cc');
    assert.equal(ok(tokens.authorizeProvider('other', 'static-1')), null);
    assert.equal(ok(tokens.authorizeProvider('open', undefined))?.clientId, 'provider:open', 'an empty auth_token means no auth (CleverChatty)');
    assert.equal(ok(tokens.authorizeProvider('cc', undefined)), null);
  });

  it('reads Bearer and raw Authorization values', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer   abc '), 'abc');
    assert.equal(bearerToken('abc'), 'abc');
    assert.equal(bearerToken(undefined), undefined);
  });

  it('the file store keeps the secret in a 0600 file and tokens survive a reload', async () => {
    const dir = await makeDataDir();
    const store = new FileSecretStore(join(dir, 'secret'));
    const first = await loadOrCreateSecret(store);
    const token = new TokenService(first, config()).mint('ai:a');
    const again = await loadOrCreateSecret(new FileSecretStore(join(dir, 'secret')));
    assert.ok(again.equals(first));
    assert.ok(new TokenService(again, config()).verify(token));
    assert.equal((await stat(join(dir, 'secret'))).mode & 0o777, 0o600);
  });

  it('`inlet token create` prints the token alone; a bad client id is one sentence and exit 1', async () => {
    const dir = await makeDataDir();
    const run = spawnSync(process.execPath, [CLI, 'token', 'create', '--client', 'ai:cursor'], { env: childEnv(dir), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^inlet1\.ai:cursor\.[A-Za-z0-9_-]+\n$/);
    const bad = spawnSync(process.execPath, [CLI, 'token', 'create', '--client', 'bogus'], { env: childEnv(dir), encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^inlet token: "bogus" is not a client id/);
  });
});
