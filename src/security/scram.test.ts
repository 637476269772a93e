import { describe, expect, it } from 'vitest';
import { deriveScramCredentials, hmacSha256, ScramClient, xorBytes, sha256 } from './index.js';
import { authMessage, parseClientFinal, parseClientFirst } from './scram-messages.js';

// RFC 7677 §3: user "user", password "pencil".
const clientNonce = 'rOprNGfwEbeRWgbNEkqO';
const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const clientFinal =
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const serverFinal = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

describe('SCRAM-SHA-256', () => {
  it('computes the RFC 7677 client-final-message and accepts its server signature', () => {
    const client = new ScramClient('user', 'pencil', clientNonce);
    expect(client.first()).toBe(`n,,n=user,r=${clientNonce}`);
    expect(client.final(serverFirst)).toBe(clientFinal);
    expect(() => client.verifyServerFinal(serverFinal)).not.toThrow();
    expect(() => client.verifyServerFinal('v=AAAA')).toThrow(/server signature/);
  });

  it('stores keys with which a server verifies the RFC 7677 proof and signs its answer', () => {
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const stored = deriveScramCredentials('pencil', 4096, salt);
    const first = parseClientFirst(`n,,n=user,r=${clientNonce}`);
    const final = parseClientFinal(clientFinal);
    const message = authMessage(first.bare, serverFirst, final.withoutProof);
    const clientKey = xorBytes(final.proof, hmacSha256(stored.storedKey, message));
    expect(sha256(clientKey).equals(Buffer.from(stored.storedKey))).toBe(true);
    expect(`v=${hmacSha256(stored.serverKey, message).toString('base64')}`).toBe(serverFinal);
  });

  it('refuses a server that does not extend the nonce or asks for too few iterations', () => {
    const client = new ScramClient('user', 'pencil', clientNonce);
    expect(() => client.final(`r=${clientNonce},s=AAAA,i=4096`)).toThrow(/nonce/);
    expect(() => client.final(`r=${clientNonce}x,s=AAAA,i=1000`)).toThrow(/iteration/);
  });

  it('escapes user names and rejects malformed messages', () => {
    expect(parseClientFirst('n,,n=a=2Cb=3Dc,r=xyz').username).toBe('a,b=c');
    expect(() => parseClientFirst('y,,n=a,r=x')).toThrow(/client-first/);
    expect(() => parseClientFirst('n,,n=a=2,r=x')).toThrow(/user name/);
    expect(() => parseClientFinal('c=eSws,r=x,p=AAAA')).toThrow(/channel binding/);
  });
});
