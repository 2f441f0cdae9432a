import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConfigSchema } from '../app/core/config/config.js';
import { TokenService } from '../app/core/security/tokens.js';
import { startHub, type RunningHub } from './helpers/hub-process.js';
import { rawRequest, rawUpgrade } from './helpers/raw-http.js';
import { settledLog, waitForLog } from './helpers/hub-log.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same MAC bytes spelt differently: the last character's two unused bits flipped. */
function respelt(token: string): string {
  const last = token.at(-1)!;
  return token.slice(0, -1) + ALPHABET[ALPHABET.indexOf(last) ^ 1];
}

describe('token spellings: one token, one string', () => {
  const tokens = new TokenService(randomBytes(32), ConfigSchema.parse({}));

  it('a trailing "=" or another spelling of the same MAC bytes does not verify', () => {
    const token = tokens.mint('ai:claude');
    assert.ok(tokens.verify(token));
    assert.deepEqual(Buffer.from(respelt(token).split('.').at(-1)!, 'base64url'), Buffer.from(token.split('.').at(-1)!, 'base64url'), 'the respelt MAC decodes to the same bytes');
    for (const variant of [token + '=', token + '==', respelt(token), token + ' ']) {
      assert.equal(tokens.verify(variant), null, variant.slice(-3));
    }
  });

  it('says what is wrong: not a token, malformed, bad MAC or revoked', () => {
    const revoking = new TokenService(randomBytes(32), ConfigSchema.parse({ tokens: { revoked: ['ai:gone'] } }));
    const reason = (token: string) => {
      const checked = revoking.check(token);
      return checked.ok ? 'ok' : checked.reason;
    };
    assert.equal(reason('my-static-token'), 'not an Inlet token');
    assert.equal(reason('inlet1.bogus.abc'), 'malformed token');
    assert.equal(reason(tokens.mint('ai:claude')), 'bad MAC');
    assert.equal(reason(revoking.mint('ai:gone')), 'revoked');
    assert.equal(reason(revoking.mint('ai:here')), 'ok');
  });
});

describe('provider tokens on the wire', () => {
  let hub: RunningHub;

  before(async () => {
    hub = await startHub({ env: { INLET_LOG: 'info' }, config: { approvals: { default: 'allow' }, tokens: { revoked: ['provider:gone'] } } });
  });
  after(async () => {
    await hub?.stop();
  });

  it('a token with a trailing "=" is refused on /ws and /mcp', async () => {
    const provider = await hub.mint('provider:p');
    assert.equal((await rawUpgrade(`${hub.urls.ws}?server_name=p&token=${encodeURIComponent(provider + '=')}`)).status, 401);
    assert.equal((await rawUpgrade(`${hub.urls.ws}?server_name=p&token=${encodeURIComponent(respelt(provider))}`)).status, 401);
    const ai = await hub.mint('ai:a');
    assert.equal((await rawRequest(hub.urls.mcp, { method: 'POST', headers: { Authorization: `Bearer ${ai}=`, 'Content-Type': 'application/json' }, body: '{}' })).status, 401);
  });

  it('a raw token in Sec-WebSocket-Protocol is accepted, and never echoed back', async () => {
    const raw = await hub.mint('provider:rawsub');
    const alongside = await rawUpgrade(`${hub.urls.ws}?server_name=rawsub`, { 'Sec-WebSocket-Protocol': `inlet, inlet.bearer.${raw}` });
    assert.equal(alongside.status, 101, alongside.body);
    assert.equal(alongside.headers['sec-websocket-protocol'], 'inlet');
    const alone = await rawUpgrade(`${hub.urls.ws}?server_name=rawsub`, { 'Sec-WebSocket-Protocol': `inlet.bearer.${raw}` });
    assert.equal(alone.status, 101, alone.body);
    assert.equal(alone.headers['sec-websocket-protocol'], undefined);
    const encoded = await rawUpgrade(`${hub.urls.ws}?server_name=rawsub`, { 'Sec-WebSocket-Protocol': `inlet, inlet.bearer.${Buffer.from(raw).toString('base64url')}` });
    assert.equal(encoded.status, 101);
  });

  it('the log says what was wrong with a refused provider token', async () => {
    const mine = await hub.mint('provider:me');
    const [, , mac] = mine.split('.');
    const forged = `inlet1.provider:you.${mac}`;
    const attempts: Array<[string, string, RegExp]> = [
      ['you', forged, /reason="bad MAC \(provider:you\)"/],
      ['someone', mine, /reason="wrong name \(provider:me serves \\"me\\"\)"/],
      ['x', await hub.mint('ai:x'), /reason="wrong kind \(ai:x offers no tools\)"/],
      ['anon', '', /provider="anon" reason="no token"/],
    ];
    for (const [name, token, logged] of attempts) {
      assert.equal((await rawUpgrade(`${hub.urls.ws}?server_name=${name}&token=${encodeURIComponent(token)}`)).status, 401, name);
      await waitForLog(hub, logged);
    }
    const revoked = await rawUpgrade(`${hub.urls.ws}?server_name=gone&token=${encodeURIComponent(await hub.mint('provider:gone'))}`);
    assert.equal(revoked.status, 401);
    assert.match(revoked.body, /the token of provider:gone was revoked/);
    await waitForLog(hub, /reason="revoked \(provider:gone\)"/);
    assert.doesNotMatch(await settledLog(hub), /not valid for this name/);
  });
});
