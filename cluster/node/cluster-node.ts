import type { Logger } from 'pino';
import type { GroupId, NodeId, SeedSource } from '../../lib/index.js';
import {
  clearRejoining,
  PartitionStore,
  RaftLogStore,
  type EntryFiles,
  type KvStore,
} from '../../storage/index.js';
import {
  nodeLogicalVersion,
  type ControllerOutput,
  type TopicConfig,
  type TopicConfigInput,
} from '../controller/index.js';
import { ActiveVersionDuty } from './active-version-duty.js';
import { resolveHostConfig, MultiRaftHost, type HostConfig, type RaftEventCounts } from '../host/index.js';
import type { NodeTransport, TransportFactory } from '../transport/index.js';
import { ControllerClient } from './controller-client.js';
import { controllerGroup, ControllerReplica } from './controller-replica.js';
import { DataPath } from './data-path.js';
import { initProducer } from './init-producer.js';
import { LeadershipMoves } from './leadership-moves.js';
import type {
  ClusterStatusView,
  CreateTopicInput,
  TopicCreateOutcome,
  FetchInput,
  FetchOutcome,
  InitProducerInput,
  ListOffsetInput,
  MetadataView,
  NodeApi,
  ProduceInput,
  ProduceOutcome,
  PartitionMoveView,
  SecurityApi,
  TopicView,
  TransferInput,
} from './node-api.js';
import type { PartitionLimits } from '../partition/index.js';
import { PartitionRouter } from './partition-router.js';
import type { PeerCalls } from './peer-clients.js';
import { LeaderData } from './leader-data.js';
import { NodeDuties } from './node-duties.js';
import { createNodeGroups, type NodeGroups } from './node-groups.js';
import { NodeLifecycle } from './node-lifecycle.js';
import { NodeStatus } from './node-status.js';
import { VoteGate, type VoteGateState } from './vote-gate.js';
import { partitionGauges, reachesControllerQuorum, type PartitionGauges } from './node-gauges.js';
import type { NodeClock } from './node-clock.js';
import type { QueueApi } from './queue-api.js';
import { QueueService } from './queue-service.js';
import { queueSettingsOf } from './queue-settings.js';
import { assignedHere, Reconciler } from './reconciler.js';
import type { TransactionsApi } from './txn-api.js';
import { checkTxnBatch } from './txn-produce-guard.js';
import { TopicAdmin } from './topic-admin.js';
import { wireTransactions } from './txn-wiring.js';
import { MembershipAdmin } from './membership-admin.js';
import { MembershipDuties } from './membership-duties.js';
import { PeerDirectory } from './peer-directory.js';

