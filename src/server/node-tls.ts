import { readFileSync } from 'node:fs';
import { ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { tlsChannelCredentials, tlsServerCredentials } from '../../rpc/index.js';
import { RaftlogError } from '../../lib/index.js';
import type { TlsSettings } from './tls-settings.js';

/** The credentials of a node's two listeners and of the channels it opens to other nodes. */
export interface NodeTls {
  readonly on: boolean;
  readonly client: ServerCredentials;
  readonly peer: ServerCredentials;
  /** Undefined without TLS (insecure channels). */
  readonly channel: ChannelCredentials | undefined;
}

/**
 * With TLS the peer listener requires a certificate from the peer CA; this node presents its peer
 * certificate on every channel it opens (peer links, and forwarded calls to other nodes' client
 * listeners, which must then trust the peer CA's certificates when they ask for client certificates)
 * and trusts servers signed by either CA.
 */
export function loadNodeTls(settings: TlsSettings): NodeTls {
  const { tlsCert, tlsKey, peerTlsCert, peerTlsKey, peerTlsCa } = settings;
  if (
    tlsCert === undefined ||
    tlsKey === undefined ||
    peerTlsCert === undefined ||
    peerTlsKey === undefined
  ) {
    const insecure = ServerCredentials.createInsecure();
    return { on: false, client: insecure, peer: insecure, channel: undefined };
  }
  const clientCa = optionalPem(settings.tlsCa);
  const peerCa = optionalPem(peerTlsCa);
  const peerPair = { cert: pem(peerTlsCert), key: pem(peerTlsKey) };
  const roots = [peerCa, clientCa].filter((b): b is Buffer => b !== undefined);
  const distinctRoots = roots.filter((b, i) => roots.findIndex((o) => o.equals(b)) === i);
  return {
    on: true,
    client: tlsServerCredentials(
      { cert: pem(tlsCert), key: pem(tlsKey), ...(clientCa === undefined ? {} : { ca: clientCa }) },
      settings.tlsClientAuth,
    ),
    peer: tlsServerCredentials({ ...peerPair, ...(peerCa === undefined ? {} : { ca: peerCa }) }, 'require'),
    channel: tlsChannelCredentials(Buffer.concat(distinctRoots), peerPair),
  };
}

function optionalPem(path: string | undefined): Buffer | undefined {
  return path === undefined ? undefined : pem(path);
}

function pem(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new RaftlogError('INVALID_ARGUMENT', `cannot read ${path}`, { cause });
  }
}
