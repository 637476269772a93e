import type { Logger } from 'pino';
import type { GroupId, NodeId } from '../../lib/index.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import type { RaftRequest, RaftResponse } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { fromProtoMessage } from './message-codec.js';
import { messageBytesBound } from './message-size.js';
import type { GroupMessage, TransportStats } from './types.js';

type Response = Omit<RaftResponse, '$typeName'>;

export interface InboundDeps {
  readonly self: NodeId;
  readonly windowFrames: number;
  readonly windowBytes: number;
  readonly deliver: (from: NodeId, messages: readonly GroupMessage[]) => void;
  readonly isHosted: (groupId: GroupId) => boolean;
  readonly logger: Logger;
  readonly stats: TransportStats;
}

/**
 * The receiving end of one Raft stream from one peer. Frames must come from the node that said Hello,
 * be addressed to this node and be numbered 1, 2, 3...; anything else refuses the stream. Messages
 * that do not decode or are addressed elsewhere are skipped, never delivered. Acknowledgements go out
 * whenever a quarter of the window has arrived unacknowledged, so a sender that honours the window is
 * never stalled, and at once when the frame named groups this node does not host.
 */
export class InboundStream {
  private lastSequence = 0;
  private unackedFrames = 0;
  private unackedBytes = 0;

  constructor(
    private readonly from: NodeId,
    private readonly deps: InboundDeps,
  ) {}

  /** Sent first: the sender learns this receiver's window before it could exhaust its own guess. */
  greeting(): Response {
    return this.ack([]);
  }

  /** Handles one frame; the response to send now, if any. A response with an error ends the stream. */
  accept(frame: RaftRequest): Response | undefined {
    const refusal = this.check(frame);
    if (refusal !== undefined) return refusal;
    this.lastSequence++;
    const unknown = new Set<GroupId>();
    const delivered: GroupMessage[] = [];
    const { stats } = this.deps;
    let malformed = 0;
    let misaddressed = 0;
    for (const p of frame.messages) {
      const decoded = fromProtoMessage(p);
      if (decoded !== undefined) this.unackedBytes += messageBytesBound(decoded.message);
      if (decoded === undefined) malformed++;
      else if (!this.addressedHere(decoded)) misaddressed++;
      else if (this.deps.isHosted(decoded.groupId)) delivered.push(decoded);
      else {
        unknown.add(decoded.groupId);
        stats.unknownGroupMessages++;
      }
    }
    if (malformed + misaddressed > 0) {
      stats.malformedMessages += malformed;
      stats.misaddressedMessages += misaddressed;
      this.deps.logger.warn({ peer: this.from, malformed, misaddressed }, 'skipped invalid raft messages');
    }
    if (delivered.length > 0) this.deps.deliver(this.from, delivered);
    this.unackedFrames++;
    return unknown.size > 0 || this.quarterArrived() ? this.ack([...unknown]) : undefined;
  }

  private check(frame: RaftRequest): Response | undefined {
    if (frame.fromNodeId !== this.from) {
      return refuse(`frame from node ${frame.fromNodeId} on node ${this.from}'s stream`);
    }
    if (frame.toNodeId !== this.deps.self) {
      return refuse(`frame for node ${frame.toNodeId} reached node ${this.deps.self}`);
    }
    if (frame.sequence !== BigInt(this.lastSequence + 1)) {
      return refuse(`frame ${frame.sequence} where ${this.lastSequence + 1} was due`);
    }
    return undefined;
  }

  private addressedHere({ message }: GroupMessage): boolean {
    return message.from === this.from && message.to === this.deps.self;
  }

  private quarterArrived(): boolean {
    return this.unackedFrames * 4 >= this.deps.windowFrames || this.unackedBytes * 4 >= this.deps.windowBytes;
  }

  private ack(unknownGroupIds: readonly GroupId[]): Response {
    this.unackedFrames = 0;
    this.unackedBytes = 0;
    return {
      ackedSequence: BigInt(this.lastSequence),
      windowFrames: this.deps.windowFrames,
      windowBytes: BigInt(this.deps.windowBytes),
      unknownGroupIds: unknownGroupIds.map((g) => BigInt(g)),
    };
  }
}

/** A refusal ends the stream: the sender redials, says Hello again and starts over at frame 1. */
export function refuse(message: string): Response {
  return {
    ackedSequence: 0n,
    windowFrames: 0,
    windowBytes: 0n,
    unknownGroupIds: [],
    error: {
      $typeName: 'raftlog.v1.ErrorDetail',
      code: ErrorCode.INVALID_ARGUMENT,
      message,
      retriable: false,
      leaderHint: '',
    },
  };
}