export interface ClusterNodeOptions<T extends NodeTransport = NodeTransport> {
  readonly nodeId: NodeId;
  readonly clusterId: string;
  /** The address clients are told to use. */
  readonly advertise: string;
  /** The address other nodes dial for this node's peer listener, registered with the controller. */
  readonly peerAdvertise: string;
  /**
   * Seeds, this node usually included: id → its peer-listener address, which this node dials. A new
   * cluster's controller starts with these as voters; nodes registered later are learned from the
   * controller (their registered peer address).
   */
  readonly peers: ReadonlyMap<NodeId, string>;
  /**
   * The formed controller does not count this node (it was added later): start the controller group
   * empty and wait to be added, learner first, from a snapshot. Always so when `peers` lacks this node.
   * A wiped initial voter keeps the bootstrap configuration instead, as the log from index 1 assumes.
   */
  readonly joinExisting?: boolean;
  /** The controller says this node was decommissioned. */
  readonly onRemoved?: () => void;
  readonly tickMs: number;
  readonly electionTimeoutTicks: number;
  readonly heartbeatIntervalTicks: number;
  readonly host?: Partial<HostConfig>;
  /** Limits of partitions this node creates (a replica restored from a snapshot keeps the snapshot's). */
  readonly partitionLimits?: Partial<PartitionLimits>;
  /** Builds the peer transport (gRPC PeerTransport in production, wired by src/server). */
  readonly transport: TransportFactory<T>;
  /** Calls to other nodes' services (gRPC PeerClients in production); closed when the node stops. */
  readonly peerCalls: PeerCalls;
  /** Seeds of every Raft group's election jitter (random in production). */
  readonly seeds: SeedSource;
  readonly kv: KvStore;
  /** Where Raft entries keep data of more than a few KiB; without, all of it stays in `kv`. */
  readonly entryFiles?: EntryFiles;
  readonly logger: Logger;
  /** The node can no longer persist: the process should exit. */
  readonly onFatal: (error: unknown) => void;
  /** The data directory was empty in a formed cluster: vote in no group before catching up (vote-gate.ts). */
  readonly catchUpBeforeVoting?: boolean;
  /** Record bytes per request while filling a gap left by a snapshot install. */
  readonly gapFillBytesMax?: number;
  /** Time for the node's transaction coordinator and its waits. */
  readonly clock: NodeClock;
  /** Transactional ids idle this long with no open transaction are forgotten (default 7 days). */
  readonly transactionalIdExpirationMs?: number;
  /**
   * The logical version this node announces and reads up to: this build's (nodeLogicalVersion)
   * unless a test plays an older or newer build.
   */
  readonly logicalVersion?: number;
}

const gapFillBytesMaxDefault = 4 * 1024 * 1024;

/**
 * One raftlog node: the controller replica, the partition replicas assigned to it, and their host.
 * Composes the pieces that do the work, each with one duty: the router (which replica serves a
 * partition), the data path, the controller client, topic admin, leadership moves, the reconciler,
 * the status views and the lifecycle.
 */
export class ClusterNode<T extends NodeTransport = NodeTransport> implements NodeApi {
  readonly nodeId: NodeId;
  readonly clusterId: string;
  readonly transport: T;
  readonly groups: NodeGroups;
  readonly transactions: TransactionsApi;
  readonly queues: QueueApi;
  readonly security: SecurityApi;
  private readonly host: MultiRaftHost;
  private readonly controller: ControllerReplica;
  private readonly logs: RaftLogStore;
  private readonly store: PartitionStore;
  private readonly peerClients: PeerCalls;
  private readonly voteGate: VoteGate;
  private readonly peerDirectory: PeerDirectory;
  private readonly router: PartitionRouter;
  private readonly controllerClient: ControllerClient;
  private readonly dataPath: DataPath;
  private readonly admin: TopicAdmin;
  private readonly membership: MembershipAdmin;
  private readonly leadership: LeadershipMoves;
  private readonly status: NodeStatus;
  private readonly lifecycle: NodeLifecycle;
  private removed = false;

