import {
  assert,
  assertNever,
  groupId,
  nodeId,
  partitionId,
  producerId,
  RaftlogError,
  type ErrorCode,
  type NodeId,
} from '../../lib/index.js';
import {
  controllerLimits as limits,
  firstPartitionGroupId,
  groupIdMax,
  nodeIdMax,
  type ApplyContext,
  type ControllerCommand,
  type ControllerOutput,
  type ControllerResult,
  type ControllerState,
  type NodeInfo,
  type PartitionAssignment,
  type TopicCreateResult,
  type TopicInfo,
  type TopicSpec,
} from './controller-types.js';
import { applyGroupCommand } from './apply-group-command.js';
import { applySecurityCommand } from './apply-security-command.js';
import { emptySecurityState } from './security-types.js';
import { withoutTopicOffsets } from './group-offsets.js';
import type { TransactionalIdInfo } from './txn-types.js';
import { applyTxnCommand, type TxnOutcome } from './apply-txn-command.js';
import { activeNodeIds, nodeLoads, placePartitions, type NodeLoad } from './placement.js';
import {
  defaultTopicConfig,
  resolveTopicConfig,
  validateTopicName,
  type TopicConfig,
} from './topic-config.js';
import { requireInteger } from './require-integer.js';
import { logicalVersionMax, unannouncedLogicalVersion } from './logical-version.js';
import { shownValue } from './shown-value.js';

type Command<T extends ControllerCommand['type']> = Extract<ControllerCommand, { type: T }>;

interface Outcome {
  readonly state: ControllerState;
  readonly result: ControllerResult;
}

export function initialControllerState(): ControllerState {
  return {
    appliedIndex: 0,
    nodes: new Map(),
    topics: new Map(),
    transactionalIds: new Map(),
    groupOffsets: new Map(),
    groups: new Map(),
    nextGroupId: firstPartitionGroupId,
    nextProducerId: 0,
    placementCursor: 0,
    security: emptySecurityState(),
    activeVersion: unannouncedLogicalVersion,
  };
}

/** Rejections travel as RaftlogError up to apply, which turns them into a result. */
function reject(code: ErrorCode, message: string): never {
  throw new RaftlogError(code, message);
}

function ok(state: ControllerState, output: ControllerOutput = { type: 'done' }): Outcome {
  return { state, result: { ok: true, output } };
}

function requireNodeId(value: unknown): NodeId {
  return nodeId(requireInteger(value, 1, nodeIdMax, 'node id'));
}

function requireTopic(state: ControllerState, name: string): TopicInfo {
  const topic = state.topics.get(name);
  if (topic === undefined) reject('TOPIC_NOT_FOUND', `topic '${name}' does not exist`);
  return topic;
}

function requirePartition(topic: TopicInfo, partition: unknown): PartitionAssignment {
  const p = requireInteger(partition, 0, limits.partitionsPerTopicMax - 1, 'partition');
  const assignment = topic.partitions[p];
  if (assignment === undefined) {
    reject('PARTITION_NOT_FOUND', `topic '${topic.name}' has no partition ${p}`);
  }
  return assignment;
}

function totalPartitions(state: ControllerState): number {
  let total = 0;
  for (const t of state.topics.values()) total += t.partitions.length;
  return total;
}

function withTopic(state: ControllerState, topic: TopicInfo): ControllerState {
  return { ...state, topics: new Map(state.topics).set(topic.name, topic) };
}

/**
 * Creates `count` new partition assignments, numbered from `firstPartition`, placed over the live
 * nodes and given fresh group ids.
 */
