import type { NodeId, PartitionId } from '../../lib/index.js';
import type { PartitionStore } from '../../storage/index.js';
import type { ControllerState } from '../controller/index.js';
import type { RaftGroup } from '../host/index.js';
import type { LocalPartition } from './partition-ops.js';

/** One partition replica on this node, as a metrics exporter reads it at scrape time. */
export interface PartitionGauges {
  readonly topic: string;
  readonly partition: number;
  /** 0 when this replica knows no leader. */
  readonly leaderId: NodeId | 0;
  readonly isLeader: boolean;
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  /** The last Raft log index written to this node's disk with an fsync. */
  readonly fsyncedIndex: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  /** Bytes of the stored batches from the log start to the end (one index seek). */
  readonly bytesOnDisk: () => Promise<number>;
}

/** Gauges of the local replicas, at most `partitionsMax` of them, sorted by topic then partition. */
export function partitionGauges(
  state: ControllerState,
  local: ReadonlyMap<number, LocalPartition>,
  store: PartitionStore,
  partitionsMax: number,
): PartitionGauges[] {
  const out: PartitionGauges[] = [];
  for (const name of [...state.topics.keys()].sort()) {
    for (const a of state.topics.get(name)?.partitions ?? []) {
      if (out.length >= partitionsMax) return out;
      const replica = local.get(a.groupId);
      if (replica !== undefined) out.push(gaugesOf(name, a.partition, replica, store));
    }
  }
  return out;
}

function gaugesOf(
  topic: string,
  partition: number,
  p: LocalPartition,
  store: PartitionStore,
): PartitionGauges {
  const status = p.group.status();
  const sm = p.replica.state;
  const key: PartitionId = p.replica.partitionKey;
  return {
    topic,
    partition,
    leaderId: status.leader,
    isLeader: status.role === 'leader',
    term: status.term,
    commitIndex: status.commit,
    appliedIndex: status.applied,
    fsyncedIndex: p.group.storage.lastIndex(),
    highWatermark: sm.highWatermark,
    logStartOffset: sm.logStartOffset,
    bytesOnDisk: () => store.retainedBytes(key),
  };
}

/**
 * Whether this node hears from a majority of the controller's voters, itself included: a frame from
 * each within one election timeout (nodes send keepalives, so a live peer is always heard from).
 */
export function reachesControllerQuorum(
  self: NodeId,
  controller: RaftGroup | undefined,
  isAlive: (peer: NodeId) => boolean,
): boolean {
  if (controller === undefined) return false;
  const voters = controller.status().confState.voters;
  const reached = voters.filter((v) => v === self || isAlive(v)).length;
  return reached * 2 > voters.length;
}
