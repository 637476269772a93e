import { RaftlogError } from '../../lib/index.js';

/** The GS2 header without channel binding: "n,," (and "biws" is its base64 in c=). */
export const gs2Header = 'n,,';
export const channelBindingNone = Buffer.from(gs2Header).toString('base64');
const messageCharsMax = 1024;

const fail = (what: string): never => {
  throw new RaftlogError('AUTHENTICATION_FAILED', `malformed SCRAM ${what}`);
};

/** RFC 5802 §5.1: ',' and '=' in a user name travel as =2C and =3D. */
export const escapeUsername = (name: string): string => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

function unescapeUsername(value: string): string {
  if (/=(?!2C|3D)/.test(value)) fail('user name');
  return value.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** "a=1,b=2" into its attributes; a repeated or unnamed attribute is malformed. */
function attributes(message: string, what: string): Map<string, string> {
  if (message.length > messageCharsMax) fail(what);
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const match = /^([a-zA-Z])=(.*)$/s.exec(part);
    if (match === null || out.has(match[1] ?? '')) fail(what);
    out.set(match?.[1] ?? '', match?.[2] ?? '');
  }
  return out;
}

function required(attrs: Map<string, string>, key: string, what: string): string {
  const value = attrs.get(key);
  if (value === undefined || value === '') return fail(what);
  return value;
}

/** A nonce is printable ASCII without ',' (RFC 5802 §7). */
const isNonce = (nonce: string): boolean => /^[\x21-\x2b\x2d-\x7e]+$/.test(nonce);

export interface ClientFirst {
  readonly username: string;
  readonly clientNonce: string;
  /** The message without the GS2 header: the first part of the AuthMessage. */
  readonly bare: string;
}

export function parseClientFirst(message: string): ClientFirst {
  if (!message.startsWith(gs2Header)) fail('client-first-message (only "n,," is supported)');
  const bare = message.slice(gs2Header.length);
  const attrs = attributes(bare, 'client-first-message');
  const clientNonce = required(attrs, 'r', 'client-first-message');
  if (!isNonce(clientNonce)) fail('client nonce');
  return { username: unescapeUsername(required(attrs, 'n', 'client-first-message')), clientNonce, bare };
}

export interface ServerFirst {
  readonly nonce: string;
  readonly salt: Buffer;
  readonly iterations: number;
}

export const formatServerFirst = (s: ServerFirst): string =>
  `r=${s.nonce},s=${s.salt.toString('base64')},i=${s.iterations}`;

export function parseServerFirst(message: string): ServerFirst {
  const attrs = attributes(message, 'server-first-message');
  const iterations = Number(required(attrs, 'i', 'server-first-message'));
  if (!Number.isSafeInteger(iterations) || iterations < 1) fail('iteration count');
  return {
    nonce: required(attrs, 'r', 'server-first-message'),
    salt: Buffer.from(required(attrs, 's', 'server-first-message'), 'base64'),
    iterations,
  };
}

export interface ClientFinal {
  readonly nonce: string;
  readonly proof: Buffer;
  /** The message up to the proof: the last part of the AuthMessage. */
  readonly withoutProof: string;
}

export function parseClientFinal(message: string): ClientFinal {
  const proofAt = message.lastIndexOf(',p=');
  if (proofAt < 0) fail('client-final-message');
  const withoutProof = message.slice(0, proofAt);
  const attrs = attributes(withoutProof, 'client-final-message');
  if (attrs.get('c') !== channelBindingNone) fail('channel binding (only "biws" is supported)');
  return {
    nonce: required(attrs, 'r', 'client-final-message'),
    proof: Buffer.from(message.slice(proofAt + 3), 'base64'),
    withoutProof,
  };
}

export const authMessage = (clientFirstBare: string, serverFirst: string, finalWithoutProof: string) =>
  `${clientFirstBare},${serverFirst},${finalWithoutProof}`;