function placeNew(
  state: ControllerState,
  firstPartition: number,
  count: number,
  replicationFactor: number,
): { assignments: PartitionAssignment[]; state: ControllerState } {
  const live = activeNodeIds(state);
  if (replicationFactor > live.length) {
    reject(
      'NOT_ENOUGH_REPLICAS',
      `replication factor ${replicationFactor} needs that many live nodes, ${live.length} are alive`,
    );
  }
  if (totalPartitions(state) + count > limits.partitionsTotalMax) {
    reject('RESOURCE_EXHAUSTED', `the cluster may hold at most ${limits.partitionsTotalMax} partitions`);
  }
  if (state.nextGroupId + count - 1 > groupIdMax) reject('RESOURCE_EXHAUSTED', 'group ids are exhausted');
  const placed = placePartitions(
    live,
    nodeLoads(state.topics.values()),
    state.placementCursor,
    count,
    replicationFactor,
  );
  const assignments = placed.replicaSets.map((replicas, i) => ({
    partition: partitionId(firstPartition + i),
    groupId: groupId(state.nextGroupId + i),
    replicas,
    targetReplicas: null,
    bootstrapReplicas: replicas,
  }));
  return {
    assignments,
    state: { ...state, nextGroupId: state.nextGroupId + count, placementCursor: placed.cursor },
  };
}

/**
 * What creating topics works on: the topics map is copied once per command and the node loads are
 * counted once, so a batch of topics costs one pass over the existing ones, not one per topic.
 */
interface CreateDraft {
  readonly topics: Map<string, TopicInfo>;
  readonly loads: Map<NodeId, NodeLoad>;
  readonly live: readonly NodeId[];
  partitionTotal: number;
  nextGroupId: number;
  placementCursor: number;
}

interface TopicTotals {
  readonly loads: ReadonlyMap<NodeId, NodeLoad>;
  readonly partitions: number;
}

/**
 * Node loads and partition count of the topics map a create made, so the next create starts from
 * them instead of counting every partition again. Keyed by the map itself: maps in a state are
 * never changed once a command returned, so an entry cannot go stale, and a map any other command
 * makes simply misses and is counted once.
 */
const totalsByTopics = new WeakMap<ReadonlyMap<string, TopicInfo>, TopicTotals>();

function topicTotals(state: ControllerState): TopicTotals {
  const known = totalsByTopics.get(state.topics);
  if (known !== undefined) return known;
  return { loads: nodeLoads(state.topics.values()), partitions: totalPartitions(state) };
}

function createDraft(state: ControllerState): CreateDraft {
  const totals = topicTotals(state);
  return {
    topics: new Map(state.topics),
    loads: new Map(totals.loads),
    live: activeNodeIds(state),
    partitionTotal: totals.partitions,
    nextGroupId: state.nextGroupId,
    placementCursor: state.placementCursor,
  };
}

function withDraft(state: ControllerState, draft: CreateDraft): ControllerState {
  totalsByTopics.set(draft.topics, { loads: draft.loads, partitions: draft.partitionTotal });
  return {
    ...state,
    topics: draft.topics,
    nextGroupId: draft.nextGroupId,
    placementCursor: draft.placementCursor,
  };
}

/** Counts new replicas into the draft's loads, so the next topic of a batch sees them. */
function addLoads(loads: Map<NodeId, NodeLoad>, replicaSets: readonly (readonly NodeId[])[]): void {
  for (const replicas of replicaSets) {
    replicas.forEach((node, i) => {
      const old = loads.get(node) ?? { replicas: 0, leaders: 0 };
      loads.set(node, { replicas: old.replicas + 1, leaders: old.leaders + (i === 0 ? 1 : 0) });
    });
  }
}

