import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';

/** Whether a TLS listener asks clients for a certificate, and whether it refuses those without one. */
export type ClientAuth = 'none' | 'request' | 'require';

export const clientAuthModes: readonly ClientAuth[] = ['none', 'request', 'require'];

/** PEM text of a certificate chain, its private key and the CAs that verify the other side. */
export interface TlsPem {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Verifies client certificates (server side); absent: no client certificate can be verified. */
  readonly ca?: Buffer;
}

/**
 * grpc-js's createSsl either requires a client certificate or never asks for one; `request` (ask,
 * verify when given, serve without) needs the TLS options themselves. A certificate that fails
 * verification in `request` mode leaves the call unauthenticated, never authenticated.
 */
class TlsServerCredentials extends ServerCredentials {
  constructor(pem: TlsPem, clientAuth: ClientAuth) {
    super(
      { requestCert: clientAuth !== 'none', rejectUnauthorized: clientAuth === 'require' },
      { cert: pem.cert, key: pem.key, ...(pem.ca === undefined ? {} : { ca: pem.ca }) },
    );
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

export function tlsServerCredentials(pem: TlsPem, clientAuth: ClientAuth): ServerCredentials {
  return new TlsServerCredentials(pem, clientAuth);
}

/** A client's TLS: the CAs that verify servers, and its own certificate for mutual TLS if any. */
export function tlsChannelCredentials(ca: Buffer | undefined, own?: { cert: Buffer; key: Buffer }) {
  return credentials.createSsl(ca ?? null, own?.key ?? null, own?.cert ?? null);
}

/**
 * The credentials of every channel this process opens without being told otherwise: insecure until
 * set. Process-wide on purpose, as host aliases are: a node's peer links, forwarding channels and
 * identity probes, and a command's probes, must all speak TLS once the process is configured for it.
 */
let defaultCredentials: ChannelCredentials | undefined;

export function setDefaultChannelCredentials(value: ChannelCredentials | undefined): void {
  defaultCredentials = value;
}

export function defaultChannelCredentials(): ChannelCredentials {
  return defaultCredentials ?? credentials.createInsecure();
}
