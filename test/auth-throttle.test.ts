import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../app/core/base/log.js';
import { FAILURE_LIMIT, FailureThrottle } from '../app/core/security/failure-throttle.js';
import { startHub, type RunningHub } from './helpers/hub-process.js';
import { INITIALIZE, rawRequest, rawUpgrade } from './helpers/raw-http.js';
import { settledLog } from './helpers/hub-log.js';


describe('failed logins are throttled per address, successful ones never', () => {
  let hub: RunningHub;

  before(async () => {
    hub = await startHub();
  });
  after(async () => {
    await hub?.stop();
  });

  const badMcp = () => rawRequest(hub.urls.mcp, { method: 'POST', headers: { Authorization: 'Bearer inlet1.ai:guess.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Content-Type': 'application/json' }, body: INITIALIZE });

  it(`answers 401 to the first ${FAILURE_LIMIT} failures in a minute, then 429 with Retry-After on every surface`, async () => {
    for (let i = 0; i < FAILURE_LIMIT; i++) assert.equal((await badMcp()).status, 401, `failure ${i + 1}`);
    const throttled = await badMcp();
    assert.equal(throttled.status, 429);
    const retryAfter = Number(throttled.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${throttled.headers['retry-after']}`);
    assert.match(throttled.body, /Too many failed attempts/);
    assert.equal((await rawRequest(`${hub.urls.mcp.replace(/\/mcp$/, '')}/login?code=guess`)).status, 429, '/login');
    assert.equal((await rawRequest(`${hub.urls.api}/status`, { headers: { Authorization: 'Bearer wrong' } })).status, 429, 'admin API');
    assert.equal((await rawRequest(hub.urls.mcp.replace(/\/mcp$/, '/sse'))).status, 429, '/sse');
    const upgrade = await rawUpgrade(`${hub.urls.ws}?server_name=x&token=wrong`);
    assert.equal(upgrade.status, 429, '/ws');
    assert.ok(Number(upgrade.headers['retry-after']) >= 1);
    assert.equal((await settledLog(hub)).split('\n').filter((line) => line.includes('further failures from this address get 429')).length, 1, 'warned once');
  });

  it('while the address is throttled, clients with valid credentials are served at once', async () => {
    assert.equal((await badMcp()).status, 429, 'still throttled');
    const ai = await rawRequest(hub.urls.mcp, { method: 'POST', headers: { Authorization: `Bearer ${await hub.mint('ai:ok')}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: INITIALIZE });
    assert.equal(ai.status, 200);
    assert.equal((await rawRequest(`${hub.urls.api}/status`, { headers: { Authorization: `Bearer ${await hub.mint('admin')}` } })).status, 200);
    assert.equal((await rawUpgrade(`${hub.urls.ws}?server_name=fine&token=${encodeURIComponent(await hub.mint('provider:fine'))}`)).status, 101);
  });
});

describe('the failure throttle’s window and memory', () => {
  const quiet = createLogger('test');
  quiet.warn = () => undefined;

  it('forgets failures once the window has passed, and Retry-After counts down to it', () => {
    let now = 1_000_000;
    const throttle = new FailureThrottle(quiet, 3, 60_000, () => now);
    for (let i = 0; i < 3; i++) assert.equal(throttle.fail('10.0.0.1', '/mcp'), 0);
    assert.equal(throttle.fail('10.0.0.1', '/mcp'), 60);
    assert.equal(throttle.fail('10.0.0.2', '/mcp'), 0, 'another address is not affected');
    now += 45_000;
    assert.equal(throttle.fail('10.0.0.1', '/mcp'), 15);
    now += 60_001;
    assert.equal(throttle.fail('10.0.0.1', '/mcp'), 0, 'a quiet minute lifts it');
  });

  it('keeps at most 1000 addresses: the least recently failing ones are dropped first', () => {
    const throttle = new FailureThrottle(quiet, 1, 60_000, () => 0);
    throttle.fail('first', '/mcp');
    assert.ok(throttle.fail('first', '/mcp') > 0);
    for (let i = 0; i < 1_000; i++) throttle.fail(`other-${i}`, '/mcp');
    assert.equal(throttle.fail('first', '/mcp'), 0, 'its failures were dropped to bound memory');
  });
});
