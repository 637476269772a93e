import type { Logger } from 'pino';
import type { GroupId, NodeId } from '../../lib/index.js';
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
  readonly logger: Logger;
  readonly limits?: Partial<TransportLimits>;
}
