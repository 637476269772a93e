import type { Logger } from 'pino';
import type { Clock, GroupId, NodeId } from '../../lib/index.js';
import type { Message } from '../../raft/index.js';
import type { TransportLimits } from './limits.js';

/** A Raft message and the group it belongs to: the unit the transport carries. */
export interface GroupMessage {
  readonly groupId: GroupId;
  readonly message: Message;
}

/**
 * What a node needs of its peer transport: the port ClusterNode is built on. PeerTransport (gRPC
 * streams) is the production implementation; a simulator supplies one over its simulated network.
 * Peers are added and removed through the live `peers` map of `TransportWiring`, read on each dial.
 */
export interface NodeTransport {
  /** Queues messages for a peer; never calls back inside `send`. */
  send(to: NodeId, messages: readonly GroupMessage[]): void;
  connectedPeers(): ReadonlySet<NodeId>;
  /**
   * The logical version each connected peer announced when this node last said Hello to it (0 for a
   * peer whose build announces none). A peer drops out when its link does: it announces again on
   * the next connection, so a node restarted on another build is never counted at its old version.
   */
  peerVersions(): ReadonlyMap<NodeId, number>;
  /** No message sent may be larger: the host derives its budgets from it. */
  readonly frameBytesMax: number;
  /** Inbound messages for groups outside the filter are answered as unknown instead of delivered. */
  setGroupFilter(isHosted: (groupId: GroupId) => boolean): void;
  close(): Promise<void>;
}

/** What the node hands its transport: where peers are and where inbound traffic goes. */
export type TransportWiring = Pick<
  PeerTransportOptions,
  'peers' | 'onMessages' | 'onUnreachable' | 'onPeerRefused' | 'onFatal' | 'logicalVersion'
>;

/** Builds the node's transport once the node can receive (the composition root chooses which). */
export type TransportFactory<T extends NodeTransport = NodeTransport> = (wiring: TransportWiring) => T;

export interface PeerTransportOptions {
  readonly nodeId: NodeId;
  readonly clusterId: string;
  /** Sent in Hello, so a peer knows where this node serves. */
  readonly advertiseAddress: string;
  /** This node's logical version, announced in Hello both ways; absent, it announces none (0). */
  readonly logicalVersion?: number;
  /** Peer id to the address to dial, exactly as given (a proxy may sit there). */
  readonly peers: ReadonlyMap<NodeId, string>;
  /** Inbound messages of one frame, in frame order. Entry data are views into the received frame. */
  readonly onMessages: (from: NodeId, messages: readonly GroupMessage[]) => void;
  /** Messages to `peer` were dropped: queue full, stream broken, or the peer does not host the group. */
  readonly onUnreachable: (peer: NodeId, groupIds: readonly GroupId[]) => void;
  /** A dial to `peer` was actively refused (its process is gone); called on every refused attempt. */
  readonly onPeerRefused: (peer: NodeId) => void;
  /**
   * A callback above threw: that is this node's bug, never a peer's input (which is dropped and
   * counted before it reaches a callback). The node must stop rather than run on in a state its own
   * code says is impossible.
   */
  readonly onFatal: (error: unknown) => void;
  readonly logger: Logger;
  readonly limits?: Partial<TransportLimits>;
  /** Flushes, dial timing and redial backoff. */
  readonly clock: Clock;
  /** Jitter of redial delays, uniform in [0, 1): real randomness in production, so nodes do not redial in lockstep. */
  readonly random: () => number;
}

/** What peers sent that was dropped instead of delivered; never reset. */
export interface TransportStats {
  /** Messages that did not decode or were not valid Raft messages. */
  malformedMessages: number;
  /** Messages from another node than the stream's, or for another node than this one. */
  misaddressedMessages: number;
  /** Messages for groups this node does not host (the sender hears of it). */
  unknownGroupMessages: number;
  /** Streams ended for a protocol violation (no Hello, foreign frames, frames out of sequence). */
  refusedStreams: number;
}

export function emptyTransportStats(): TransportStats {
  return { malformedMessages: 0, misaddressedMessages: 0, unknownGroupMessages: 0, refusedStreams: 0 };
}
