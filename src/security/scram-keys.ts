import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** RFC 7677 asks for at least 4096; more costs every login (not every call) a little more. */
export const scramIterationsMin = 4096;
export const scramIterationsMax = 1_000_000;
export const scramIterationsDefault = 8192;
export const scramSaltBytes = 16;
export const scramKeyBytes = 32;

/** What the controller stores per user (RFC 5802 §3): enough to verify a proof, never the password. */
export interface ScramCredentials {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

export const hmacSha256 = (key: Uint8Array, data: Uint8Array | string): Buffer =>
  createHmac('sha256', key).update(data).digest();

export const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

export function saltedPassword(password: string, salt: Uint8Array, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, scramKeyBytes, 'sha256');
}

export const clientKeyOf = (salted: Uint8Array): Buffer => hmacSha256(salted, 'Client Key');

/** Derives a user's stored credentials; a fresh random salt unless one is given (tests). */
export function deriveScramCredentials(
  password: string,
  iterations: number = scramIterationsDefault,
  salt: Uint8Array = randomBytes(scramSaltBytes),
): ScramCredentials {
  const salted = saltedPassword(password, salt, iterations);
  return {
    salt,
    iterations,
    storedKey: sha256(clientKeyOf(salted)),
    serverKey: hmacSha256(salted, 'Server Key'),
  };
}

export function xorBytes(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}
