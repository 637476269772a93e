import { randomInt } from 'node:crypto';
import type { NodeId, SeedSource } from '../../lib/index.js';
import { PeerClients } from '../../cluster/node/index.js';
import { frameBytesMaxFor, PeerTransport, type TransportFactory } from '../../cluster/transport/index.js';
import type { CallHeaders } from '../../rpc/index.js';
import type { Logger } from '../obs/index.js';
import { systemClock } from './system-clock.js';

/** Real randomness for election jitter: nodes and groups must not time out in step. */
export const randomSeeds: SeedSource = () => randomInt(2 ** 31);

/** The production peer transport: gRPC streams, frames sized to the servers' message limit. */
export function grpcPeerTransport(options: {
  readonly nodeId: NodeId;
  readonly clusterId: string;
  readonly peerAdvertise: string;
  readonly messageBytesMax: number;
  readonly logger: Logger;
}): TransportFactory<PeerTransport> {
  return (wiring) =>
    new PeerTransport({
      ...wiring,
      nodeId: options.nodeId,
      clusterId: options.clusterId,
      advertiseAddress: options.peerAdvertise,
      logger: options.logger,
      clock: systemClock,
      random: Math.random,
      limits: {
        grpcMessageBytesMax: options.messageBytesMax,
        frameBytesMax: frameBytesMaxFor(options.messageBytesMax),
      },
    });
}

/** The production peer calls: gRPC clients carrying this node's credentials when auth is on. */
export function grpcPeerCalls(headers: CallHeaders | undefined): PeerClients {
  return new PeerClients(headers);
}