  constructor(private readonly options: ClusterNodeOptions<T>) {
    this.nodeId = options.nodeId;
    this.clusterId = options.clusterId;
    const files = options.entryFiles;
    this.logs = new RaftLogStore(options.kv, files === undefined ? {} : { files });
    this.store = new PartitionStore(options.kv, {
      archive: this.logs,
      ...(files === undefined ? {} : { entryFiles: files }),
      // Recent batches are read from the Raft log's memory instead of RocksDB.
      appliedBytes: (group, index, start, end) =>
        this.host.appliedEntryBytes(group as GroupId, index, start, end),
    });
    this.peerClients = options.peerCalls;
    this.controller = new ControllerReplica(options.logicalVersion ?? nodeLogicalVersion);
    const logger = options.logger;
    const clock = options.clock;
    this.peerDirectory = new PeerDirectory(options.peers, (id) => this.host.addPeer(id));
    const peers = this.peerDirectory.addresses;
    this.transport = options.transport({
      peers,
      onMessages: (from, messages) => this.host.deliver(from, this.voteGate.inbound(messages)),
      onUnreachable: (peer, groups) => this.host.reportUnreachable(peer, groups),
      onPeerRefused: (peer) => this.host.peerRefused(peer),
      onFatal: (error) => this.host.fail(error),
      logicalVersion: this.controller.logicalVersion,
    });
    const config: HostConfig = resolveHostConfig(
      {
        nodeId: options.nodeId,
        tickMs: options.tickMs,
        electionTimeoutTicks: options.electionTimeoutTicks,
        heartbeatIntervalTicks: options.heartbeatIntervalTicks,
      },
      { ...options.host, frameBytesMax: this.transport.frameBytesMax },
    );
    this.host = new MultiRaftHost(
      config,
      options.kv,
      this.logs,
      {
        send: (to, messages) => this.transport.send(to, this.voteGate.outbound(messages)),
        connectedPeers: () => this.transport.connectedPeers(),
      },
      logger,
      [...options.peers.keys()].filter((id) => id !== options.nodeId),
      options.clock,
      options.seeds,
    );
    this.host.onFatal(options.onFatal);
    const host = this.host;
    const controller = this.controller;
    const controllerGroupOf = (): ReturnType<MultiRaftHost['group']> => host.group(controllerGroup);
    const isAlive = (id: NodeId): boolean => host.isAlive(id);
    this.voteGate = new VoteGate(options.catchUpBeforeVoting === true, {
      nodeId: options.nodeId,
      controllerGroup,
      group: (id) => host.group(id),
      controllerApplied: () => controller.state,
      assigned: () => assignedHere(controller.state, options.nodeId) as Set<GroupId>,
      caughtUpEverywhere: () => clearRejoining(options.kv),
      logger,
    });
    const router = new PartitionRouter({
      nodeId: options.nodeId,
      advertise: options.advertise,
      peers: options.peers,
      controller,
      isAlive,
      removed: () => this.removed,
    });
    this.router = router;
    this.controllerClient = new ControllerClient({
      controller,
      controllerGroup: controllerGroupOf,
      peerAddress: (id) => peers.get(id),
      clientAddress: (id) => router.addressOf(id),
      peerClients: this.peerClients,
      clock,
    });
    const propose = (command: Parameters<ControllerClient['propose']>[0]): Promise<ControllerOutput> =>
      this.controllerClient.propose(command);
    this.security = { state: () => controller.state.security, propose };
    const leaderData = new LeaderData({
      nodeId: options.nodeId,
      peers,
      peerClients: this.peerClients,
      controller,
      leaderOf: (id) => router.local.get(id)?.group.leader ?? 0,
      bytesMax: options.gapFillBytesMax ?? gapFillBytesMaxDefault,
    });
    this.groups = createNodeGroups({
      state: () => controller.state,
      controllerGroup: controllerGroupOf,
      addressOf: (id) => router.addressOf(id),
      propose,
      broker: (address) => this.peerClients.broker(address),
      now: () => clock.now(),
      logger,
    });
    const txn = wireTransactions({
      nodeId: options.nodeId,
      clock,
      logger,
      controller,
      controllerGroup: controllerGroupOf,
      propose,
      peers,
      peerClients: this.peerClients,
      partitions: router.local,
      leaderOf: (topic, partition) => router.leaderOf(topic, partition),
      ...(options.transactionalIdExpirationMs === undefined
        ? {}
        : { transactionalIdExpirationMs: options.transactionalIdExpirationMs }),
    });
    this.transactions = txn.service;
    this.queues = new QueueService({
      leaderOf: (topic, partition) => router.leaderOf(topic, partition),
      ledPartitions: (topic) => router.ledPartitions(topic),
      partitionCount: (topic) => router.topicInfo(topic).partitions.length,
      settings: (topic) => queueSettingsOf(router.topicInfo(topic).config),
      store: this.store,
      clock,
      checkTransaction: (claim) => checkTxnBatch(txn.catchUp, claim),
    });
    this.dataPath = new DataPath({
      router,
      store: this.store,
      clock,
      isAlive,
      proposalBytesMax: () => host.proposalBytesMax,
      txnCatchUp: txn.catchUp,
    });
    this.admin = new TopicAdmin({ controller, router, propose, peers: options.peers, clock });
    this.membership = new MembershipAdmin({
      nodeId: options.nodeId,
      controller,
      controllerGroup: controllerGroupOf,
      isAlive,
      proposeController: propose,
    });
    this.leadership = new LeadershipMoves({
      nodeId: options.nodeId,
      host,
      router,
      clock,
      tickMs: options.tickMs,
      electionTimeoutTicks: options.electionTimeoutTicks,
    });
    this.status = new NodeStatus({
      nodeId: options.nodeId,
      clusterId: options.clusterId,
      controller,
      host,
      router,
      peerVersions: () => this.transport.peerVersions(),
    });
    const reconciler = new Reconciler({
      nodeId: options.nodeId,
      kv: options.kv,
      store: this.store,
      logs: this.logs,
      host,
      controller,
      router,
      leaderData,
      voteGate: this.voteGate,
      clock,
      logger,
      tickMs: options.tickMs,
      partitionLimits: options.partitionLimits,
    });
    const duties = new NodeDuties({
      nodeId: options.nodeId,
      advertise: options.advertise,
      peerAdvertise: options.peerAdvertise,
      host,
      controller,
      partitions: router.local,
      store: this.store,
      collectEntryFiles: () => this.logs.collectEntryFiles(),
      connectedPeers: () => this.transport.connectedPeers(),
      proposeController: propose,
      groupSessions: () => this.groups.expireSessions(),
      membership: new MembershipDuties({
        nodeId: options.nodeId,
        advertise: options.advertise,
        peerAdvertise: options.peerAdvertise,
        host,
        controller,
        peers: this.peerDirectory,
        peerClients: this.peerClients,
        proposeController: propose,
        onRemoved: () => this.markRemoved(),
        logger,
      }),
      activeVersion: new ActiveVersionDuty({
        nodeId: options.nodeId,
        controller,
        controllerGroup: controllerGroupOf,
        peerVersions: () => this.transport.peerVersions(),
        proposeController: propose,
        logger,
      }),
      clock,
      logger,
    });
    this.lifecycle = new NodeLifecycle({
      nodeId: options.nodeId,
      peers: options.peers,
      joinExisting: options.joinExisting === true,
      host,
      transport: this.transport,
      peerClients: this.peerClients,
      controller,
      controllerClient: this.controllerClient,
      router,
      reconciler,
      duties,
      txnCoordinator: txn.coordinator,
      leadership: this.leadership,
      voteGate: this.voteGate,
      clock,
    });
    controller.onChange(() => reconciler.soon());
    controller.onApplied((index) => reconciler.appliedTo(index));
    controller.onChange(() => txn.coordinator.kick());
    controller.onChange(() => this.followMembership());
  }

