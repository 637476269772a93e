import type { CallAuthContext } from '../../../rpc/index.js';
import { userNameProblem } from '../../../cluster/controller/index.js';
import { userPrincipal } from '../../security/index.js';

/**
 * The principal of a verified TLS client certificate: User:<subject CN>. grpc-js reports a peer
 * certificate only when the TLS handshake authorized it against the server's CA, so an unverified
 * certificate yields nothing here. A CN that could not be a user name (`*`, which as User:* would be
 * every user in ACLs and quotas, or control and invisible characters) yields nothing either.
 */
export function tlsPrincipal(auth: CallAuthContext): string | undefined {
  if (auth.transportSecurityType !== 'ssl') return undefined;
  const subject = auth.sslPeerCertificate?.subject as Readonly<Record<string, unknown>> | undefined;
  const cn = subject?.CN;
  const name: unknown = Array.isArray(cn) ? (cn as unknown[])[0] : cn;
  return typeof name === 'string' && userNameProblem(name) === undefined ? userPrincipal(name) : undefined;
}
