import { RaftlogError } from '../../lib/index.js';
import { defaultPeerAddress, peerPortOffset } from '../server/peer-address.js';

export interface NodeAddress {
  readonly id: number;
  /** The client listener. */
  readonly address: string;
  /** The peer listener; the node's default (client port + 1000) when absent. */
  readonly peerAddress?: string;
}

export function peerAddressOf(node: NodeAddress): string {
  return node.peerAddress ?? defaultPeerAddress(node.address);
}

/** The `--peers` value every node of a cluster gets: "1=127.0.0.1:10091,2=127.0.0.1:10092". */
export function peersArg(nodes: readonly NodeAddress[]): string {
  return nodes.map((n) => `${n.id}=${peerAddressOf(n)}`).join(',');
}

/** Node ids 1..count on consecutive ports from basePort; peer ports 1000 above (the node's default). */
export function clusterLayout(count: number, host: string, basePort: number): NodeAddress[] {
  if (!Number.isSafeInteger(count) || count < 1)
    throw new RaftlogError('INVALID_ARGUMENT', `nodes must be at least 1, got ${count}`);
  const last = basePort + count - 1 + peerPortOffset;
  if (!Number.isSafeInteger(basePort) || basePort < 1 || last > 65535) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `ports ${basePort}..${last} (client ports and peer ports 1000 above) are not all valid`,
    );
  }
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    address: `${hostPart(host)}:${basePort + i}`,
  }));
}

/** An IPv6 literal needs brackets in HOST:PORT. */
function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
