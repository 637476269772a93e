import type { GroupId, NodeId } from '../../lib/index.js';
import type { GroupMessage, NodeTransport, TransportWiring } from '../../cluster/transport/index.js';
import type { ClusterNetwork } from './cluster-network.js';
import type { ProcessClock } from './process-clock.js';

/** The frame bound the simulated transport announces: the host sizes its appends to it. */
const simFrameBytesMax = 1024 * 1024;

/** Where inbound frames for a node go: its current incarnation, or none while it is down. */
export interface TransportDirectory {
  inbound(node: NodeId): SimTransport | undefined;
}

/**
 * The node's transport port over the simulated network: each `send` is one frame (a deep copy, as
 * encoding would make) that may be dropped, duplicated, delayed or reordered. As PeerLink's, a frame
 * is encoded on the next turn, not during `send`: a sender that reused the memory of messages it
 * handed over (an entry's slot in the log cache's ring) would corrupt them here too. Frames for a
 * group the target does not host are reported unreachable back to the sender, as PeerService
 * answers them.
 */
export class SimTransport implements NodeTransport {
  readonly frameBytesMax = simFrameBytesMax;
  private isHosted: (groupId: GroupId) => boolean = () => true;
  private closed = false;
  /** Frames handed over this turn, encoded and sent on the next. */
  private readonly pending: { readonly to: NodeId; readonly messages: readonly GroupMessage[] }[] = [];

  constructor(
    private readonly self: NodeId,
    private readonly wiring: TransportWiring,
    private readonly network: ClusterNetwork,
    private readonly directory: TransportDirectory,
    private readonly clock: ProcessClock,
  ) {}

  send(to: NodeId, messages: readonly GroupMessage[]): void {
    if (this.closed || messages.length === 0 || to === this.self) return;
    if (this.pending.push({ to, messages }) === 1) this.clock.soon(() => this.flush());
  }

  private flush(): void {
    for (const { to, messages } of this.pending.splice(0)) if (!this.closed) this.sendNow(to, messages);
  }

  private sendNow(to: NodeId, messages: readonly GroupMessage[]): void {
    const frame = structuredClone(messages);
    const sent = this.network.send(
      this.self,
      to,
      () => this.directory.inbound(to)?.receive(this.self, frame),
      true,
    );
    if (!sent) this.reportUnreachable(to, frame);
  }

  connectedPeers(): ReadonlySet<NodeId> {
    const peers = new Set<NodeId>();
    for (const id of this.wiring.peers.keys())
      if (id !== this.self && this.network.reachable(this.self, id) && this.network.reachable(id, this.self))
        peers.add(id);
    return peers;
  }

  /** As a Hello answer would tell: each peer reachable both ways, at its current incarnation's version. */
  peerVersions(): ReadonlyMap<NodeId, number> {
    const versions = new Map<NodeId, number>();
    for (const id of this.connectedPeers()) {
      const peer = this.directory.inbound(id);
      if (peer !== undefined) versions.set(id, peer.logicalVersion);
    }
    return versions;
  }

  /** The version this incarnation announces (0: none, as a build older than the announcement). */
  get logicalVersion(): number {
    return this.wiring.logicalVersion ?? 0;
  }

  setGroupFilter(isHosted: (groupId: GroupId) => boolean): void {
    this.isHosted = isHosted;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** A frame arrived from `from`: deliver what this node hosts, bounce the rest. */
  receive(from: NodeId, frame: readonly GroupMessage[]): void {
    if (this.closed) return;
    const hosted = frame.filter((m) => this.isHosted(m.groupId));
    const foreign = frame.filter((m) => !this.isHosted(m.groupId));
    if (hosted.length > 0) this.guard(() => this.wiring.onMessages(from, hosted));
    if (foreign.length > 0)
      this.network.send(
        this.self,
        from,
        () => this.directory.inbound(from)?.bounced(this.self, foreign),
        false,
      );
  }

  /** Our frame to `peer` named groups it does not host. */
  bounced(peer: NodeId, messages: readonly GroupMessage[]): void {
    if (!this.closed) this.reportUnreachable(peer, messages);
  }

  private reportUnreachable(peer: NodeId, messages: readonly GroupMessage[]): void {
    const groupIds = [...new Set(messages.map((m) => m.groupId))];
    this.clock.soon(() => {
      if (!this.closed) this.guard(() => this.wiring.onUnreachable(peer, groupIds));
    });
  }

  /** As PeerTransport: a throwing callback is the node's own bug and fatal. */
  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.closed = true;
      this.wiring.onFatal(error);
    }
  }
}