/** Judges one topic with the single-create rules and, when it passes, adds it to the draft. */
function draftTopic(draft: CreateDraft, spec: TopicSpec, ctx: ApplyContext): TopicInfo {
  const invalidName = validateTopicName(spec.name);
  if (invalidName !== undefined) reject(invalidName.code, invalidName.message);
  if (draft.topics.has(spec.name)) reject('TOPIC_ALREADY_EXISTS', `topic '${spec.name}' already exists`);
  if (draft.topics.size >= limits.topicsMax) {
    reject('RESOURCE_EXHAUSTED', `the cluster may hold at most ${limits.topicsMax} topics`);
  }
  const partitions = requireInteger(spec.partitions, 1, limits.partitionsPerTopicMax, 'partitions');
  const rf = requireInteger(spec.replicationFactor, 1, limits.replicationFactorMax, 'replication factor');
  const resolved = resolveTopicConfig(defaultTopicConfig, spec.config, spec.name);
  if ('rejection' in resolved) reject(resolved.rejection.code, resolved.rejection.message);
  requireInsyncWithin(resolved.config, rf, spec.name);
  if (rf > draft.live.length) {
    reject(
      'NOT_ENOUGH_REPLICAS',
      `replication factor ${rf} needs that many live nodes, ${draft.live.length} are alive`,
    );
  }
  if (draft.partitionTotal + partitions > limits.partitionsTotalMax) {
    reject('RESOURCE_EXHAUSTED', `the cluster may hold at most ${limits.partitionsTotalMax} partitions`);
  }
  if (draft.nextGroupId + partitions - 1 > groupIdMax)
    reject('RESOURCE_EXHAUSTED', 'group ids are exhausted');
  const placed = placePartitions(draft.live, draft.loads, draft.placementCursor, partitions, rf);
  const topic: TopicInfo = {
    name: spec.name,
    replicationFactor: rf,
    config: resolved.config,
    partitions: placed.replicaSets.map((replicas, i) => ({
      partition: partitionId(i),
      groupId: groupId(draft.nextGroupId + i),
      replicas,
      targetReplicas: null,
      bootstrapReplicas: replicas,
    })),
    createdAtMs: ctx.timestampMs,
  };
  addLoads(draft.loads, placed.replicaSets);
  draft.topics.set(topic.name, topic);
  draft.partitionTotal += partitions;
  draft.nextGroupId += partitions;
  draft.placementCursor = placed.cursor;
  return topic;
}

function createTopic(state: ControllerState, c: Command<'create-topic'>, ctx: ApplyContext): Outcome {
  const draft = createDraft(state);
  const topic = draftTopic(draft, c, ctx);
  return ok(withDraft(state, draft), { type: 'topic', topic });
}

function requireBatch(topics: readonly TopicSpec[]): void {
  if (topics.length < 1 || topics.length > limits.topicsPerBatchMax) {
    reject('INVALID_ARGUMENT', `a batch creates 1 to ${limits.topicsPerBatchMax} topics`);
  }
  // Entries with a malformed count are refused one by one below; here they count for nothing.
  const partitions = topics.reduce(
    (sum, t) => sum + (Number.isSafeInteger(t.partitions) ? t.partitions : 0),
    0,
  );
  if (partitions > limits.partitionsPerBatchMax) {
    reject('INVALID_ARGUMENT', `a batch creates at most ${limits.partitionsPerBatchMax} partitions in all`);
  }
}

/**
 * Creates each topic of the batch on its own: one that breaks a rule gets its error in its result
 * and the others are still created. Only a batch over its limits is rejected whole.
 */
function createTopics(state: ControllerState, c: Command<'create-topics'>, ctx: ApplyContext): Outcome {
  requireBatch(c.topics);
  const draft = createDraft(state);
  const results = c.topics.map((spec): TopicCreateResult => {
    try {
      return { name: spec.name, ok: true, topic: draftTopic(draft, spec, ctx) };
    } catch (error) {
      if (!(error instanceof RaftlogError)) throw error;
      return { name: spec.name, ok: false, code: error.code, message: error.message };
    }
  });
  return ok(withDraft(state, draft), { type: 'topics-created', results });
}

/** More in-sync replicas than replicas would refuse every acks=quorum write for ever. */
function requireInsyncWithin(config: TopicConfig, replicationFactor: number, topic: string): void {
  if (config.minInsyncReplicas <= replicationFactor) return;
  reject(
    'INVALID_ARGUMENT',
    `min.insync.replicas ${config.minInsyncReplicas} is above topic '${topic}''s replication factor ` +
      `${replicationFactor}: every acks=quorum write would be refused`,
  );
}

