import type { MessageInitShape } from '@bufbuild/protobuf';
import { OffsetOutOfRangeError, type LogPositions, type RaftlogError } from '../../../lib/index.js';
import type { FetchOutcome } from '../../../cluster/node/node-api.js';
import type { FetchedPartitionSchema } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { clientError, errorDetail } from './error-detail.js';
import { int64, type Isolation } from './proto-mapping.js';
import type { ServiceDeps } from './service-deps.js';

export interface FetchTarget {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** 0: only the response's limit applies. */
  readonly partitionBytesMax: number;
}

/** One partition's part of a fetch round; `skipped` when the response was full before its turn. */
export type PartitionRead =
  | { readonly target: FetchTarget; readonly kind: 'read'; readonly outcome: FetchOutcome }
  | { readonly target: FetchTarget; readonly kind: 'failed'; readonly error: RaftlogError }
  | { readonly target: FetchTarget; readonly kind: 'skipped' };

export type FetchedPartitionInit = MessageInitShape<typeof FetchedPartitionSchema>;

/**
 * Reads the targets in order within one byte budget. Like Kafka, the first partition with data may
 * exceed the budget by one batch so a large batch never blocks a consumer; after that, a partition
 * whose data would overflow the response keeps its watermarks but returns no records.
 */
export async function fetchRound(
  deps: ServiceDeps,
  targets: readonly FetchTarget[],
  responseBytesMax: number,
  isolation: Isolation,
  replicaRead = false,
): Promise<PartitionRead[]> {
  const reads: PartitionRead[] = [];
  let bytes = 0;
  for (const target of targets) {
    const remaining = responseBytesMax - bytes;
    if (remaining <= 0) {
      reads.push({ target, kind: 'skipped' });
      continue;
    }
    const read = await readPartition(deps, target, remaining, isolation, replicaRead);
    if (read.kind !== 'read') {
      reads.push(read);
    } else if (bytes > 0 && read.outcome.records.length > remaining) {
      reads.push({ target, kind: 'read', outcome: withoutRecords(read.outcome, target) });
    } else {
      bytes += read.outcome.records.length;
      reads.push(read);
    }
  }
  return reads;
}

async function readPartition(
  deps: ServiceDeps,
  target: FetchTarget,
  remaining: number,
  isolation: Isolation,
  replicaRead: boolean,
): Promise<PartitionRead> {
  const bytesMax = target.partitionBytesMax === 0 ? remaining : Math.min(target.partitionBytesMax, remaining);
  try {
    const outcome = await deps.api.fetch({
      topic: target.topic,
      partition: target.partition,
      offset: target.offset,
      bytesMax,
      isolation,
      ...(replicaRead ? { replicaRead } : {}),
    });
    return { target, kind: 'read', outcome };
  } catch (error) {
    return { target, kind: 'failed', error: clientError(error, deps.logger, 'fetch') };
  }
}

function withoutRecords(outcome: FetchOutcome, target: FetchTarget): FetchOutcome {
  return { ...outcome, records: new Uint8Array(0), nextOffset: target.offset, abortedTransactions: [] };
}

export const readBytes = (reads: readonly PartitionRead[]): number =>
  reads.reduce((sum, r) => sum + (r.kind === 'read' ? r.outcome.records.length : 0), 0);

/**
 * The wire form; watermarks are -1 where this response does not know them (skipped, or failed with
 * anything but OFFSET_OUT_OF_RANGE, whose positions the client needs to reset its own).
 */
export function fetchedPartition(read: PartitionRead): FetchedPartitionInit {
  const { topic, partition, offset } = read.target;
  if (read.kind !== 'read') {
    const known = read.kind === 'failed' && read.error instanceof OffsetOutOfRangeError;
    const marks = {
      ...(known ? wirePositions(read.error.positions) : unknownPositions),
      nextOffset: int64(offset),
    };
    return read.kind === 'failed'
      ? { topic, partition, ...marks, error: errorDetail(read.error) }
      : { topic, partition, ...marks };
  }
  const o = read.outcome;
  return {
    topic,
    partition,
    ...wirePositions(o),
    abortedTransactions: o.abortedTransactions.map((t) => ({
      producerId: int64(t.producerId),
      firstOffset: int64(t.firstOffset),
    })),
    records: o.records,
    nextOffset: int64(o.nextOffset),
  };
}

const unknownPositions = { highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n };

const wirePositions = (p: LogPositions) => ({
  highWatermark: int64(p.highWatermark),
  lastStableOffset: int64(p.lastStableOffset),
  logStartOffset: int64(p.logStartOffset),
});
