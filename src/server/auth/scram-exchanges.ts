import { randomBytes, timingSafeEqual } from 'node:crypto';
import { RaftlogError } from '../../../lib/index.js';
import { userNameProblem, type SecurityState, type UserRecord } from '../../../cluster/controller/index.js';
import { decoyCredentials, type ExchangeKeys } from './decoy-credentials.js';
import {
  authMessage,
  formatServerFirst,
  hmacSha256,
  parseClientFinal,
  parseClientFirst,
  sha256,
  xorBytes,
  scramIterationsDefault,
} from '../../security/index.js';

interface Pending {
  readonly user: UserRecord | undefined;
  /** The user's StoredKey, or a made-up one, so a proof for an unknown user costs the same work. */
  readonly storedKey: Buffer;
  readonly clientFirstBare: string;
  readonly serverFirst: string;
  readonly nonce: string;
  readonly expiresAtMs: number;
}

export interface ExchangeLimits {
  readonly exchangesMax: number;
  readonly exchangeTtlMs: number;
}

export const exchangeLimitsDefault: ExchangeLimits = { exchangesMax: 1024, exchangeTtlMs: 30_000 };

const storedKeys = (user: UserRecord): ExchangeKeys => ({
  salt: Buffer.from(user.salt, 'base64'),
  storedKey: Buffer.from(user.storedKey, 'base64'),
});

const failed = (): RaftlogError =>
  new RaftlogError('AUTHENTICATION_FAILED', 'authentication failed: unknown user or wrong password');

/**
 * The server half of SCRAM-SHA-256 exchanges in progress on this node (between ScramStart and
 * ScramFinish): bounded in count and lifetime, so clients that never finish cannot grow it. An unknown
 * user gets a made-up salt, the default iteration count and the same failure, after the same proof
 * check, as a wrong password, so names cannot be probed (decoy-credentials.ts says why the salt is
 * the same on every node).
 */
export class ScramExchanges {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly state: () => SecurityState,
    private readonly now: () => number,
    private readonly limits: ExchangeLimits = exchangeLimitsDefault,
  ) {}

  start(clientFirstMessage: string): { exchangeId: string; serverFirstMessage: string } {
    this.expire();
    if (this.pending.size >= this.limits.exchangesMax) {
      throw new RaftlogError('RESOURCE_EXHAUSTED', `at most ${this.limits.exchangesMax} logins in progress`);
    }
    const first = parseClientFirst(clientFirstMessage);
    const state = this.state();
    const user = this.knownUser(state, first.username);
    const keys = user === undefined ? decoyCredentials(state.tokenKey, first.username) : storedKeys(user);
    const nonce = first.clientNonce + randomBytes(18).toString('base64');
    const serverFirst = formatServerFirst({
      nonce,
      salt: keys.salt,
      iterations: user?.iterations ?? scramIterationsDefault,
    });
    const exchangeId = randomBytes(16).toString('base64url');
    this.pending.set(exchangeId, {
      user,
      storedKey: keys.storedKey,
      clientFirstBare: first.bare,
      serverFirst,
      nonce,
      expiresAtMs: this.now() + this.limits.exchangeTtlMs,
    });
    return { exchangeId, serverFirstMessage: serverFirst };
  }

  /** Verifies the proof; returns the user and the server-final-message. One try per exchange. */
  finish(exchangeId: string, clientFinalMessage: string): { user: UserRecord; serverFinalMessage: string } {
    const p = this.pending.get(exchangeId);
    this.pending.delete(exchangeId);
    if (p === undefined || p.expiresAtMs < this.now()) {
      throw new RaftlogError('AUTHENTICATION_FAILED', 'unknown or expired SCRAM exchange; start again');
    }
    const final = parseClientFinal(clientFinalMessage);
    if (final.nonce !== p.nonce) throw failed();
    const message = authMessage(p.clientFirstBare, p.serverFirst, final.withoutProof);
    const clientKey = xorBytes(final.proof, hmacSha256(p.storedKey, message));
    const proofOk =
      final.proof.length === p.storedKey.length && timingSafeEqual(sha256(clientKey), p.storedKey);
    if (!proofOk || p.user === undefined) throw failed();
    const current = this.state().users.get(p.user.name);
    if (current?.updatedIndex !== p.user.updatedIndex) throw failed();
    const signature = hmacSha256(Buffer.from(p.user.serverKey, 'base64'), message);
    return { user: p.user, serverFinalMessage: `v=${signature.toString('base64')}` };
  }

  /** A user stored under a name the rules refuse now (`*` before they did) cannot log in. */
  private knownUser(state: SecurityState, name: string): UserRecord | undefined {
    return userNameProblem(name) === undefined ? state.users.get(name) : undefined;
  }

  private expire(): void {
    const now = this.now();
    for (const [id, p] of this.pending) if (p.expiresAtMs < now) this.pending.delete(id);
  }
}