function updateTopicConfig(state: ControllerState, c: Command<'update-topic-config'>): Outcome {
  const topic = requireTopic(state, c.name);
  const resolved = resolveTopicConfig(topic.config, c.config, topic.name);
  if ('rejection' in resolved) reject(resolved.rejection.code, resolved.rejection.message);
  requireInsyncWithin(resolved.config, topic.replicationFactor, topic.name);
  const updated = { ...topic, config: resolved.config };
  return ok(withTopic(state, updated), { type: 'topic', topic: updated });
}

function addPartitions(state: ControllerState, c: Command<'add-partitions'>): Outcome {
  const topic = requireTopic(state, c.name);
  const total = requireInteger(c.partitions, 1, limits.partitionsPerTopicMax, 'partitions');
  const current = topic.partitions.length;
  if (total <= current) {
    reject('INVALID_ARGUMENT', `topic '${c.name}' has ${current} partitions; partitions can only grow`);
  }
  const placed = placeNew(state, current, total - current, topic.replicationFactor);
  const updated = { ...topic, partitions: [...topic.partitions, ...placed.assignments] };
  return ok(withTopic(placed.state, updated), { type: 'topic', topic: updated });
}

function deleteTopic(state: ControllerState, c: Command<'delete-topic'>): Outcome {
  const topic = requireTopic(state, c.name);
  const topics = new Map(state.topics);
  topics.delete(c.name);
  const groupOffsets = withoutTopicOffsets(state.groupOffsets, c.name);
  const transactionalIds = withoutTopicInTransactions(state.transactionalIds, c.name);
  return ok(
    { ...state, topics, groupOffsets, transactionalIds },
    { type: 'topic-deleted', groupIds: topic.partitions.map((p) => p.groupId) },
  );
}

/**
 * Open transactions forget `topic`: their offsets for it, committed later, would land on a topic
 * created under its name, and so would their markers (the data they close went with the topic).
 */
function withoutTopicInTransactions(
  all: ControllerState['transactionalIds'],
  topic: string,
): ControllerState['transactionalIds'] {
  let changed: Map<string, TransactionalIdInfo> | undefined;
  for (const [id, info] of all) {
    const pendingOffsets = info.pendingOffsets.filter((o) => o.topic !== topic);
    const partitions = info.partitions.filter((p) => p.topic !== topic);
    if (pendingOffsets.length === info.pendingOffsets.length && partitions.length === info.partitions.length)
      continue;
    changed ??= new Map(all);
    changed.set(id, { ...info, pendingOffsets, partitions });
  }
  return changed ?? all;
}

function withAssignment(state: ControllerState, topic: TopicInfo, assignment: PartitionAssignment): Outcome {
  const partitions = topic.partitions.map((p) => (p.partition === assignment.partition ? assignment : p));
  return ok(withTopic(state, { ...topic, partitions }), {
    type: 'assignment',
    topic: topic.name,
    assignment,
  });
}

function startReassignment(
  state: ControllerState,
  c: Command<'add-replica'> | Command<'remove-replica'>,
): Outcome {
  const topic = requireTopic(state, c.topic);
  const assignment = requirePartition(topic, c.partition);
  const node = requireNodeId(c.nodeId);
  if (assignment.targetReplicas !== null) {
    reject(
      'REASSIGNMENT_IN_PROGRESS',
      `partition ${c.topic}/${assignment.partition} is already moving to [${assignment.targetReplicas.join(', ')}]; retry once that move completes`,
    );
  }
  const has = assignment.replicas.includes(node);
  let target: NodeId[];
  if (c.type === 'add-replica') {
    if (has) reject('INVALID_ARGUMENT', `node ${node} already replicates ${c.topic}/${assignment.partition}`);
    if (!activeNodeIds(state).includes(node)) {
      reject('INVALID_ARGUMENT', `node ${node} is not a registered live node (or is being decommissioned)`);
    }
    if (assignment.replicas.length >= limits.replicationFactorMax) {
      reject('INVALID_ARGUMENT', `a partition has at most ${limits.replicationFactorMax} replicas`);
    }
    target = [...assignment.replicas, node];
  } else {
    if (!has)
      reject('INVALID_ARGUMENT', `node ${node} does not replicate ${c.topic}/${assignment.partition}`);
    if (assignment.replicas.length === 1) reject('INVALID_ARGUMENT', 'cannot remove the last replica');
    target = assignment.replicas.filter((r) => r !== node);
  }
  return withAssignment(state, topic, { ...assignment, targetReplicas: target });
}

