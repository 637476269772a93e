import { readFileSync } from 'node:fs';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { tlsChannelCredentials } from '../../rpc/index.js';
import { RaftlogError } from '../../lib/index.js';

/** PEM files of a client's TLS: `ca` verifies the nodes; `cert` and `key` answer a node asking for one. */
export interface ClientTlsFiles {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

/**
 * Credentials for `RaftlogClient({ credentials })`, or undefined when no file is given (plaintext).
 * Without `ca` the system's CAs verify the nodes.
 */
export function tlsCredentials(files: ClientTlsFiles): ChannelCredentials | undefined {
  const { ca, cert, key } = files;
  if ((cert === undefined) !== (key === undefined)) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      'a client certificate and its key go together: give both or neither',
    );
  }
  if (ca === undefined && cert === undefined) return undefined;
  const own = cert === undefined || key === undefined ? undefined : { cert: pem(cert), key: pem(key) };
  return tlsChannelCredentials(ca === undefined ? undefined : pem(ca), own);
}

function pem(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new RaftlogError('INVALID_ARGUMENT', `cannot read ${path}`, { cause });
  }
}
