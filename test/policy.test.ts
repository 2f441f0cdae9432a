import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApprovalSettingsSchema, resolvePolicy, type Rule } from '../app/core/calls/policy.js';

const settings = (rules: Rule[], extra: object = {}) => ApprovalSettingsSchema.parse({ rules, ...extra });
const subject = { provider: 'everything', tool: 'echo', caller: 'ai:claude' };

describe('policy resolution: the most specific rule wins', () => {
  const table: Array<[string, Rule[], object, 'allow' | 'ask' | 'deny', RegExp]> = [
    ['no rules: the default (ask)', [], {}, 'ask', /^default$/],
    ['default allow turns prompting off', [], { default: 'allow' }, 'allow', /^default$/],
    ['a provider rule beats the default', [{ provider: 'everything', policy: 'allow' }], {}, 'allow', /rule 1/],
    ['a tool rule beats a provider rule', [{ provider: 'everything', policy: 'deny' }, { provider: 'everything', tool: 'echo', policy: 'allow' }], {}, 'allow', /rule 2/],
    ['a tool rule beats a provider rule in any order', [{ provider: 'everything', tool: 'echo', policy: 'allow' }, { provider: 'everything', policy: 'deny' }], {}, 'allow', /rule 1/],
    ['a caller-keyed rule beats a tool rule', [{ provider: 'everything', tool: 'echo', policy: 'allow' }, { caller: 'ai:claude', policy: 'deny' }], {}, 'deny', /rule 2/],
    ['a caller+tool rule beats a caller rule', [{ caller: 'ai:claude', policy: 'deny' }, { caller: 'ai:claude', tool: 'echo', policy: 'allow' }], {}, 'allow', /rule 2/],
    ['a rule for another caller does not apply', [{ caller: 'ai:cursor', policy: 'deny' }], { default: 'allow' }, 'allow', /^default$/],
    ['a rule for another tool does not apply', [{ provider: 'everything', tool: 'get-sum', policy: 'deny' }], {}, 'ask', /^default$/],
    ['a tool rule without provider matches that tool anywhere', [{ tool: 'echo', policy: 'deny' }], { default: 'allow' }, 'deny', /rule 1/],
    ['equally specific rules: the stricter wins', [{ provider: 'everything', policy: 'allow' }, { provider: 'everything', policy: 'deny' }], {}, 'deny', /rule 2/],
    ['pause denies everything, rules included', [{ provider: 'everything', policy: 'allow' }], { paused: true }, 'deny', /^pause$/],
  ];
  for (const [name, rules, extra, expected, source] of table) {
    it(name, () => {
      const decision = resolvePolicy(settings(rules, extra), subject);
      assert.equal(decision.policy, expected);
      assert.match(decision.source, source);
    });
  }

  it('readOnlyHint tools are allowed only when the user turned that on, and rules still win', () => {
    assert.equal(resolvePolicy(settings([]), { ...subject, readOnly: true }).policy, 'ask');
    assert.equal(resolvePolicy(settings([], { allow_read_only: true }), { ...subject, readOnly: true }).policy, 'allow');
    assert.equal(resolvePolicy(settings([], { allow_read_only: true }), { ...subject, readOnly: false }).policy, 'ask');
    assert.equal(resolvePolicy(settings([{ tool: 'echo', policy: 'deny' }], { allow_read_only: true }), { ...subject, readOnly: true }).policy, 'deny');
  });

  it('extension and add-in callers are asked unless a rule names them, whatever else allows', () => {
    for (const caller of ['ext:abcdefghijklmnop', 'addin:fusion']) {
      const as = { ...subject, caller };
      const allowAll = resolvePolicy(settings([], { default: 'allow' }), as);
      assert.equal(allowAll.policy, 'ask', `${caller}: default allow`);
      assert.match(allowAll.source, new RegExp(`extension caller \\(no rule names ${caller}\\)`));
      assert.equal(resolvePolicy(settings([{ provider: 'everything', policy: 'allow' }]), as).policy, 'ask', `${caller}: a provider rule`);
      assert.equal(resolvePolicy(settings([], { default: 'allow', allow_read_only: true }), { ...as, readOnly: true }).policy, 'ask', `${caller}: read-only`);
      assert.equal(resolvePolicy(settings([{ caller, policy: 'allow' }]), as).policy, 'allow', `${caller}: a rule naming it`);
      assert.equal(resolvePolicy(settings([{ caller, tool: 'echo', policy: 'allow' }]), as).policy, 'allow', `${caller}: a rule naming it and the tool`);
      assert.equal(resolvePolicy(settings([{ provider: 'everything', policy: 'deny' }], { default: 'allow' }), as).policy, 'deny', `${caller}: deny stays deny`);
      assert.equal(resolvePolicy(settings([{ caller, policy: 'allow' }], { paused: true }), as).policy, 'deny', `${caller}: pause`);
    }
    assert.equal(resolvePolicy(settings([], { default: 'allow' }), { ...subject, caller: 'admin' }).policy, 'allow', 'admin is an AI caller');
  });
});
