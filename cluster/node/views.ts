import type { NodeId } from '../../lib/index.js';
import type { ControllerState, PartitionAssignment, TopicInfo } from '../controller/index.js';
import type { BrokerView, PartitionView, TopicView } from './node-api.js';
import type { LocalPartition } from './partition-ops.js';

/** How far behind the leader's last index a replica may be and still count as in sync. */
const inSyncLagEntriesMax = 1_000;

export function brokerViews(state: ControllerState): BrokerView[] {
  return [...state.nodes.values()]
    .sort((a, b) => a.id - b.id)
    .map((n) => ({ nodeId: n.id, address: n.address, alive: n.alive }));
}

export function partitionView(
  topic: string,
  a: PartitionAssignment,
  local: LocalPartition | undefined,
): PartitionView {
  const base = {
    topic,
    partition: a.partition,
    groupId: a.groupId,
    replicas: a.replicas,
  };
  if (local === undefined) {
    return {
      ...base,
      leaderId: 0,
      term: 0,
      inSync: [],
      learners: [],
      commitIndex: 0,
      highWatermark: -1,
      logStartOffset: -1,
      lastStableOffset: -1,
    };
  }
  const status = local.group.raw.status();
  const sm = local.replica.state;
  const inSync: NodeId[] = [];
  if (status.progress) {
    for (const [id, p] of status.progress)
      if (status.lastIndex - p.match <= inSyncLagEntriesMax) inSync.push(id);
  }
  return {
    ...base,
    replicas: status.confState.voters.length > 0 ? [...status.confState.voters] : a.replicas,
    leaderId: status.leader,
    term: status.term,
    inSync: inSync.sort((x, y) => x - y),
    learners: status.confState.learners,
    commitIndex: status.commit,
    highWatermark: sm.highWatermark,
    logStartOffset: sm.logStartOffset,
    lastStableOffset: sm.lastStableOffset,
  };
}

export function topicView(t: TopicInfo, local: (groupId: number) => LocalPartition | undefined): TopicView {
  return {
    name: t.name,
    partitions: t.partitions.length,
    replicationFactor: t.replicationFactor,
    config: t.config,
    createdAtMs: t.createdAtMs,
    partitionViews: t.partitions.map((a) => partitionView(t.name, a, local(a.groupId))),
  };
}
