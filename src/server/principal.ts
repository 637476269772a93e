import type { CallContext } from '../../rpc/index.js';

/** Calls with no verified client certificate. */
export const anonymousPrincipal = 'User:ANONYMOUS';

/**
 * Who made a call, as far as TLS proved it: `User:<CN>` of a client certificate the listener's CA
 * verified (a node calling as a client is `User:node-<id>`), else anonymous. A certificate offered
 * but not verified (tlsClientAuth request) proves nothing and stays anonymous.
 */
export function principalOf(context: Pick<CallContext, 'peerCertificate'>): string {
  const commonName = context.peerCertificate?.subject?.CN;
  const name = Array.isArray(commonName) ? commonName[0] : commonName;
  return name === undefined || name === '' ? anonymousPrincipal : `User:${name}`;
}
