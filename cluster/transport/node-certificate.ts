import type { PeerCertificate } from 'node:tls';
import { nodeId, type NodeId } from '../../lib/index.js';

/**
 * A node's certificate names the node in a URI subject alternative name, `raftlog://node/<id>`: a
 * name no DNS or IP entry can be mistaken for, so one certificate may also carry the host names
 * clients dial the node by.
 */
export const nodeUriPrefix = 'raftlog://node/';

export function nodeCertificateUri(id: number): string {
  return `${nodeUriPrefix}${id}`;
}

/** The node a verified certificate was issued to; undefined when it names no node or several. */
export function nodeIdOfCertificate(cert: PeerCertificate | undefined): NodeId | undefined {
  const names = (cert?.subjectaltname ?? '').split(/,\s*/);
  const ids = names
    .filter((name) => name.startsWith(`URI:${nodeUriPrefix}`))
    .map((name) => name.slice(`URI:${nodeUriPrefix}`.length));
  if (ids.length !== 1 || !/^[1-9]\d{0,9}$/.test(ids[0]!)) return undefined;
  const id = Number(ids[0]);
  return id <= 2 ** 31 - 1 ? nodeId(id) : undefined;
}
