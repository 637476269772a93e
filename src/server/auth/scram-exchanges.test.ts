import { describe, expect, it } from 'vitest';
import {
  emptySecurityState,
  type SecurityState,
  type UserRecord,
} from '../../../cluster/controller/index.js';
import { RaftlogError } from '../../../lib/index.js';
import { deriveScramCredentials, scramIterationsDefault, ScramClient } from '../../security/index.js';
import { ScramExchanges } from './scram-exchanges.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function userRecord(name: string, password: string): UserRecord {
  const c = deriveScramCredentials(password, 4096);
  const keys = { salt: b64(c.salt), storedKey: b64(c.storedKey), serverKey: b64(c.serverKey) };
  return { name, iterations: c.iterations, updatedIndex: 7, ...keys };
}

function stateWith(users: UserRecord[], tokenKey = Buffer.alloc(32, 5).toString('base64')): SecurityState {
  return { ...emptySecurityState(), tokenKey, users: new Map(users.map((u) => [u.name, u])) };
}

/** One node's exchanges over the given replicated state. */
const node = (state: SecurityState) => new ScramExchanges(() => state, Date.now);

/** The server-first-message without the nonce, which is fresh every time: "s=…,i=…". */
const saltAndIterations = (exchanges: ScramExchanges, name: string) =>
  exchanges.start(new ScramClient(name, 'x').first()).serverFirstMessage.replace(/^r=[^,]*,/, '');

function login(exchanges: ScramExchanges, name: string, password: string): RaftlogError | 'ok' {
  const client = new ScramClient(name, password);
  const started = exchanges.start(client.first());
  try {
    exchanges.finish(started.exchangeId, client.final(started.serverFirstMessage));
    return 'ok';
  } catch (e) {
    return RaftlogError.from(e);
  }
}

describe('ScramExchanges', () => {
  it('shows an unknown user the same salt on every node and across restarts', () => {
    const state = stateWith([userRecord('alice', 'alice-password')]);
    const [one, two] = [node(state), node(state)];
    for (const name of ['ghost', 'someone else']) {
      const shown = saltAndIterations(one, name);
      expect(saltAndIterations(two, name)).toBe(shown);
      expect(saltAndIterations(one, name)).toBe(shown);
    }
    expect(saltAndIterations(one, 'ghost')).not.toBe(saltAndIterations(one, 'someone else'));
    // Another cluster (another token key) shows other salts: a client cannot compute them.
    const other = node(stateWith([], Buffer.alloc(32, 6).toString('base64')));
    expect(saltAndIterations(other, 'ghost')).not.toBe(saltAndIterations(one, 'ghost'));
  });

  it('shows an unknown user the iteration count users get by default', () => {
    const exchanges = node(stateWith([]));
    expect(saltAndIterations(exchanges, 'ghost')).toMatch(new RegExp(`,i=${scramIterationsDefault}$`));
  });

  it('answers an unknown user exactly as a wrong password', () => {
    const exchanges = node(stateWith([userRecord('alice', 'alice-password')]));
    expect(login(exchanges, 'alice', 'alice-password')).toBe('ok');
    const wrong = login(exchanges, 'alice', 'wrong-password');
    const unknown = login(exchanges, 'ghost', 'alice-password');
    expect(wrong).toBeInstanceOf(RaftlogError);
    expect(unknown).toEqual(wrong);
    expect(unknown).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });

  it('never logs in a user stored under a name the rules refuse, such as *', () => {
    const exchanges = node(stateWith([userRecord('*', 'star-password'), userRecord('a\u0085b', 'c1-pass')]));
    expect(login(exchanges, '*', 'star-password')).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect(login(exchanges, 'a\u0085b', 'c1-pass')).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });
});
