import { RaftlogError, type ErrorCode } from '../../lib/index.js';
import type { ServiceClient } from '../../rpc/index.js';
import type { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import {
  toClusterStatus,
  toPartitionMove,
  toTopicDetails,
  toTopicSettings,
  toTopicSummary,
  toWireTopicConfig,
  type ClusterStatus,
  type PartitionMove,
  type TopicDetails,
  type TopicSettings,
  type TopicSummary,
} from './admin-mapping.js';
import { errorFromDetail } from './errors.js';
import {
  toGroupDetails,
  toGroupListing,
  toWireReset,
  type GroupDetails,
  type GroupListing,
  type GroupOffsetReset,
  type ResetGroupOffsetsInput,
} from './group-admin-mapping.js';
import type { RaftlogClient } from './raftlog-client.js';
import {
  toTransactionDetails,
  toTransactionSummary,
  toWireTransactionState,
  type TransactionDetails,
  type TransactionStateName,
  type TransactionSummary,
} from './txn-admin-mapping.js';
import { defaultRetryOptions } from './retry-policy.js';
import { withRetry } from './with-retry.js';
import { mergeClusterStatus, mergeFromLeaders, type NodeAnswer } from './merge-cluster-status.js';

/** A node that does not answer this fast is left out of the merged status. */
const peerStatusTimeoutMs = 2_000;

const noCodes: ReadonlySet<ErrorCode> = new Set();
const finalCodes: ReadonlySet<ErrorCode> = new Set(['NOT_ENOUGH_REPLICAS']);

export interface AdminOptions {
  /** Per call, retries included. */
  readonly timeoutMs?: number;
  /** The node tried first (one known to answer); by default the first known address. */
  readonly preferredAddress?: string;
}

export interface CreateTopicInput {
  readonly name: string;
  readonly partitions: number;
  /** 0 or absent: the cluster default. */
  readonly replicas?: number;
  readonly config?: TopicSettings;
}

/** How one topic of a createTopics call fared. */
export type TopicCreateResult =
  | { readonly name: string; readonly topic: TopicDetails }
  | { readonly name: string; readonly error: RaftlogError };

function toWireCreate(input: CreateTopicInput) {
  return {
    name: input.name,
    partitions: input.partitions,
    replicationFactor: input.replicas ?? 0,
    ...(input.config === undefined ? {} : { config: toWireTopicConfig(input.config) }),
  };
}

type AdminCall<T> = (admin: ServiceClient<typeof AdminService>, timeoutMs: number) => Promise<T>;

/**
 * Topic and cluster administration as plain objects. Any node accepts admin calls (it forwards to
 * the controller or names it in NOT_LEADER); a call goes to the hinted node, or to the next known
 * node when one is unreachable, and retries retriable errors until timeoutMs.
 */
export class Admin {
  private readonly timeoutMs: number;
  private preferred: string | undefined;

  constructor(
    private readonly client: Pick<RaftlogClient, 'admin' | 'addresses'>,
    options: AdminOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.preferred = options.preferredAddress;
  }

  async createTopic(input: CreateTopicInput): Promise<TopicDetails> {
    const r = await this.call(
      (a, timeoutMs) => a.createTopic(toWireCreate(input), { timeoutMs }),
      // Too few live nodes for the replicas asked: say so now; waiting for a node to return may take hours.
      finalCodes,
    );
    if (r.topic === undefined) throw new RaftlogError('INTERNAL', 'CreateTopic answered without the topic');
    return toTopicDetails(r.topic);
  }

  /**
   * Creates many topics in one call (at most 1,000, 10,000 partitions in all). Each topic succeeds or
   * fails alone: one result per input, in order. Throws only when the whole call fails.
   */
  async createTopics(
    inputs: readonly CreateTopicInput[],
    options: { validateOnly?: boolean } = {},
  ): Promise<TopicCreateResult[]> {
    const request = { topics: inputs.map(toWireCreate), validateOnly: options.validateOnly ?? false };
    const r = await this.call((a, timeoutMs) => a.createTopics(request, { timeoutMs }), finalCodes);
    return r.results.map((result) => {
      const error = errorFromDetail(result.error);
      if (error !== undefined) return { name: result.name, error };
      if (result.topic === undefined)
        return {
          name: result.name,
          error: new RaftlogError('INTERNAL', 'CreateTopics answered without the topic'),
        };
      return { name: result.name, topic: toTopicDetails(result.topic) };
    });
  }

  /** Changes the given settings of a topic; the others keep their values. Answers the result. */
  async alterTopicConfig(name: string, config: TopicSettings): Promise<TopicSettings> {
    const r = await this.call((a, timeoutMs) =>
      a.updateTopicConfig({ name, config: toWireTopicConfig(config) }, { timeoutMs }),
    );
    return toTopicSettings(r.config);
  }

  async deleteTopic(name: string): Promise<void> {
    await this.call((a, timeoutMs) => a.deleteTopic({ name }, { timeoutMs }));
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<TopicSummary[]> {
    const r = await this.call((a, timeoutMs) =>
      a.listTopics({ includeInternal: options.includeInternal ?? false }, { timeoutMs }),
    );
    return r.topics.map(toTopicSummary);
  }

  /** As `clusterStatus`, each partition's replication state is the one its leader reports. */
  async describeTopic(name: string): Promise<TopicDetails> {
    const r = await this.call((a, timeoutMs) => a.describeTopic({ name }, { timeoutMs }));
    if (r.topic === undefined) throw new RaftlogError('TOPIC_NOT_FOUND', `topic ${name} does not exist`);
    const nodes = await this.call((a, timeoutMs) => a.clusterStatus({ omitPartitions: true }, { timeoutMs }));
    const answers = await this.askAlive(nodes.nodes, async (admin) => {
      const t = await admin.describeTopic({ name }, { timeoutMs: peerStatusTimeoutMs });
      return t.topic?.partitionStatus ?? [];
    });
    return toTopicDetails({
      ...r.topic,
      partitionStatus: mergeFromLeaders(r.topic.partitionStatus, answers),
    });
  }

  async clusterStatus(options: { omitPartitions?: boolean } = {}): Promise<ClusterStatus> {
    const omitPartitions = options.omitPartitions ?? false;
    const r = await this.call((a, timeoutMs) => a.clusterStatus({ omitPartitions }, { timeoutMs }));
    if (omitPartitions) return toClusterStatus(r);
    // Each node reports its own metrics URL only, and knows its own logical version best.
    const metricsUrls = new Map<number, string>();
    const versions = new Map<number, number>();
    const answers = await this.askAlive(r.nodes, async (admin, nodeId) => {
      const status = await admin.clusterStatus({}, { timeoutMs: peerStatusTimeoutMs });
      for (const n of status.nodes) if (n.metricsUrl !== '') metricsUrls.set(n.nodeId, n.metricsUrl);
      const own = status.nodes.find((n) => n.nodeId === nodeId)?.logicalVersion ?? 0;
      if (own !== 0) versions.set(nodeId, own);
      return status.partitions;
    });
    const merged = mergeClusterStatus(
      r,
      answers.map((a) => ({ nodeId: a.nodeId, status: { ...r, partitions: [...a.partitions] } })),
    );
    const nodes = merged.nodes.map((n) => ({
      ...n,
      metricsUrl: metricsUrls.get(n.nodeId) ?? n.metricsUrl,
      logicalVersion: versions.get(n.nodeId) ?? n.logicalVersion,
    }));
    return toClusterStatus({ ...merged, nodes });
  }

  /** Asks every live node at once; a node that does not answer in time is left out. */
  private async askAlive(
    nodes: readonly { nodeId: number; address: string; alive: boolean }[],
    ask: (admin: ServiceClient<typeof AdminService>, nodeId: number) => Promise<NodeAnswer['partitions']>,
  ): Promise<NodeAnswer[]> {
    const answers = await Promise.all(
      nodes
        .filter((n) => n.alive)
        .map(async (n) => {
          const partitions = await ask(this.client.admin(n.address), n.nodeId).catch(() => undefined);
          return partitions === undefined ? undefined : { nodeId: n.nodeId, partitions };
        }),
    );
    return answers.filter((a) => a !== undefined);
  }

  /** Moves leadership of a partition, or of the controller when `topic` is undefined; 0 lets the leader pick. */
  async transferLeadership(target: {
    topic?: string;
    partition?: number;
    toNode?: number;
  }): Promise<{ leader: number; term: number }> {
    const r = await this.call((a, timeoutMs) =>
      a.transferLeadership(
        {
          topic: target.topic ?? '',
          partition: target.partition ?? 0,
          controller: target.topic === undefined,
          targetNodeId: target.toNode ?? 0,
        },
        { timeoutMs },
      ),
    );
    return { leader: r.leaderId, term: Number(r.term) };
  }

  async addReplica(topic: string, partition: number, nodeId: number): Promise<void> {
    await this.call((a, timeoutMs) => a.addReplica({ topic, partition, nodeId }, { timeoutMs }));
  }

  async removeReplica(topic: string, partition: number, nodeId: number): Promise<void> {
    await this.call((a, timeoutMs) => a.removeReplica({ topic, partition, nodeId }, { timeoutMs }));
  }

  /**
   * Starts decommissioning a node (its replicas move away, then it leaves the controller for good);
   * answers how many replicas it still holds. CLUSTER_TOO_SMALL when a topic or the controller
   * would be left short. Watch `clusterStatus()` for the node's membership to become 'removed'.
   */
  async removeNode(nodeId: number): Promise<{ replicasLeft: number }> {
    const r = await this.call((a, timeoutMs) => a.removeNode({ nodeId }, { timeoutMs }));
    return { replicasLeft: r.replicasLeft };
  }

  /** Moves a partition to `replicas` (as many as it has now, preferred leader first). */
  async reassignPartition(topic: string, partition: number, replicas: readonly number[]): Promise<void> {
    await this.call((a, timeoutMs) =>
      a.reassignPartition({ topic, partition, replicas: [...replicas] }, { timeoutMs }),
    );
  }

  /** Plans an even spread of replicas over the active nodes and, unless `dryRun`, starts the moves. */
  async rebalance(options: { dryRun?: boolean; movesMax?: number } = {}): Promise<PartitionMove[]> {
    const r = await this.call((a, timeoutMs) =>
      a.rebalancePartitions(
        { dryRun: options.dryRun ?? false, movesMax: options.movesMax ?? 0 },
        { timeoutMs },
      ),
    );
    return r.moves.map(toPartitionMove);
  }

  /** Consumer groups with members or committed offsets, sorted by id. */
  async listGroups(): Promise<GroupListing[]> {
    const r = await this.call((a, timeoutMs) => a.listGroups({}, { timeoutMs }));
    return r.groups.map(toGroupListing);
  }

  /** Members with the partitions they consume, and per partition committed offset, end and lag. */
  async describeGroup(group: string): Promise<GroupDetails> {
    const r = await this.call((a, timeoutMs) => a.describeGroups({ groupIds: [group] }, { timeoutMs }));
    const d = r.groups[0];
    if (d === undefined) throw new RaftlogError('INTERNAL', 'DescribeGroups answered without the group');
    const failure = errorFromDetail(d.error);
    if (failure !== undefined) throw failure;
    return toGroupDetails(d);
  }

  /** Moves a group's committed offsets (the group must have no members); a dry run only computes them. */
  async resetGroupOffsets(input: ResetGroupOffsetsInput): Promise<GroupOffsetReset[]> {
    const r = await this.call((a, timeoutMs) => a.resetGroupOffsets(toWireReset(input), { timeoutMs }));
    return r.offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      previous: Number(o.previousOffset),
      offset: Number(o.offset),
    }));
  }

  /** Transactional ids and the state of their transactions; filtered by state and by minimum age. */
  async listTransactions(
    filter: { states?: readonly TransactionStateName[]; minAgeMs?: number } = {},
  ): Promise<TransactionSummary[]> {
    const states = (filter.states ?? []).map(toWireTransactionState);
    const minAgeMs = BigInt(filter.minAgeMs ?? 0);
    const r = await this.call((a, timeoutMs) => a.listTransactions({ states, minAgeMs }, { timeoutMs }));
    return r.transactions.map(toTransactionSummary);
  }

  /** One description per id, in order; an unknown id fails the call with its error. */
  async describeTransactions(ids: readonly string[]): Promise<TransactionDetails[]> {
    const r = await this.call((a, timeoutMs) =>
      a.describeTransactions({ transactionalIds: [...ids] }, { timeoutMs }),
    );
    return r.transactions.map(toTransactionDetails);
  }

  /** Retries retriable errors until the deadline, but for `final` codes, which end the call at once. */
  private call<T>(fn: AdminCall<T>, final: ReadonlySet<ErrorCode> = noCodes): Promise<T> {
    const deadlineMs = Date.now() + this.timeoutMs;
    const stop = new AbortController();
    return withRetry(() => fn(this.client.admin(this.target()), Math.max(1, deadlineMs - Date.now())), {
      deadlineMs,
      retry: defaultRetryOptions,
      signal: stop.signal,
      onError: (e) => {
        if (final.has(e.code)) stop.abort();
        else if (e.leaderHint !== undefined && e.leaderHint !== '') this.preferred = e.leaderHint;
        else if (e.retriable) this.preferred = this.nextAddress();
      },
    });
  }

  private target(): string {
    this.preferred ??= this.client.addresses()[0];
    if (this.preferred === undefined) throw new RaftlogError('INVALID_ARGUMENT', 'no node address known');
    return this.preferred;
  }

  private nextAddress(): string | undefined {
    const all = this.client.addresses();
    const at = this.preferred === undefined ? -1 : all.indexOf(this.preferred);
    return all[(at + 1) % all.length];
  }
}