  start(): Promise<void> {
    return this.lifecycle.start();
  }

  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  /** Moves this node's leaderships to caught-up followers before a stop (leadership-moves.ts). */
  handOffLeadership(): Promise<void> {
    return this.leadership.handOff();
  }

  // ---- data path ----

  produce(input: ProduceInput): Promise<ProduceOutcome> {
    return this.dataPath.produce(input);
  }

  fetch(input: FetchInput): Promise<FetchOutcome> {
    return this.dataPath.fetch(input);
  }

  readonly waitForData: NodeApi['waitForData'] = (...args) => this.dataPath.waitForData(...args);

  listOffset(input: ListOffsetInput): Promise<{ offset: number; timestampMs: number }> {
    return this.dataPath.listOffset(input);
  }

  initProducer(input: InitProducerInput): Promise<{ producerId: number; epoch: number }> {
    return initProducer(input, (command) => this.controllerClient.propose(command), this.transactions);
  }

  // ---- views ----

  metadata(topics: readonly string[]): MetadataView {
    return this.status.metadata(topics);
  }

  listTopics(): readonly TopicView[] {
    return this.status.listTopics();
  }

  describeTopic(name: string): TopicView {
    return this.status.describeTopic(name);
  }

  clusterStatus(options: { omitPartitions: boolean }): ClusterStatusView {
    return this.status.clusterStatus(options);
  }

