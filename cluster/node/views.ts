import type { NodeId } from '../../lib/index.js';
import type { RaftStatus } from '../../raft/index.js';
import type { ControllerState, PartitionAssignment, TopicInfo } from '../controller/index.js';
import type { BrokerView, PartitionView, TopicView } from './node-api.js';
import type { LocalPartition } from './partition-ops.js';

/** How far behind the leader's last index a replica may be and still count as in sync. */
const inSyncLagEntriesMax = 1_000;

/**
 * Whether the leader heard from a node recently (any frame, node keepalives included, within one
 * election timeout). Kafka drops a follower from the ISR after replica.lag.time.max.ms without it
 * catching up; here a replica is in sync only while its node is heard from and its log is within
 * inSyncLagEntriesMax of the leader's. Raft progress alone cannot say it: a dead follower keeps its
 * last match index, and a quiesced group sends no heartbeats, so liveness comes from the host.
 */
export type HeardFrom = (node: NodeId) => boolean;

export function brokerViews(state: ControllerState): BrokerView[] {
  return [...state.nodes.values()]
    .sort((a, b) => a.id - b.id)
    .map((n) => ({ nodeId: n.id, address: n.address, peerAddress: n.peerAddress, alive: n.alive }));
}

/** Who leads a partition this node does not host, as far as it can tell (0: it cannot). */
export type UnhostedLeader = (a: PartitionAssignment) => NodeId | 0;

const noLeader: UnhostedLeader = () => 0;

export function partitionView(
  topic: string,
  a: PartitionAssignment,
  local: LocalPartition | undefined,
  heardFrom: HeardFrom,
  unhostedLeader: UnhostedLeader = noLeader,
): PartitionView {
  // One object per partition, built once: a status of 10,000 partitions makes 10,000 of them.
  if (local === undefined) {
    return {
      topic,
      partition: a.partition,
      groupId: a.groupId,
      replicas: a.replicas,
      targetReplicas: a.targetReplicas ?? [],
      leaderId: unhostedLeader(a),
      term: 0,
      inSync: [],
      learners: [],
      commitIndex: 0,
      highWatermark: -1,
      logStartOffset: -1,
      lastStableOffset: -1,
    };
  }
  const status = local.group.status();
  const sm = local.replica.state;
  return {
    topic,
    partition: a.partition,
    groupId: a.groupId,
    replicas: status.confState.voters.length > 0 ? [...status.confState.voters] : a.replicas,
    targetReplicas: a.targetReplicas ?? [],
    leaderId: status.leader,
    term: status.term,
    inSync: inSyncReplicas(local, heardFrom, status),
    learners: status.confState.learners,
    commitIndex: status.commit,
    highWatermark: sm.highWatermark,
    logStartOffset: sm.logStartOffset,
    lastStableOffset: sm.lastStableOffset,
  };
}

/** The replicas in sync with this node's log, as a leader sees them; empty on a follower. */
export function inSyncReplicas(
  local: LocalPartition,
  heardFrom: HeardFrom,
  // A status (with a copy of every follower's progress on a leader) costs allocations: a view of
  // thousands of partitions passes the one it already has.
  status: RaftStatus = local.group.status(),
): NodeId[] {
  const inSync: NodeId[] = [];
  for (const [id, p] of status.progress ?? []) {
    const live = id === status.id || heardFrom(id);
    if (live && status.lastIndex - p.match <= inSyncLagEntriesMax) inSync.push(id);
  }
  return inSync.sort((x, y) => x - y);
}

export function topicView(
  t: TopicInfo,
  local: (groupId: number) => LocalPartition | undefined,
  heardFrom: HeardFrom,
  unhostedLeader: UnhostedLeader = noLeader,
): TopicView {
  return {
    name: t.name,
    partitions: t.partitions.length,
    replicationFactor: t.replicationFactor,
    config: t.config,
    createdAtMs: t.createdAtMs,
    partitionViews: t.partitions.map((a) =>
      partitionView(t.name, a, local(a.groupId), heardFrom, unhostedLeader),
    ),
  };
}