function sameOrder(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => b[i] === x);
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function completeReassignment(state: ControllerState, c: Command<'complete-reassignment'>): Outcome {
  const topic = requireTopic(state, c.topic);
  const assignment = requirePartition(topic, c.partition);
  const target = assignment.targetReplicas;
  // A late or repeated report must not complete a different, newer reassignment.
  if (target === null || !Array.isArray(c.replicas) || !sameMembers(target, c.replicas)) {
    reject(
      'INVALID_ARGUMENT',
      `partition ${c.topic}/${assignment.partition} is not moving to [${shownValue(c.replicas)}]`,
    );
  }
  return withAssignment(state, topic, { ...assignment, replicas: target, targetReplicas: null });
}

function registerNode(state: ControllerState, c: Command<'register-node'>, ctx: ApplyContext): Outcome {
  const id = requireNodeId(c.nodeId);
  if (typeof c.address !== 'string' || c.address.length === 0 || c.address.length > limits.addressCharsMax) {
    reject('INVALID_ARGUMENT', `node address must be 1 to ${limits.addressCharsMax} characters`);
  }
  if (c.peerAddress !== undefined && c.peerAddress.length > limits.addressCharsMax) {
    reject('INVALID_ARGUMENT', `node peer address must be at most ${limits.addressCharsMax} characters`);
  }
  const old = state.nodes.get(id);
  if (old?.membership === 'removed') {
    reject(
      'NODE_REMOVED',
      `node ${id} was removed from the cluster and never joins again: start the new node with another id and an empty data directory`,
    );
  }
  if (old === undefined && state.nodes.size >= limits.nodesMax) {
    reject('RESOURCE_EXHAUSTED', `the cluster may hold at most ${limits.nodesMax} nodes`);
  }
  const node = {
    id,
    address: c.address,
    peerAddress: c.peerAddress ?? old?.peerAddress ?? '',
    alive: true,
    registeredAtMs: old?.registeredAtMs ?? ctx.timestampMs,
    statusChangedAtMs: old?.alive === true ? old.statusChangedAtMs : ctx.timestampMs,
    membership: old?.membership ?? 'active',
  };
  return ok({ ...state, nodes: new Map(state.nodes).set(id, node) });
}

function setNodeAlive(state: ControllerState, c: Command<'set-node-alive'>, ctx: ApplyContext): Outcome {
  const id = requireNodeId(c.nodeId);
  const old = state.nodes.get(id);
  if (old === undefined) reject('INVALID_ARGUMENT', `node ${id} is not registered`);
  if (typeof c.alive !== 'boolean') reject('INVALID_ARGUMENT', 'alive must be a boolean');
  if (old.alive === c.alive || old.membership === 'removed') return ok(state);
  const node = { ...old, alive: c.alive, statusChangedAtMs: ctx.timestampMs };
  return ok({ ...state, nodes: new Map(state.nodes).set(id, node) });
}

function unregisterNode(state: ControllerState, c: Command<'unregister-node'>): Outcome {
  const id = requireNodeId(c.nodeId);
  if (!state.nodes.has(id)) reject('INVALID_ARGUMENT', `node ${id} is not registered`);
  const load = nodeLoads(state.topics.values()).get(id);
  if (load !== undefined) {
    reject('INVALID_ARGUMENT', `node ${id} still holds ${load.replicas} replicas; move them first`);
  }
  const nodes = new Map(state.nodes);
  nodes.delete(id);
  return ok({ ...state, nodes });
}

