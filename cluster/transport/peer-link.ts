import type { Logger } from 'pino';
import { assert, RaftlogError, type Clock, type GroupId, type NodeId, type Timer } from '../../lib/index.js';
import { PeerService, type RaftRequest, type RaftResponse } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { createClient, type BidiCall, type ServiceClient } from '../../rpc/index.js';
import { Backoff } from './backoff.js';
import { isPeerGone } from './connection-refused.js';
import { FlowWindow } from './flow-window.js';
import { checkHelloResponse, protocolVersion, type Announcement } from './hello.js';
import { refusedReconnectDelayMsMax, type TransportLimits } from './limits.js';
import { toProtoMessage } from './message-codec.js';
import { messageBytesBound } from './message-size.js';
import { SendQueue, type PendingFrame } from './send-queue.js';
import type { GroupMessage } from './types.js';

export interface PeerLinkOptions {
  readonly self: Announcement;
  readonly advertiseAddress: string;
  readonly peer: NodeId;
  readonly address: string;
  readonly limits: TransportLimits;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Redial jitter, uniform in [0, 1). */
  readonly random: () => number;
  readonly onUnreachable: (peer: NodeId, groupIds: readonly GroupId[]) => void;
  readonly onPeerRefused: (peer: NodeId) => void;
}

/**
 * idle: never used; connecting: Hello or stream opening, sends are queued (bounded); connected: frames
 * flow; backoff: the last dial or stream failed, sends are dropped until the next dial starts.
 */
type LinkState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'closed';

interface Stream {
  readonly call: BidiCall<RaftRequest, RaftResponse>;
  readonly window: FlowWindow;
}

/**
 * The outbound half of one peer pair: one channel, at most one Raft stream, a bounded queue. Once
 * used it stays up: every failure redials after a jittered backoff until the link is closed.
 */
export class PeerLink {
  private state: LinkState = 'idle';
  private readonly client: ServiceClient<typeof PeerService>;
  private readonly queue: SendQueue;
  private readonly backoff: Backoff;
  private readonly dropped = new Set<GroupId>();
  private stream: Stream | undefined;
  private writing = false;
  private flush: Timer | undefined;
  private redial: Timer | undefined;
  private dialStartedAt = 0;
  private announced = 0;

