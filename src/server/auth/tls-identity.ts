import type { CallAuthContext } from '../../../rpc/index.js';
import { userPrincipal } from '../../security/index.js';

/**
 * The principal of a verified TLS client certificate: User:<subject CN>. grpc-js reports a peer
 * certificate only when the TLS handshake authorized it against the server's CA, so an unverified
 * certificate yields nothing here.
 */
export function tlsPrincipal(auth: CallAuthContext): string | undefined {
  if (auth.transportSecurityType !== 'ssl') return undefined;
  const subject = auth.sslPeerCertificate?.subject as Readonly<Record<string, unknown>> | undefined;
  const cn = subject?.CN;
  const name: unknown = Array.isArray(cn) ? (cn as unknown[])[0] : cn;
  return typeof name === 'string' && name.length > 0 ? userPrincipal(name) : undefined;
}