function reassignPartition(state: ControllerState, c: Command<'reassign-partition'>): Outcome {
  const topic = requireTopic(state, c.topic);
  const assignment = requirePartition(topic, c.partition);
  const what = `${c.topic}/${assignment.partition}`;
  if (!Array.isArray(c.replicas)) reject('INVALID_ARGUMENT', 'replicas must be a list of node ids');
  const replicas = c.replicas.map(requireNodeId);
  if (new Set(replicas).size !== replicas.length) reject('INVALID_ARGUMENT', 'replicas must be distinct');
  if (replicas.length !== assignment.replicas.length) {
    reject(
      'INVALID_ARGUMENT',
      `partition ${what} has ${assignment.replicas.length} replicas and a move keeps that many (AddReplica and RemoveReplica change the count)`,
    );
  }
  if (assignment.targetReplicas !== null) {
    // The same move again is a retry whose first answer was lost: it is recorded already.
    if (sameOrder(replicas, assignment.targetReplicas)) {
      return ok(state, { type: 'assignment', topic: topic.name, assignment });
    }
    reject(
      'REASSIGNMENT_IN_PROGRESS',
      `partition ${what} is already moving to [${assignment.targetReplicas.join(', ')}]; retry once that move completes`,
    );
  }
  const active = activeNodeIds(state);
  const unfit = replicas.find((id) => !assignment.replicas.includes(id) && !active.includes(id));
  if (unfit !== undefined)
    reject('INVALID_ARGUMENT', `node ${unfit} is not a registered live node (or is being decommissioned)`);
  if (sameOrder(replicas, assignment.replicas))
    return ok(state, { type: 'assignment', topic: topic.name, assignment });
  return withAssignment(state, topic, { ...assignment, targetReplicas: replicas });
}

function decommissionNode(
  state: ControllerState,
  c: Command<'decommission-node'>,
  ctx: ApplyContext,
): Outcome {
  const id = requireNodeId(c.nodeId);
  const node = state.nodes.get(id);
  if (node === undefined) reject('INVALID_ARGUMENT', `node ${id} is not registered`);
  if (node.membership === 'removed') reject('NODE_REMOVED', `node ${id} was already removed`);
  if (node.membership === 'draining') return ok(state);
  const remaining = activeNodeIds(state).filter((n) => n !== id);
  if (remaining.length === 0) reject('CLUSTER_TOO_SMALL', `node ${id} is the last live active node`);
  for (const topic of state.topics.values()) {
    if (topic.replicationFactor > remaining.length) {
      reject(
        'CLUSTER_TOO_SMALL',
        `removing node ${id} would leave ${remaining.length} live nodes, fewer than the ` +
          `${topic.replicationFactor} replicas of topic '${topic.name}': add a node first`,
      );
    }
  }
  const draining: NodeInfo = { ...node, membership: 'draining', statusChangedAtMs: ctx.timestampMs };
  return ok({ ...state, nodes: new Map(state.nodes).set(id, draining) });
}

function finishNodeRemoval(
  state: ControllerState,
  c: Command<'finish-node-removal'>,
  ctx: ApplyContext,
): Outcome {
  const id = requireNodeId(c.nodeId);
  const node = state.nodes.get(id);
  if (node?.membership !== 'draining') reject('INVALID_ARGUMENT', `node ${id} is not being decommissioned`);
  const load = nodeLoads(state.topics.values()).get(id);
  if (load !== undefined)
    reject('INVALID_ARGUMENT', `node ${id} still holds ${load.replicas} replicas; they move first`);
  const removed: NodeInfo = {
    ...node,
    membership: 'removed',
    alive: false,
    statusChangedAtMs: ctx.timestampMs,
  };
  return ok({ ...state, nodes: new Map(state.nodes).set(id, removed) });
}

function allocateProducerIds(state: ControllerState, c: Command<'allocate-producer-ids'>): Outcome {
  const count = requireInteger(c.count, 1, limits.producerIdBlockSizeMax, 'producer id block size');
  if (state.nextProducerId + count > Number.MAX_SAFE_INTEGER)
    reject('RESOURCE_EXHAUSTED', 'producer ids are exhausted');
  const first = producerId(state.nextProducerId);
  return ok(
    { ...state, nextProducerId: state.nextProducerId + count },
    { type: 'producer-ids', firstProducerId: first, count },
  );
}

