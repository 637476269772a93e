import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Session tokens: "v1.<payload>.<mac>", the payload base64url JSON, the mac HMAC-SHA-256 over
 * "v1.<payload>" with the cluster's token key (controller state), so every node verifies what any
 * node issued with one HMAC and no lookup but the user's (a deleted user or changed password ends its
 * tokens at once).
 */
export interface TokenClaims {
  /** The principal, "User:alice" or, for node-internal calls, "Node:2". */
  readonly principal: string;
  readonly expiresAtMs: number;
  /** The user's credential index when issued by SCRAM; -1 for tokens not backed by a user record. */
  readonly credentialIndex: number;
}

const version = 'v1';
/** Tokens are small; a header far larger is refused before any parsing. */
export const tokenCharsMax = 2048;

const mac = (key: Uint8Array, signed: string): Buffer => createHmac('sha256', key).update(signed).digest();

export function signToken(claims: TokenClaims, key: Uint8Array): string {
  const payload = Buffer.from(
    JSON.stringify({ p: claims.principal, e: claims.expiresAtMs, u: claims.credentialIndex }),
  ).toString('base64url');
  const signed = `${version}.${payload}`;
  return `${signed}.${mac(key, signed).toString('base64url')}`;
}

/** The claims of a well-formed token with a valid signature, expired or not; undefined otherwise. */
export function verifyToken(token: string, key: Uint8Array): TokenClaims | undefined {
  if (token.length > tokenCharsMax) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== version) return undefined;
  const given = Buffer.from(parts[2] ?? '', 'base64url');
  const expected = mac(key, `${parts[0]}.${parts[1]}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return parseClaims(parts[1] ?? '');
}

function parseClaims(payload: string): TokenClaims | undefined {
  try {
    const o = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const { p, e, u } = o;
    if (typeof p !== 'string' || !Number.isSafeInteger(e) || !Number.isSafeInteger(u)) return undefined;
    return { principal: p, expiresAtMs: e as number, credentialIndex: u as number };
  } catch {
    return undefined;
  }
}