  constructor(private readonly options: PeerLinkOptions) {
    const { limits } = options;
    this.queue = new SendQueue(limits);
    this.backoff = new Backoff(limits.reconnectDelayMsMin, limits.reconnectDelayMsMax, options.random);
    // Not the link's clock: a call's deadline is a wall-clock instant grpc-js checks by its own clock.
    this.client = createClient(PeerService, options.address, {
      sendMessageBytesMax: limits.grpcMessageBytesMax,
      receiveMessageBytesMax: limits.grpcMessageBytesMax,
      channelOptions: channelOptions(limits),
    });
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** The logical version the peer announced in its answer to this link's last Hello (0: none). */
  get peerLogicalVersion(): number {
    return this.announced;
  }

  /** Bytes queued and not yet written (the window's bytes are accounted separately). */
  get queuedBytes(): number {
    return this.queue.sizeBytes;
  }

  send(messages: readonly GroupMessage[]): void {
    if (this.state === 'closed') return;
    for (const m of messages) {
      const bytes = messageBytesBound(m.message);
      // The host's budgets keep every message within a frame: a larger one would be dropped and resent
      // forever, wedging its group, so it is a broken invariant rather than a full queue.
      assert(
        bytes <= this.options.limits.frameBytesMax,
        `a ${m.message.type} message of ${bytes} bytes for group ${m.groupId} exceeds frameBytesMax ${this.options.limits.frameBytesMax}`,
      );
      if (this.state === 'backoff' || !this.queue.push(m, bytes)) this.dropped.add(m.groupId);
    }
    this.flush ??= this.options.clock.soon(() => {
      this.flush = undefined;
      this.writeFrames();
      this.reportDropped();
    });
    if (this.state === 'idle') this.dial();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.flush?.cancel();
    this.redial?.cancel();
    this.stream?.call.cancel();
    this.stream = undefined;
    this.queue.clear();
    this.client.close();
  }

  private dial(): void {
    this.state = 'connecting';
    this.dialStartedAt = this.options.clock.now();
    this.sayHello().then(
      () => this.openStream(),
      (error: unknown) => this.failed(error),
    );
  }

  private async sayHello(): Promise<void> {
    const { self, peer, advertiseAddress, limits } = this.options;
    const response = await this.client.hello(
      {
        nodeId: self.nodeId,
        clusterId: self.clusterId,
        address: advertiseAddress,
        protocolVersion,
        expectedNodeId: peer,
        logicalVersion: self.logicalVersion,
      },
      { timeoutMs: limits.helloTimeoutMs },
    );
    const refusal = checkHelloResponse(response, { nodeId: peer, clusterId: self.clusterId });
    if (refusal !== undefined) throw refusal;
    this.announced = response.logicalVersion;
  }

  private openStream(): void {
    if (this.state !== 'connecting') return;
    const { windowFrames, windowBytes } = this.options.limits;
    const stream: Stream = { call: this.client.raft(), window: new FlowWindow(windowFrames, windowBytes) };
    this.stream = stream;
    this.state = 'connected';
    this.backoff.reset();
    this.options.logger.debug({ peer: this.options.peer }, 'raft stream open');
    void this.readResponses(stream);
    this.writeFrames();
  }

  private async readResponses(stream: Stream): Promise<void> {
    let failure: unknown = new RaftlogError('UNAVAILABLE', 'the peer ended the raft stream');
    try {
      for await (const response of stream.call.responses) {
        if (response.error !== undefined) {
          failure = new RaftlogError(
            'INVALID_ARGUMENT',
            `peer refused the stream: ${response.error.message}`,
          );
          break;
        }
        this.acknowledged(stream, response);
      }
    } catch (error) {
      failure = error;
    }
    if (this.stream === stream) this.streamEnded(stream, failure);
  }

  private acknowledged(stream: Stream, response: RaftResponse): void {
    const acked = Number(response.ackedSequence);
    stream.window.acknowledge(acked, response.windowFrames, Number(response.windowBytes));
    for (const id of response.unknownGroupIds) {
      if (id <= BigInt(Number.MAX_SAFE_INTEGER)) this.dropped.add(Number(id) as GroupId);
    }
    this.reportDropped();
    this.writeFrames();
  }

  /**
   * Writes queued frames while the window allows. The last frame stays while a flush is pending: more
   * messages of this turn may still join it.
   */
  private writeFrames(): void {
    const stream = this.stream;
    if (stream === undefined || this.writing) return;
    this.writing = true;
    void this.writeLoop(stream).finally(() => {
      this.writing = false;
    });
  }

  private async writeLoop(stream: Stream): Promise<void> {
    for (;;) {
      const frame = this.queue.peek();
      if (frame === undefined || this.stream !== stream || !stream.window.canSend(frame.bytes)) return;
      if (this.flush !== undefined && this.queue.sizeFrames === 1) return;
      this.queue.shift();
      const sequence = stream.window.record(frame.bytes, groupsOf(frame));
      try {
        await stream.call.send(this.toRequest(sequence, frame));
      } catch {
        return; // the response loop sees the same failure and ends the stream
      }
    }
  }

  private toRequest(sequence: number, frame: PendingFrame): RaftRequest {
    return {
      $typeName: 'raftlog.v1.RaftRequest',
      sequence: BigInt(sequence),
      fromNodeId: this.options.self.nodeId,
      toNodeId: this.options.peer,
      messages: frame.messages.map((m) => toProtoMessage(m.groupId, m.message)),
    };
  }

  private streamEnded(stream: Stream, failure: unknown): void {
    this.stream = undefined;
    stream.call.cancel();
    for (const id of stream.window.abandon()) this.dropped.add(id);
    this.options.logger.info({ peer: this.options.peer, err: failure }, 'raft stream to peer ended');
    this.failed(failure);
  }

  /** A failed dial or a broken stream: drop what waits, report it, and redial later. */
  private failed(error: unknown): void {
    if (this.state === 'closed') return;
    assert(this.stream === undefined, 'a failed link still has a stream');
    for (const frame of this.queue.clear()) for (const id of groupsOf(frame)) this.dropped.add(id);
    this.reportDropped();
    const dialMs =
      this.state === 'connecting' ? this.options.clock.now() - this.dialStartedAt : Number.POSITIVE_INFINITY;
    const refused = isPeerGone(error, dialMs, this.options.limits.helloTimeoutMs);
    const { peer, logger } = this.options;
    if (refused) this.options.onPeerRefused(peer);
    const delayMs = this.backoff.next(refused ? refusedReconnectDelayMsMax : undefined);
    logger.debug({ peer, err: error, refused, delayMs }, 'peer unreachable, redialling');
    this.state = 'backoff';
    this.redial = this.options.clock.after(delayMs, () => {
      this.redial = undefined;
      if (this.state === 'backoff') this.dial();
    });
  }

  private reportDropped(): void {
    if (this.dropped.size === 0 || this.state === 'closed') return;
    const groupIds = [...this.dropped];
    this.dropped.clear();
    this.options.onUnreachable(this.options.peer, groupIds);
  }
}

function groupsOf(frame: PendingFrame): GroupId[] {
  return [...new Set(frame.messages.map((m) => m.groupId))];
}

/**
 * grpc-js backs off its own reconnects (1 s and growing by default): keep that short, so a dead peer
 * is reported refused at once and a restarted one is reached as soon as it listens. Retries are the
 * link's business, not the channel's. A link owns its connection: the inbound side attributes a Raft
 * stream to the node that said Hello on the same connection, which a process-wide shared subchannel
 * (several nodes in one process, as in tests) would break.
 */
function channelOptions(limits: TransportLimits): Record<string, number> {
  return {
    'grpc.use_local_subchannel_pool': 1,
    'grpc.initial_reconnect_backoff_ms': limits.reconnectDelayMsMin,
    'grpc.max_reconnect_backoff_ms': Math.min(limits.reconnectDelayMsMax, refusedReconnectDelayMsMax),
    'grpc.enable_retries': 0,
  };
}
