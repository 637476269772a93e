import { describe, expect, it } from 'vitest';
import {
  decodeControllerEntry,
  decodeControllerSnapshot,
  encodeControllerEntry,
  encodeControllerSnapshot,
  type AclRule,
  type ControllerCommand,
} from './index.js';
import { applyAll, lastResult } from './test-helpers.js';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');
const user = (name: string, ifAbsent = false): Extract<ControllerCommand, { type: 'upsert-user' }> => ({
  type: 'upsert-user',
  name,
  salt: Buffer.alloc(16, 7).toString('base64'),
  iterations: 4096,
  storedKey: key(1),
  serverKey: key(2),
  tokenKey: key(9),
  ifAbsent,
});
const rule: AclRule = {
  principal: 'User:alice',
  resourceType: 'topic',
  resourceName: 'orders-',
  patternType: 'prefix',
  operation: 'produce',
};

describe('security commands', () => {
  it('stores users by their SCRAM keys, sets the token key once, and keeps an existing user on ifAbsent', () => {
    const first = applyAll([user('alice')]);
    expect(first.state.security.users.get('alice')?.updatedIndex).toBe(1);
    expect(first.state.security.tokenKey).toBe(key(9));
    const later = applyAll(
      [
        { ...user('alice'), storedKey: key(3), tokenKey: key(8) },
        { ...user('alice', true), storedKey: key(4) },
      ],
      first.state,
    );
    expect(later.state.security.users.get('alice')?.storedKey).toBe(key(3));
    expect(later.state.security.tokenKey).toBe(key(9));
  });

  it('rejects weak or malformed credentials and changes nothing', () => {
    const bad: ControllerCommand[] = [
      { ...user('alice'), iterations: 1000 },
      { ...user('alice'), storedKey: key(1).slice(0, 8) },
      { ...user(''), name: '' },
      { ...user('a\nb') },
    ];
    for (const command of bad) {
      const { state, results } = applyAll([command]);
      expect(lastResult(results)).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
      expect(state.security.users.size).toBe(0);
    }
  });

  it('refuses user names with control, invisible or separator characters, *, or over 255 UTF-8 bytes', () => {
    const refused: [string, string][] = [
      ['a\u0085b', 'U+0085'],
      ['a\u009fb', 'U+009F'],
      ['a\u2028b', 'U+2028'],
      ['a\u2029b', 'U+2029'],
      ['a\u202eb', 'U+202E'],
      ['a\u2066b', 'U+2066'],
      ['a\u200bb', 'U+200B'],
      ['a\ufeffb', 'U+FEFF'],
      ['a\ud800b', 'unpaired surrogate U+D800'],
      ['*', "may not be '*'"],
      ['é'.repeat(128), '255 UTF-8 bytes, got 256'],
      ['\u{1F600}'.repeat(63) + 'abcd', '255 UTF-8 bytes, got 256'],
    ];
    for (const [name, message] of refused) {
      const { state, results } = applyAll([user(name)]);
      expect(lastResult(results), JSON.stringify(name)).toMatchObject({
        ok: false,
        code: 'INVALID_ARGUMENT',
      });
      expect(JSON.stringify(lastResult(results))).toContain(message);
      expect(state.security.users.size).toBe(0);
    }
    const accepted = ['é'.repeat(127) + 'a', '\u{1F600}'.repeat(63) + 'abc', 'x'.repeat(255), 'a*', 'Zoë'];
    const { state, results } = applyAll(accepted.map((name) => user(name)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(state.security.users.size).toBe(accepted.length);
  });

  it('takes ACLs and quotas for the principal of a longest user name', () => {
    const principal = `User:${'x'.repeat(255)}`;
    const { state, results } = applyAll([
      user('x'.repeat(255)),
      { type: 'add-acls', rules: [{ ...rule, principal }] },
      { type: 'set-quota', principal, produceBytesPerSec: 1, fetchBytesPerSec: 1 },
      { type: 'add-acls', rules: [{ ...rule, principal: `${principal}x` }] },
    ]);
    expect(results.slice(0, 3).every((r) => r.ok)).toBe(true);
    expect(lastResult(results)).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(state.security.acls.size).toBe(1);
    expect(state.security.quotas.size).toBe(1);
  });

  it('adds rules once, removes them with a count, and validates them', () => {
    const { state, results } = applyAll([
      { type: 'add-acls', rules: [rule, rule] },
      { type: 'remove-acls', rules: [rule, { ...rule, operation: 'consume' }] },
      { type: 'add-acls', rules: [{ ...rule, principal: 'alice' }] },
      { type: 'add-acls', rules: [{ ...rule, resourceType: 'cluster', resourceName: 'x' }] },
      { type: 'add-acls', rules: [{ ...rule, operation: 'write' as AclRule['operation'] }] },
    ]);
    expect(results[1]).toEqual({ ok: true, output: { type: 'removed', count: 1 } });
    expect(results.slice(2).every((r) => !r.ok && r.code === 'INVALID_ARGUMENT')).toBe(true);
    expect(state.security.acls.size).toBe(0);
  });

  it('sets and clears quotas', () => {
    const set: ControllerCommand = {
      type: 'set-quota',
      principal: 'User:bob',
      produceBytesPerSec: 0,
      fetchBytesPerSec: 1000,
    };
    const { state } = applyAll([set]);
    expect(state.security.quotas.get('User:bob')?.fetchBytesPerSec).toBe(1000);
    const cleared = applyAll([{ ...set, fetchBytesPerSec: 0 }], state);
    expect(cleared.state.security.quotas.size).toBe(0);
  });

  it('round-trips through entries and snapshots, and an old snapshot decodes with no security', () => {
    const commands: ControllerCommand[] = [
      user('alice'),
      { type: 'add-acls', rules: [rule] },
      { type: 'set-quota', principal: 'User:alice', produceBytesPerSec: 5, fetchBytesPerSec: 6 },
    ];
    for (const command of commands) {
      expect(decodeControllerEntry(encodeControllerEntry({ timestampMs: 1, command })).command).toEqual(
        command,
      );
    }
    const { state } = applyAll(commands);
    expect(decodeControllerSnapshot(encodeControllerSnapshot(state))).toEqual(state);
    const bytes = encodeControllerSnapshot(state);
    const json = JSON.parse(Buffer.from(bytes.subarray(1)).toString()) as Record<string, unknown>;
    delete json.security;
    const old = Buffer.concat([Buffer.from([bytes[0] ?? 1]), Buffer.from(JSON.stringify(json))]);
    expect(decodeControllerSnapshot(old).security.users.size).toBe(0);
  });
});
