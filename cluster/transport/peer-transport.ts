import type { GroupId, NodeId } from '../../lib/index.js';
import type { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import type { ServiceImpl } from '../../rpc/index.js';
import { resolveLimits, type TransportLimits } from './limits.js';
import { PeerLink } from './peer-link.js';
import { peerServiceHandlers } from './peer-service.js';
import {
  emptyTransportStats,
  type GroupMessage,
  type NodeTransport,
  type PeerTransportOptions,
  type TransportStats,
} from './types.js';

/**
 * Raft messages of many groups between nodes: one outbound stream per peer (opened on first send,
 * redialled until closed), bounded queues that drop and report rather than grow, and the PeerService
 * handlers for the inbound side. Callbacks never run inside `send`.
 */
export class PeerTransport implements NodeTransport {
  private readonly limits: TransportLimits;
  private readonly links = new Map<NodeId, PeerLink>();
  private isHosted: (groupId: GroupId) => boolean = () => true;
  private readonly counters = emptyTransportStats();
  private failed = false;
  private closed = false;

  constructor(private readonly options: PeerTransportOptions) {
    this.limits = resolveLimits(options.limits);
  }

  /** Queues messages for a peer; what one turn sends to one peer leaves in as few frames as fit. */
  send(to: NodeId, messages: readonly GroupMessage[]): void {
    if (this.closed || messages.length === 0) return;
    const link = this.linkTo(to);
    if (link !== undefined) {
      link.send(messages);
      return;
    }
    this.options.logger.warn({ peer: to }, 'no address for peer, messages dropped');
    const groupIds = [...new Set(messages.map((m) => m.groupId))];
    this.options.clock.soon(() =>
      this.guard('onUnreachable', () => this.options.onUnreachable(to, groupIds)),
    );
  }

  /** Handlers to register with implementService(server, PeerService, handlers, ...). */
  /** `requireNodeCertificate`: the peer listener runs mutual TLS (see peer-service.ts). */
  serviceHandlers(requireNodeCertificate = false): ServiceImpl<typeof PeerService> {
    const { nodeId, clusterId, logger } = this.options;
    return peerServiceHandlers({
      requireNodeCertificate,
      self: { nodeId, clusterId, logicalVersion: this.logicalVersion },
      limits: this.limits,
      logger,
      deliver: (from, messages) => this.guard('onMessages', () => this.options.onMessages(from, messages)),
      isHosted: (groupId) => this.isHosted(groupId),
      stats: this.counters,
    });
  }

  /** No message sent may be larger: the host derives its budgets from it. */
  get frameBytesMax(): number {
    return this.limits.frameBytesMax;
  }

  connectedPeers(): ReadonlySet<NodeId> {
    const peers = new Set<NodeId>();
    for (const [peer, link] of this.links) if (link.connected) peers.add(peer);
    return peers;
  }

  peerVersions(): ReadonlyMap<NodeId, number> {
    const versions = new Map<NodeId, number>();
    for (const [peer, link] of this.links) if (link.connected) versions.set(peer, link.peerLogicalVersion);
    return versions;
  }

  private get logicalVersion(): number {
    return this.options.logicalVersion ?? 0;
  }

  /** Inbound messages for groups outside the filter are answered as unknown instead of delivered. */
  setGroupFilter(isHosted: (groupId: GroupId) => boolean): void {
    this.isHosted = isHosted;
  }

  /** What peers sent that was dropped (for metrics and tests). */
  stats(): Readonly<TransportStats> {
    return { ...this.counters };
  }

  /** Bytes queued for a peer and not yet written (for metrics and tests). */
  queuedBytes(peer: NodeId): number {
    return this.links.get(peer)?.queuedBytes ?? 0;
  }

  close(): Promise<void> {
    this.closed = true;
    for (const link of this.links.values()) link.close();
    this.links.clear();
    return Promise.resolve();
  }

  private linkTo(peer: NodeId): PeerLink | undefined {
    const existing = this.links.get(peer);
    if (existing !== undefined) return existing;
    const address = this.options.peers.get(peer);
    if (address === undefined || peer === this.options.nodeId) return undefined;
    const { nodeId, clusterId, advertiseAddress, logger, clock, random } = this.options;
    const link = new PeerLink({
      self: { nodeId, clusterId, logicalVersion: this.logicalVersion },
      advertiseAddress,
      peer,
      address,
      limits: this.limits,
      logger,
      clock,
      random,
      onUnreachable: (p, groupIds) =>
        this.guard('onUnreachable', () => this.options.onUnreachable(p, groupIds)),
      onPeerRefused: (p) => this.guard('onPeerRefused', () => this.options.onPeerRefused(p)),
    });
    this.links.set(peer, link);
    return link;
  }

  /**
   * A throwing callback is this node's bug (peer input never gets this far unchecked): report it as
   * fatal once instead of carrying on, and deliver nothing more.
   */
  private guard(callback: string, run: () => void): void {
    if (this.failed) return;
    try {
      run();
    } catch (error) {
      this.failed = true;
      this.options.logger.fatal(
        { err: error, callback },
        'peer transport callback threw; the node must stop',
      );
      this.options.onFatal(error);
    }
  }
}