  /** The local replicas' gauges for a metrics exporter (node-gauges.ts), at most `partitionsMax`. */
  partitionGauges(partitionsMax: number): PartitionGauges[] {
    return partitionGauges(this.controller.state, this.router.local, this.store, partitionsMax);
  }

  /** Elections, leader changes and snapshots on this node so far. */
  get raftEvents(): RaftEventCounts {
    return this.host.events;
  }

  /** Whether this node still catches up before voting, and in how many groups (metrics). */
  get voteGateState(): VoteGateState {
    return this.voteGate.state();
  }

  /** False while this node hears from no majority of the controller's voters (readiness). */
  reachesControllerQuorum(): boolean {
    return reachesControllerQuorum(this.nodeId, this.host.group(controllerGroup), (peer) =>
      this.host.isAlive(peer),
    );
  }

  // ---- admin ----

  createTopic(input: CreateTopicInput): Promise<TopicView> {
    return this.admin.createTopic(input);
  }

  createTopics(inputs: readonly CreateTopicInput[], validateOnly: boolean): Promise<TopicCreateOutcome[]> {
    return this.admin.createTopics(inputs, validateOnly);
  }

  deleteTopic(name: string): Promise<void> {
    return this.admin.deleteTopic(name);
  }

  updateTopicConfig(name: string, config: TopicConfigInput): Promise<TopicConfig> {
    return this.admin.updateTopicConfig(name, config);
  }

  createPartitions(name: string, partitions: number): Promise<void> {
    return this.admin.createPartitions(name, partitions);
  }

  transferLeadership(input: TransferInput): Promise<{ leaderId: NodeId; term: number }> {
    return this.leadership.transfer(input);
  }

  addReplica(topic: string, partition: number, nodeId: NodeId): Promise<void> {
    return this.admin.addReplica(topic, partition, nodeId);
  }

  removeReplica(topic: string, partition: number, nodeId: NodeId): Promise<void> {
    return this.admin.removeReplica(topic, partition, nodeId);
  }

  completeReassignment(topic: string, partition: number, replicas: readonly NodeId[]): Promise<void> {
    return this.admin.completeReassignment(topic, partition, replicas);
  }

  registerNode(nodeId: NodeId, address: string, peerAddress?: string): Promise<void> {
    return this.admin.registerNode(nodeId, address, peerAddress);
  }

  removeNode(nodeId: NodeId): Promise<{ replicasLeft: number }> {
    return this.membership.removeNode(nodeId);
  }

  reassignPartition(topic: string, partition: number, replicas: readonly NodeId[]): Promise<void> {
    return this.membership.reassignPartition(topic, partition, replicas);
  }

  rebalancePartitions(input: { dryRun: boolean; movesMax: number }): Promise<readonly PartitionMoveView[]> {
    return this.membership.rebalancePartitions(input);
  }

  /** On the controller leader: proposes a command another node forwarded (PeerService). */
  answerForwardedControllerCommand(entry: Uint8Array): ReturnType<ControllerClient['answerForwarded']> {
    return this.controllerClient.answerForwarded(entry);
  }

  /** Learns the addresses of registered nodes, and notices this node's own removal. */
  private followMembership(): void {
    this.peerDirectory.learnFrom(this.controller.state);
    if (this.controller.state.nodes.get(this.nodeId)?.membership === 'removed') this.markRemoved();
  }

  private markRemoved(): void {
    if (this.removed) return;
    this.removed = true;
    this.options.logger.warn(
      'this node was decommissioned: it serves no data and never rejoins; stop it and delete its data directory',
    );
    this.options.onRemoved?.();
  }
}
