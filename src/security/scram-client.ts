import { randomBytes, timingSafeEqual } from 'node:crypto';
import { RaftlogError } from '../../lib/index.js';
import {
  clientKeyOf,
  hmacSha256,
  saltedPassword,
  scramIterationsMax,
  scramIterationsMin,
  sha256,
  xorBytes,
} from './scram-keys.js';
import {
  authMessage,
  channelBindingNone,
  escapeUsername,
  gs2Header,
  parseServerFirst,
} from './scram-messages.js';

/**
 * The client half of one SCRAM-SHA-256 exchange: first() → server-first → final() → server-final →
 * verifyServerFinal(). The password stays in this object; only the proof leaves it.
 */
export class ScramClient {
  private readonly bare: string;
  private serverSignature: Buffer | undefined;

  constructor(
    username: string,
    private readonly password: string,
    private readonly clientNonce: string = randomBytes(18).toString('base64'),
  ) {
    this.bare = `n=${escapeUsername(username)},r=${clientNonce}`;
  }

  first(): string {
    return gs2Header + this.bare;
  }

  final(serverFirstMessage: string): string {
    const serverFirst = parseServerFirst(serverFirstMessage);
    if (!serverFirst.nonce.startsWith(this.clientNonce) || serverFirst.nonce === this.clientNonce) {
      throw new RaftlogError('AUTHENTICATION_FAILED', 'the server did not extend the client nonce');
    }
    // A server asking for a huge count would make the client burn CPU; a tiny one weakens the hash.
    if (serverFirst.iterations < scramIterationsMin || serverFirst.iterations > scramIterationsMax) {
      throw new RaftlogError('AUTHENTICATION_FAILED', `iteration count ${serverFirst.iterations} refused`);
    }
    const salted = saltedPassword(this.password, serverFirst.salt, serverFirst.iterations);
    const clientKey = clientKeyOf(salted);
    const withoutProof = `c=${channelBindingNone},r=${serverFirst.nonce}`;
    const message = authMessage(this.bare, serverFirstMessage, withoutProof);
    const proof = xorBytes(clientKey, hmacSha256(sha256(clientKey), message));
    this.serverSignature = hmacSha256(hmacSha256(salted, 'Server Key'), message);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Proves the server knew the ServerKey, so a fake server cannot pose as the cluster. */
  verifyServerFinal(serverFinalMessage: string): void {
    const expected = this.serverSignature;
    const got = Buffer.from(serverFinalMessage.replace(/^v=/, ''), 'base64');
    if (expected === undefined || got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new RaftlogError('AUTHENTICATION_FAILED', 'the server signature does not match');
    }
  }
}
