import type { Logger } from 'pino';
import {
  AssertionError,
  CorruptionError,
  RaftlogError,
  type GroupId,
  type NodeId,
  type PartitionId,
} from '../../lib/index.js';
import type { ConfState, RaftStatus } from '../../raft/index.js';
import { PartitionStore, RaftLogStore, StorageBatch, type KvStore } from '../../storage/index.js';
import {
  applyControllerCommand,
  controllerGroupIdValue,
  decodeControllerEntry,
  type ControllerOutput,
  encodeControllerEntry,
  reconcile,
  type ControllerCommand,
  type ControllerResult,
  type ControllerState,
  type PartitionAssignment,
  type TopicConfig,
  type TopicConfigInput,
} from '../controller/index.js';
import {
  resolveHostConfig,
  keepaliveGroupId,
  MultiRaftHost,
  type HostConfig,
  type RaftEventCounts,
  type RaftGroup,
} from '../host/index.js';
import { frameBytesMaxFor, PeerTransport, type TransportLimits } from '../transport/index.js';
import type { CallHeaders } from '../rpc/index.js';
import { forEachBounded } from './bounded-parallel.js';
import { ControllerReplica } from './controller-replica.js';
import type {
  ClusterStatusView,
  CreateTopicInput,
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
import {
  fetchLocal,
  listOffsetLocal,
  notLeader,
  produceLocal,
  proposalBatchBytesMax,
  waitLocal,
  type LocalPartition,
} from './partition-ops.js';
import type { PartitionLimits } from '../partition/index.js';
import { PartitionReplica } from './partition-replica.js';
import { PeerClients } from './peer-clients.js';
import { LeaderData } from './leader-data.js';
import { NodeDuties } from './node-duties.js';
import { createNodeGroups, type NodeGroups } from './node-groups.js';
import { VoteGate } from './vote-gate.js';
import { within } from './within.js';
import { brokerViews, topicView } from './views.js';
import { checkMinInSync } from './min-in-sync.js';
import { partitionGauges, reachesControllerQuorum, type PartitionGauges } from './node-gauges.js';
import type { NodeClock } from './node-clock.js';
import type { QueueApi } from './queue-api.js';
import { QueueService } from './queue-service.js';
import { queueSettingsOf } from './queue-settings.js';
import type { TransactionsApi } from './txn-api.js';
import type { TxnCoordinator } from './txn-coordinator.js';
import { checkTxnBatch, transactionalClaim } from './txn-produce-guard.js';
import { wireTransactions } from './txn-wiring.js';
import type { CatchUpContext } from './controller-wait.js';
import { MembershipAdmin } from './membership-admin.js';
import { MembershipDuties } from './membership-duties.js';
import { PeerDirectory } from './peer-directory.js';

export interface ClusterNodeOptions {
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
  /** gRPC's message size limit on every node's server: the transport's frames are sized to fit it. */
  readonly messageBytesMax?: number;
  readonly transport?: Partial<TransportLimits>;
  readonly kv: KvStore;
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
  /** Credentials for this node's own calls to other nodes' Broker and Admin services (auth on). */
  readonly clientCallHeaders?: CallHeaders;
}

const controllerGroup = controllerGroupIdValue as GroupId;
const controllerTimeoutMs = 10_000;
const replicationFactorDefault = 3;
/** About when the other replicas of a new group have applied its creation too. */
const freshCampaignRetryTicks = 4;
/** Kafka's transaction.timeout.ms default. */
const transactionTimeoutMsDefault = 60_000;
const dutiesIntervalMs = 500;
const gapFillBytesMaxDefault = 4 * 1024 * 1024;
/** Partition groups loaded at once when many start together (after a restart); see reconcileNow. */
const groupLoadParallel = 32;
/** How long a stopping node waits for its leaderships to move. */
const handOffMsMax = 3_000;

/** One raftlog node: the controller replica, the partition replicas assigned to it, and their host. */
export class ClusterNode implements NodeApi {
  readonly nodeId: NodeId;
  readonly clusterId: string;
  readonly transport: PeerTransport;
  readonly groups: NodeGroups;
  private readonly host: MultiRaftHost;
  private readonly controller = new ControllerReplica();
  private readonly partitions = new Map<number, LocalPartition>();
  private readonly logs: RaftLogStore;
  private readonly store: PartitionStore;
  private readonly peerClients: PeerClients;
  private readonly duties: NodeDuties;
  private readonly leaderData: LeaderData;
  private readonly voteGate: VoteGate;
  readonly transactions: TransactionsApi;
  readonly queues: QueueApi;
  readonly security: SecurityApi = {
    state: () => this.controller.state.security,
    propose: (command) => this.proposeController(command),
  };
  private readonly txnCoordinator: TxnCoordinator;
  private readonly txnCatchUp: CatchUpContext;
  private readonly peerDirectory: PeerDirectory;
  private readonly membership: MembershipAdmin;
  private removed = false;
  private reconciling: Promise<void> = Promise.resolve();
  private dutiesTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private reconcileFromIndex = 0;
  private orphansRemovedAtIndex = -1;

  constructor(private readonly options: ClusterNodeOptions) {
    this.nodeId = options.nodeId;
    this.clusterId = options.clusterId;
    this.logs = new RaftLogStore(options.kv);
    this.store = new PartitionStore(options.kv);
    this.peerClients = new PeerClients(options.clientCallHeaders);
    const logger = options.logger;
    this.peerDirectory = new PeerDirectory(options.peers, (id) => this.host.addPeer(id));
    const peers = this.peerDirectory.addresses;
    this.transport = new PeerTransport({
      nodeId: options.nodeId,
      clusterId: options.clusterId,
      advertiseAddress: options.peerAdvertise,
      peers,
      onMessages: (from, messages) => this.host.deliver(from, this.voteGate.inbound(messages)),
      onUnreachable: (peer, groups) => this.host.reportUnreachable(peer, groups),
      onPeerRefused: (peer) => this.host.peerRefused(peer),
      onFatal: (error) => this.host.fail(error),
      logger,
      limits: {
        ...(options.messageBytesMax === undefined
          ? {}
          : {
              grpcMessageBytesMax: options.messageBytesMax,
              frameBytesMax: frameBytesMaxFor(options.messageBytesMax),
            }),
        ...options.transport,
      },
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
    );
    this.host.onFatal(options.onFatal);
    this.voteGate = new VoteGate(options.catchUpBeforeVoting === true, {
      nodeId: options.nodeId,
      controllerGroup,
      group: (id) => this.host.group(id),
      controllerApplied: () => this.controller.state,
      logger,
    });
    this.leaderData = new LeaderData({
      nodeId: options.nodeId,
      peers,
      peerClients: this.peerClients,
      controller: this.controller,
      leaderOf: (id) => this.partitions.get(id)?.group.leader ?? 0,
      bytesMax: options.gapFillBytesMax ?? gapFillBytesMaxDefault,
    });
    this.groups = createNodeGroups({
      state: () => this.controller.state,
      controllerGroup: () => this.host.group(controllerGroup),
      addressOf: (id) => this.addressOf(id),
      propose: (command) => this.proposeController(command),
      broker: (address) => this.peerClients.broker(address),
      now: () => options.clock.now(),
      logger,
    });
    const txn = wireTransactions({
      nodeId: options.nodeId,
      clock: options.clock,
      logger,
      controller: this.controller,
      controllerGroup: () => this.host.group(controllerGroup),
      propose: (command) => this.proposeController(command),
      peers,
      peerClients: this.peerClients,
      partitions: this.partitions,
      leaderOf: (topic, partition) => this.leaderOf(topic, partition),
      ...(options.transactionalIdExpirationMs === undefined
        ? {}
        : { transactionalIdExpirationMs: options.transactionalIdExpirationMs }),
    });
    this.transactions = txn.service;
    this.txnCoordinator = txn.coordinator;
    this.txnCatchUp = txn.catchUp;
    this.queues = new QueueService({
      leaderOf: (topic, partition) => this.leaderOf(topic, partition),
      ledPartitions: (topic) => this.ledPartitions(topic),
      settings: (topic) => queueSettingsOf(this.topicInfo(topic).config),
      store: this.store,
      clock: options.clock,
      checkTransaction: (claim) => checkTxnBatch(this.txnCatchUp, claim),
    });
    this.duties = new NodeDuties({
      nodeId: options.nodeId,
      advertise: options.advertise,
      peerAdvertise: options.peerAdvertise,
      host: this.host,
      controller: this.controller,
      partitions: this.partitions,
      store: this.store,
      connectedPeers: () => this.transport.connectedPeers(),
      proposeController: (command) => this.proposeController(command),
      groupSessions: () => this.groups.expireSessions(),
      membership: new MembershipDuties({
        nodeId: options.nodeId,
        advertise: options.advertise,
        peerAdvertise: options.peerAdvertise,
        host: this.host,
        controller: this.controller,
        peers: this.peerDirectory,
        peerClients: this.peerClients,
        proposeController: (command) => this.proposeController(command),
        onRemoved: () => this.markRemoved(),
        logger,
      }),
      clock: options.clock,
      logger,
    });
    this.membership = new MembershipAdmin({
      nodeId: options.nodeId,
      controller: this.controller,
      controllerGroup: () => this.host.group(controllerGroup),
      isAlive: (id) => this.host.isAlive(id),
      proposeController: (command) => this.proposeController(command),
    });
  }

  async start(): Promise<void> {
    const voters = [...this.options.peers.keys()].sort((a, b) => a - b);
    const forming = this.options.joinExisting !== true && voters.includes(this.nodeId);
    this.controller.onChange(() => this.reconcileSoon());
    this.controller.onChange(() => this.txnCoordinator.kick());
    this.controller.onChange(() => this.followMembership());
    // A joining node's controller replica starts empty: the leader adds it as a learner and sends it
    // a snapshot, so it never holds a configuration of its own making.
    const bootstrap = forming ? { confState: confOf(voters) } : undefined;
    const group = await this.host.addGroup(controllerGroup, this.controller, bootstrap);
    this.reconcileFromIndex = group.storage.initialState().hardState.commit;
    this.transport.setGroupFilter((id) => id === keepaliveGroupId || this.host.group(id) !== undefined);
    this.host.start();
    if (
      forming &&
      group.raw.status().term === 0 &&
      voters[0] === this.nodeId &&
      this.voteGate.mayCampaign(controllerGroup)
    )
      this.host.campaign(controllerGroup);
    // A round starts only when the previous one ended, so slow duties never pile up.
    const round = (): void => {
      if (this.stopping) return;
      this.voteGate.recheck([controllerGroup, ...(this.partitions.keys() as Iterable<GroupId>)]);
      void this.duties.run().finally(() => {
        if (!this.stopping) this.dutiesTimer = setTimeout(round, dutiesIntervalMs);
      });
    };
    this.dutiesTimer = setTimeout(round, dutiesIntervalMs);
    this.txnCoordinator.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.dutiesTimer) clearTimeout(this.dutiesTimer);
    await this.duties.stop();
    await this.txnCoordinator.stop();
    await this.reconciling;
    await this.handOffLeadership();
    for (const p of this.partitions.values()) p.replica.close();
    await this.host.stop();
    await this.transport.close();
    this.peerClients.close();
  }

  /**
   * Before stopping, asks a caught-up follower of every group this node leads to take over, so a
   * rolling restart never leaves a partition without a leader for an election timeout. The process
   * calls it while it still serves, so writers get NOT_LEADER and move at once instead of finding
   * a closed port while this node still leads.
   */
  async handOffLeadership(): Promise<void> {
    const deadline = Date.now() + handOffMsMax;
    const led = (): RaftGroup[] =>
      this.host.allGroups().filter((g) => g.isLeader() && g.confState.voters.length > 1);
    for (const g of led()) {
      const to = bestFollower(g.raw.status());
      if (to !== undefined) g.raw.transferLeader(to);
    }
    this.host.schedule();
    while (led().length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, this.options.tickMs));
  }

  // ---- data path ----

  async produce(input: ProduceInput): Promise<ProduceOutcome> {
    let local = this.leaderOf(input.topic, input.partition);
    const { maxMessageBytes, minInsyncReplicas, cleanupPolicy } = this.topicInfo(input.topic).config;
    const verified = await this.checkTransactional(input);
    // The check may have waited for the controller: leadership may have moved meanwhile.
    if (verified) local = this.leaderOf(input.topic, input.partition);
    checkMinInSync(local, input, minInsyncReplicas, (id) => this.host.isAlive(id));
    return produceLocal(local, input, {
      maxMessageBytes,
      proposalBatchBytesMax: proposalBatchBytesMax(this.host.proposalBytesMax),
      transactionVerified: verified,
      keysRequired: cleanupPolicy !== 'delete',
    });
  }

  /** A transactional batch goes in only while the controller shows its transaction open here. */
  private async checkTransactional(input: ProduceInput): Promise<boolean> {
    const claim = transactionalClaim(input);
    if (claim === undefined) return false;
    await checkTxnBatch(this.txnCatchUp, claim);
    return true;
  }

  fetch(input: FetchInput): Promise<FetchOutcome> {
    const local =
      input.replicaRead === true
        ? this.replicaOf(input.topic, input.partition)
        : this.leaderOf(input.topic, input.partition);
    return fetchLocal(this.store, local, input);
  }

  waitForData(
    topic: string,
    partition: number,
    offset: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    return waitLocal(this.leaderOf(topic, partition), offset, timeoutMs, signal);
  }

  listOffset(input: ListOffsetInput): Promise<{ offset: number; timestampMs: number }> {
    return listOffsetLocal(this.store, this.leaderOf(input.topic, input.partition), input);
  }

  metadata(topics: readonly string[]): MetadataView {
    const state = this.controller.state;
    const names = topics.length > 0 ? topics : [...state.topics.keys()].sort();
    return {
      clusterId: this.clusterId,
      brokers: this.brokers(),
      controllerId: this.host.group(controllerGroup)?.leader ?? 0,
      topics: names.map((name) => {
        const t = state.topics.get(name);
        return t === undefined ? { name, missing: true as const } : this.topicView(name);
      }),
    };
  }

  async initProducer(input: InitProducerInput): Promise<{ producerId: number; epoch: number }> {
    if (input.transactionalId === '') {
      const output = await this.proposeController({ type: 'allocate-producer-ids', count: 1 });
      if (output.type !== 'producer-ids')
        throw new RaftlogError('INTERNAL', `unexpected output ${output.type}`);
      return { producerId: output.firstProducerId, epoch: 0 };
    }
    return this.transactions.initProducer(
      input.transactionalId,
      input.transactionTimeoutMs > 0 ? input.transactionTimeoutMs : transactionTimeoutMsDefault,
    );
  }

  // ---- admin ----

  async createTopic(input: CreateTopicInput): Promise<TopicView> {
    const command: ControllerCommand = {
      type: 'create-topic',
      name: input.name,
      partitions: input.partitions,
      replicationFactor:
        input.replicationFactor > 0 ? input.replicationFactor : this.defaultReplicationFactor(),
      config: input.config,
    };
    if (input.validateOnly) {
      const state = this.controller.state;
      const { result } = applyControllerCommand(state, command, {
        index: state.appliedIndex + 1,
        timestampMs: Date.now(),
      });
      if (!result.ok) throw new RaftlogError(result.code, result.message);
      if (result.output.type !== 'topic') throw new RaftlogError('INTERNAL', 'create-topic gave no topic');
      return topicView(
        result.output.topic,
        () => undefined,
        () => false,
      );
    }
    await this.proposeController(command);
    return this.topicView(input.name);
  }

  /**
   * Kafka's default.replication.factor is 1; a replicated log broker defaults to 3, or to the size of
   * a smaller cluster. Sized by the cluster's members (every node ever registered, and every node of
   * the configured peer list, registered yet or not), never by the live ones: with a node down, or
   * not registered yet right after a start, the create fails NOT_ENOUGH_REPLICAS (retriable), as in
   * Kafka, instead of silently making a less durable topic.
   */
  private defaultReplicationFactor(): number {
    const nodes = this.controller.state.nodes;
    const members = new Set(
      [...nodes.keys(), ...this.options.peers.keys()].filter(
        (id) => (nodes.get(id)?.membership ?? 'active') === 'active',
      ),
    );
    return Math.max(1, Math.min(replicationFactorDefault, members.size));
  }

  async deleteTopic(name: string): Promise<void> {
    await this.proposeController({ type: 'delete-topic', name });
  }

  listTopics(): readonly TopicView[] {
    return [...this.controller.state.topics.keys()].sort().map((n) => this.topicView(n));
  }

  describeTopic(name: string): TopicView {
    return this.topicView(name);
  }

  async updateTopicConfig(name: string, config: TopicConfigInput): Promise<TopicConfig> {
    await this.proposeController({ type: 'update-topic-config', name, config });
    return this.topicInfo(name).config;
  }

  async createPartitions(name: string, partitions: number): Promise<void> {
    await this.proposeController({ type: 'add-partitions', name, partitions });
  }

  /** The local replicas' gauges for a metrics exporter (node-gauges.ts), at most `partitionsMax`. */
  partitionGauges(partitionsMax: number): PartitionGauges[] {
    return partitionGauges(this.controller.state, this.partitions, this.store, partitionsMax);
  }

  /** Elections, leader changes and snapshots on this node so far. */
  get raftEvents(): RaftEventCounts {
    return this.host.events;
  }

  /** False while this node hears from no majority of the controller's voters (readiness). */
  reachesControllerQuorum(): boolean {
    return reachesControllerQuorum(this.nodeId, this.host.group(controllerGroup), (peer) =>
      this.host.isAlive(peer),
    );
  }

  clusterStatus(options: { omitPartitions: boolean }): ClusterStatusView {
    const state = this.controller.state;
    const status = this.host.group(controllerGroup)?.raw.status();
    const partitions = options.omitPartitions
      ? []
      : [...state.topics.keys()].sort().flatMap((n) => this.topicView(n).partitionViews);
    const replicas = new Map<number, number>();
    const leaders = new Map<number, number>();
    for (const t of state.topics.values()) {
      for (const p of t.partitions) for (const r of p.replicas) replicas.set(r, (replicas.get(r) ?? 0) + 1);
    }
    for (const p of partitions)
      if (p.leaderId !== 0) leaders.set(p.leaderId, (leaders.get(p.leaderId) ?? 0) + 1);
    const changedAt = (id: NodeId): number => state.nodes.get(id)?.statusChangedAtMs ?? 0;
    return {
      clusterId: this.clusterId,
      controller: {
        leaderId: status?.leader ?? 0,
        term: status?.term ?? 0,
        commitIndex: status?.commit ?? 0,
        voters: status?.confState.voters ?? [],
        learners: status?.confState.learners ?? [],
      },
      nodes: this.brokers().map((b) => ({
        ...b,
        replicas: replicas.get(b.nodeId) ?? 0,
        leaders: leaders.get(b.nodeId) ?? 0,
        statusChangedAtMs: changedAt(b.nodeId),
        membership: state.nodes.get(b.nodeId)?.membership ?? 'active',
      })),
      partitions,
    };
  }

  async transferLeadership(input: TransferInput): Promise<{ leaderId: NodeId; term: number }> {
    const { group } = input.controller
      ? { group: this.host.group(controllerGroup) }
      : this.leaderOf(input.topic, input.partition);
    if (group === undefined) throw new RaftlogError('INTERNAL', 'the controller group is not running');
    if (!group.isLeader()) throw notLeader(`group ${group.id}`, group.leader, this.addressOf(group.leader));
    const target = input.targetNodeId !== 0 ? input.targetNodeId : bestFollower(group.raw.status());
    if (target === undefined)
      throw new RaftlogError('NOT_ENOUGH_REPLICAS', 'no follower to hand leadership to');
    if (target === this.nodeId) return { leaderId: this.nodeId, term: group.raw.status().term };
    group.raw.transferLeader(target);
    this.host.schedule();
    const deadline = Date.now() + this.options.tickMs * this.options.electionTimeoutTicks * 3;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, this.options.tickMs));
      const s = group.raw.status();
      if (s.leader === target) return { leaderId: target, term: s.term };
    }
    throw new RaftlogError('TIMEOUT', `leadership did not move to node ${target}`);
  }

  async addReplica(topic: string, partition: number, nodeId: NodeId): Promise<void> {
    await this.proposeController({ type: 'add-replica', topic, partition, nodeId });
  }

  async removeReplica(topic: string, partition: number, nodeId: NodeId): Promise<void> {
    await this.proposeController({ type: 'remove-replica', topic, partition, nodeId });
  }

  /** Registers (or re-addresses) a node with the controller. */
  /** Records a finished replica move with the controller. */
  async completeReassignment(topic: string, partition: number, replicas: readonly NodeId[]): Promise<void> {
    await this.proposeController({ type: 'complete-reassignment', topic, partition, replicas });
  }

  async registerNode(nodeId: NodeId, address: string, peerAddress?: string): Promise<void> {
    await this.proposeController({
      type: 'register-node',
      nodeId,
      address,
      ...(peerAddress === undefined || peerAddress === '' ? {} : { peerAddress }),
    });
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

  // ---- internals ----

  /**
   * Proposes a controller command here if this node leads the controller, else hands it to the
   * leader; either way it returns once this node's own controller replica has applied it, so the
   * caller reads its own write.
   */
  private async proposeController(command: ControllerCommand): Promise<ControllerOutput> {
    const group = this.host.group(controllerGroup);
    if (group === undefined) throw new RaftlogError('UNAVAILABLE', 'the controller is not running');
    const entry = encodeControllerEntry({ timestampMs: Date.now(), command });
    if (group.isLeader()) return (await this.proposeControllerEntry(entry)).output;
    // Forwarded to the leader's peer listener, where PeerService is served.
    const address = group.leader === 0 ? undefined : this.peerDirectory.addresses.get(group.leader);
    if (address === undefined) throw notLeader('the controller', 0, undefined);
    const response = await this.forwardToController(group, address, entry);
    await this.waitControllerApplied(Number(response.index));
    return JSON.parse(response.outputJson) as ControllerOutput;
  }

  /**
   * Sends a command to the controller leader, giving up as soon as this node sees the controller's
   * leadership change: a leader cut off from its peers would otherwise hold the call for the whole
   * timeout. The outcome is then unknown, hence a retriable UNAVAILABLE rather than NOT_LEADER.
   */
  private async forwardToController(group: RaftGroup, address: string, entry: Uint8Array) {
    const moved = new AbortController();
    const off = group.onLeaderChange(() => moved.abort());
    try {
      return await this.peerClients
        .peer(address)
        .proposeControllerCommand({ entry }, { timeoutMs: controllerTimeoutMs, signal: moved.signal });
    } catch (error) {
      if (!moved.signal.aborted) throw error;
      throw new RaftlogError(
        'UNAVAILABLE',
        'the controller leader changed while the command was forwarded; it may or may not have been applied',
        { cause: error },
      );
    } finally {
      off();
    }
  }

  /** On the controller leader: proposes an encoded command (restamped now) and waits for its result. */
  async proposeControllerEntry(entry: Uint8Array): Promise<{ index: number; output: ControllerOutput }> {
    const group = this.host.group(controllerGroup);
    if (group === undefined) throw new RaftlogError('UNAVAILABLE', 'the controller is not running');
    if (!group.isLeader()) throw notLeader('the controller', group.leader, this.addressOf(group.leader));
    const { command } = decodeControllerEntry(entry);
    const proposal = group.propose(encodeControllerEntry({ timestampMs: Date.now(), command }));
    const result = (await within(
      proposal.applied,
      controllerTimeoutMs,
      'controller command not applied',
    )) as ControllerResult;
    if (!result.ok) throw new RaftlogError(result.code, result.message);
    return { index: proposal.index, output: result.output };
  }

  private async waitControllerApplied(index: number): Promise<void> {
    const deadline = Date.now() + controllerTimeoutMs;
    while (this.controller.state.appliedIndex < index) {
      if (Date.now() > deadline)
        throw new RaftlogError('TIMEOUT', `controller entry ${index} not applied here yet`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private topicInfo(name: string): NonNullable<ReturnType<ControllerState['topics']['get']>> {
    const t = this.controller.state.topics.get(name);
    if (t === undefined)
      throw new RaftlogError('TOPIC_NOT_FOUND', `topic ${JSON.stringify(name)} does not exist`);
    return t;
  }

  private topicView(name: string): TopicView {
    const view = topicView(
      this.topicInfo(name),
      (g) => this.partitions.get(g),
      (id) => this.host.isAlive(id),
    );
    // For a partition this node does not host, the preferred replica is the best guess (a wrong one
    // answers NOT_LEADER with the real leader); a hosted partition without a leader says so.
    return {
      ...view,
      partitionViews: view.partitionViews.map((p) =>
        p.leaderId === 0 && !this.partitions.has(p.groupId) ? { ...p, leaderId: guessLeader(p.replicas) } : p,
      ),
    };
  }

  private assignment(topic: string, partition: number): PartitionAssignment {
    const a = this.topicInfo(topic).partitions[partition];
    if (a === undefined)
      throw new RaftlogError('PARTITION_NOT_FOUND', `topic ${topic} has no partition ${partition}`);
    return a;
  }

  /** The local replica of a partition this node leads, or NOT_LEADER pointing at the leader. */
  private leaderOf(topic: string, partition: number): LocalPartition {
    if (this.removed)
      throw new RaftlogError('NODE_REMOVED', `node ${this.nodeId} was removed from the cluster`);
    const a = this.assignment(topic, partition);
    const local = this.partitions.get(a.groupId);
    const what = `${topic}/${partition}`;
    if (local === undefined) {
      const guess = a.replicas[0] ?? 0;
      throw notLeader(what, guess, this.addressOf(guess));
    }
    if (!local.group.isLeader())
      throw notLeader(what, local.group.leader, this.addressOf(local.group.leader));
    return local;
  }

  /** Partitions of `topic` this node leads right now. */
  private ledPartitions(topic: string): number[] {
    const led: number[] = [];
    this.topicInfo(topic).partitions.forEach((a, partition) => {
      if (this.partitions.get(a.groupId)?.group.isLeader() === true) led.push(partition);
    });
    return led;
  }

  /** The local replica of a partition, leader or not (for replica reads). */
  private replicaOf(topic: string, partition: number): LocalPartition {
    const a = this.assignment(topic, partition);
    const local = this.partitions.get(a.groupId);
    if (local !== undefined) return local;
    const guess = a.replicas[0] ?? 0;
    throw notLeader(`${topic}/${partition}`, guess, this.addressOf(guess));
  }

  private addressOf(id: NodeId | 0): string | undefined {
    if (id === 0) return undefined;
    // Peers are dialled at peer-listener addresses; clients are told client addresses, own first.
    const registered = this.controller.state.nodes.get(id)?.address;
    return registered ?? (id === this.nodeId ? this.options.advertise : this.options.peers.get(id));
  }

  private brokers(): ReturnType<typeof brokerViews> {
    const registered = brokerViews(this.controller.state);
    const known = new Set(registered.map((b) => b.nodeId));
    const unregistered = [...this.options.peers]
      .filter(([id]) => !known.has(id))
      .map(([id, address]) => ({
        nodeId: id,
        address: id === this.nodeId ? this.options.advertise : address,
        peerAddress: address,
        alive: true,
      }));
    return [...registered, ...unregistered].sort((a, b) => a.nodeId - b.nodeId);
  }

  private reconcileSoon(): void {
    this.reconciling = this.reconciling
      .then(() => this.reconcileNow())
      .catch((error: unknown) => {
        // A group whose stored log is damaged cannot run here; going on without it would leave its
        // partition one replica short in silence. Stopping says so, and a wiped node rebuilds.
        if (error instanceof AssertionError || error instanceof CorruptionError) {
          this.host.fail(error, { during: 'reconcile' });
        } else this.options.logger.error({ err: error }, 'reconciling partition groups failed');
      });
  }

  private async reconcileNow(): Promise<void> {
    if (this.stopping) return;
    const state = this.controller.state;
    // While the controller replays its log after a restart its state is history: acting on it could
    // delete a group (and the votes it cast) that a later entry gives back to this node.
    if (state.appliedIndex < this.reconcileFromIndex) return;
    const plan = reconcile(state, this.nodeId, [...this.partitions.keys()] as GroupId[]);
    // After a restart every partition of the node loads here: one at a time, 10,000 of them would
    // wait on each other's reads for minutes while the first ones loaded time out their elections.
    await forEachBounded(plan.create, groupLoadParallel, (spec) => this.startPartition(spec));
    await this.removeOrphans(state);
    for (const id of plan.remove) {
      this.options.logger.info({ group: id }, 'removing a running group no longer assigned here');
      this.partitions.get(id)?.replica.close();
      this.partitions.delete(id);
      await this.host.removeGroup(id, (batch) => {
        this.store.deletePartition(batch, id as number as PartitionId);
        return Promise.resolve();
      });
    }
  }

  private async startPartition(spec: ReturnType<typeof reconcile>['create'][number]): Promise<void> {
    if (this.stopping) return;
    const replica = new PartitionReplica(
      spec.groupId as number as PartitionId,
      this.options.kv,
      this.store,
      this.leaderData.sourceFor(spec.groupId),
      this.options.logger,
      this.options.partitionLimits,
    );
    await replica.open();
    const bootstrap = spec.replicas.includes(this.nodeId) ? { confState: confOf(spec.replicas) } : undefined;
    const group = await this.host.addGroup(spec.groupId, replica, bootstrap);
    this.partitions.set(spec.groupId, { group, replica });
    if (
      group.raw.status().term === 0 &&
      spec.replicas[0] === this.nodeId &&
      this.voteGate.mayCampaign(spec.groupId)
    )
      this.campaignFresh(spec.groupId);
  }

  /**
   * Deletes groups stored here that the controller no longer assigns to this node and that do not
   * run: a topic deleted, or a replica moved away, while this node was down. Group ids are never
   * reused, so an id below the next one to be handed out and absent from the assignments is gone.
   */
  private async removeOrphans(state: ControllerState): Promise<void> {
    if (this.orphansRemovedAtIndex === state.appliedIndex) return;
    this.orphansRemovedAtIndex = state.appliedIndex;
    const assigned = new Set<number>();
    for (const t of state.topics.values()) {
      for (const p of t.partitions) {
        if (p.replicas.includes(this.nodeId) || p.targetReplicas?.includes(this.nodeId) === true)
          assigned.add(p.groupId);
      }
    }
    for (const id of await this.logs.storedGroups()) {
      if (id === controllerGroup || id >= state.nextGroupId || assigned.has(id) || this.host.group(id))
        continue;
      const stored = await this.logs.load(id);
      // What is left of a group removed earlier is its term and vote alone: keep it.
      if (stored.snapshot === undefined && stored.lastIndex === 0 && stored.hardState.commit === 0) {
        this.logs.unload(id);
        continue;
      }
      this.options.logger.info({ group: id }, 'deleting the data of a group no longer assigned here');
      const batch = new StorageBatch();
      this.logs.deleteGroup(batch, id, stored.hardState);
      this.store.deletePartition(batch, id as number as PartitionId);
      await batch.commit(this.options.kv, { sync: true });
      this.logs.unload(id);
    }
  }

  /**
   * The preferred replica of a new group campaigns at once, and again a few ticks later if no leader
   * emerged: the other replicas may not have created the group yet when the first votes arrive.
   */
  private campaignFresh(groupId: GroupId): void {
    this.host.campaign(groupId);
    const retry = setTimeout(() => {
      const group = this.host.group(groupId);
      if (!this.stopping && group !== undefined && group.leader === 0) this.host.campaign(groupId);
    }, this.options.tickMs * freshCampaignRetryTicks);
    retry.unref();
  }
}

function confOf(voters: readonly NodeId[]): ConfState {
  return { voters: [...voters], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
}

function guessLeader(replicas: readonly NodeId[]): NodeId | 0 {
  return replicas[0] ?? 0;
}

function bestFollower(status: RaftStatus): NodeId | undefined {
  let best: { id: NodeId; match: number } | undefined;
  for (const [id, p] of status.progress ?? []) {
    if (id === status.id || !status.confState.voters.includes(id)) continue;
    if (best === undefined || p.match > best.match) best = { id, match: p.match };
  }
  return best?.id;
}
