import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NameBook, VALID_EXPOSED_NAME } from '../app/core/catalog/names.js';

/** A catalog's view of what is held: a set the test fills as names are handed out. */
function holder(): { held: Set<string>; taken: (name: string) => boolean } {
  const held = new Set<string>();
  return { held, taken: (name) => held.has(name) };
}

describe('names per kind of provider (docs/provider-protocol.md, Names AI clients see)', () => {
  it('socket and builtin providers get <provider>__<name>, the same every time', () => {
    const book = new NameBook();
    const { taken } = holder();
    assert.equal(book.assign('socket', 'everything', 'echo', taken), 'everything__echo');
    assert.equal(book.assign('builtin', 'permissions', 'approve', taken), 'permissions__approve');
    assert.equal(new NameBook().assign('socket', 'everything', 'echo', taken), 'everything__echo');
  });

  it('a namespaced name that is already held is refused, never renamed or shared', () => {
    const book = new NameBook();
    const { held, taken } = holder();
    held.add('permissions__approve');
    assert.equal(book.assign('socket', 'permissions', 'approve', taken), undefined);
  });

  it('registrants keep the bare name, then get name2, name3 on a clash', () => {
    const book = new NameBook();
    const { held, taken } = holder();
    for (const [provider, expected] of [['ext-a', 'browser'], ['ext-b', 'browser2'], ['ext-c', 'browser3']] as const) {
      const name = book.assign('registrant', provider, 'browser', taken)!;
      assert.equal(name, expected);
      held.add(name);
    }
  });

  it('a registrant that comes back gets its earlier name while it is free', () => {
    const book = new NameBook();
    const { held, taken } = holder();
    held.add(book.assign('registrant', 'ext-a', 'browser', taken)!);
    held.add(book.assign('registrant', 'ext-b', 'browser', taken)!);
    held.delete('browser2'); // ext-b disconnects …
    held.add(book.assign('registrant', 'ext-b', 'browser', taken)!); // … and registers again
    assert.deepEqual([...held].sort(), ['browser', 'browser2']);
    held.delete('browser'); // ext-a leaves; ext-b keeps browser2 on its next registration
    held.delete('browser2');
    assert.equal(book.assign('registrant', 'ext-b', 'browser', taken), 'browser2');
  });

  it('bare names are made valid: odd characters replaced, long ones shortened with a hash', () => {
    const book = new NameBook();
    const { held, taken } = holder();
    assert.equal(book.assign('registrant', 'x', 'my tool.v2', taken), 'my_tool_v2');
    const long = 'a'.repeat(100);
    const first = book.assign('registrant', 'x', long, taken)!;
    held.add(first);
    const second = book.assign('registrant', 'y', long, taken)!;
    for (const name of [first, second]) assert.match(name, VALID_EXPOSED_NAME);
    assert.equal(second, `${first}2`);
    assert.notEqual(book.assign('registrant', 'z', 'a'.repeat(99), () => false), first, 'a different long name gets a different hash');
  });
});
