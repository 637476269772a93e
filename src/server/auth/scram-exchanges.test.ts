import { describe, expect, it } from 'vitest';
import {
  emptySecurityState,
  type SecurityState,
  type UserRecord,
} from '../../../cluster/controller/index.js';
import { RaftlogError } from '../../../lib/index.js';
import { deriveScramCredentials, ScramClient } from '../../security/index.js';
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
  it('never logs in a user stored under a name the rules refuse, such as *', () => {
    const exchanges = node(stateWith([userRecord('*', 'star-password'), userRecord('a\u0085b', 'c1-pass')]));
    expect(login(exchanges, '*', 'star-password')).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect(login(exchanges, 'a\u0085b', 'c1-pass')).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });
});
