import type { Logger } from 'pino';
import type { Clock, GroupId, NodeId } from '../../lib/index.js';
import type { Message } from '../../raft/index.js';
import type { TransportLimits } from './limits.js';

/** A Raft message and the group it belongs to: the unit the transport carries. */
export interface GroupMessage {
  readonly groupId: GroupId;
  readonly message: Message;
}

export interface PeerTransportOptions {
  readonly nodeId: NodeId;
  readonly clusterId: string;
  /** Sent in Hello, so a peer knows where this node serves. */
  readonly advertiseAddress: string;
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