/** The active version only grows: a raise to it or below is refused (a stale or repeated proposal). */
function raiseActiveVersion(state: ControllerState, c: Command<'raise-active-version'>): Outcome {
  const version = requireInteger(c.version, 1, logicalVersionMax, 'version');
  if (version <= state.activeVersion) {
    reject('INVALID_ARGUMENT', `active version is ${state.activeVersion} already; it never goes down`);
  }
  return ok({ ...state, activeVersion: version });
}

const txnOutcome = (o: TxnOutcome): [ControllerState, ControllerOutput] => [o.state, o.output];

function dispatch(state: ControllerState, c: ControllerCommand, ctx: ApplyContext): Outcome {
  switch (c.type) {
    case 'register-node':
      return registerNode(state, c, ctx);
    case 'set-node-alive':
      return setNodeAlive(state, c, ctx);
    case 'unregister-node':
      return unregisterNode(state, c);
    case 'create-topic':
      return createTopic(state, c, ctx);
    case 'create-topics':
      return createTopics(state, c, ctx);
    case 'update-topic-config':
      return updateTopicConfig(state, c);
    case 'add-partitions':
      return addPartitions(state, c);
    case 'delete-topic':
      return deleteTopic(state, c);
    case 'add-replica':
    case 'remove-replica':
      return startReassignment(state, c);
    case 'complete-reassignment':
      return completeReassignment(state, c);
    case 'reassign-partition':
      return reassignPartition(state, c);
    case 'decommission-node':
      return decommissionNode(state, c, ctx);
    case 'finish-node-removal':
      return finishNodeRemoval(state, c, ctx);
    case 'allocate-producer-ids':
      return allocateProducerIds(state, c);
    case 'raise-active-version':
      return raiseActiveVersion(state, c);
    case 'init-transactional-id':
    case 'expire-transactional-ids':
    case 'add-partitions-to-txn':
    case 'add-offsets-to-txn':
    case 'txn-offset-commit':
    case 'prepare-end-txn':
    case 'complete-end-txn':
    case 'abort-timed-out-txn':
      return ok(...txnOutcome(applyTxnCommand(state, c, ctx)));
    case 'group': {
      const applied = applyGroupCommand(state, c.command, ctx);
      return ok(applied.state, { type: 'group', output: applied.output });
    }
    case 'upsert-user':
    case 'delete-user':
    case 'add-acls':
    case 'remove-acls':
    case 'set-quota':
    case 'init-token-key': {
      const applied = applySecurityCommand(state.security, c, ctx.index);
      const output: ControllerOutput =
        c.type === 'remove-acls' ? { type: 'removed', count: applied.count } : { type: 'done' };
      return ok({ ...state, security: applied.security }, output);
    }
    default:
      return assertNever(c, 'controller command');
  }
}

/**
 * Applies one committed controller command. Every replica computes the same state and result: the
 * command and the leader's timestamp are the only inputs. A rejected command changes nothing but
 * `appliedIndex`.
 */
export function applyControllerCommand(
  state: ControllerState,
  command: ControllerCommand,
  ctx: ApplyContext,
): Outcome {
  assert(
    Number.isSafeInteger(ctx.index) && ctx.index > state.appliedIndex,
    `controller entry ${ctx.index} applied after ${state.appliedIndex}`,
  );
  assert(Number.isSafeInteger(ctx.timestampMs), `timestamp ${ctx.timestampMs} is not an integer`);
  let outcome: Outcome;
  try {
    outcome = dispatch(state, command, ctx);
  } catch (error) {
    if (!(error instanceof RaftlogError)) throw error;
    outcome = { state, result: { ok: false, code: error.code, message: error.message } };
  }
  return { state: { ...outcome.state, appliedIndex: ctx.index }, result: outcome.result };
}

export type { Outcome as ControllerApplyOutcome };
