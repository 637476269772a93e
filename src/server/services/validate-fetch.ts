import { RaftlogError } from '../../../lib/index.js';
import type { FetchPartition } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import type { FetchTarget } from './fetch-partitions.js';
import { nonNegativeFromInt64 } from './proto-mapping.js';
import { checkNoDuplicates, checkTopicName } from './validate-request.js';

/**
 * The partitions of a Fetch or FetchStream, checked as a whole: a malformed entry fails the call,
 * because it is the client's bug; what depends on the cluster (leadership, ranges) is reported per
 * partition instead.
 */
export function validateFetchTargets(
  partitions: readonly FetchPartition[],
  partitionsMax: number,
): FetchTarget[] {
  if (partitions.length === 0)
    throw new RaftlogError('INVALID_ARGUMENT', 'a fetch needs at least one partition');
  if (partitions.length > partitionsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `a fetch may name at most ${partitionsMax} partitions, got ${partitions.length}`,
    );
  }
  const targets = partitions.map((p) => ({
    topic: checkTopicName(p.topic),
    partition: p.partition,
    offset: nonNegativeFromInt64(p.offset, `offset of ${p.topic}/${p.partition}`),
    partitionBytesMax: p.partitionMaxBytes,
  }));
  checkNoDuplicates(targets, 'the fetch');
  return targets;
}

/** max_bytes = 0 takes the default; anything above the limit is clamped rather than refused. */
export function responseBytesMax(
  requested: number,
  limits: { fetchBytesMaxDefault: number; fetchBytesMax: number },
): number {
  return requested === 0 ? limits.fetchBytesMaxDefault : Math.min(requested, limits.fetchBytesMax);
}

/**
 * min_bytes above what one response may carry can never be met: every such fetch would wait its full
 * max_wait_ms for nothing. Refused so the client's bug shows at once instead of as a slow consumer.
 */
export function checkMinBytes(minBytes: number, bytesMax: number): number {
  if (minBytes > bytesMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `min_bytes ${minBytes} exceeds the ${bytesMax} bytes a response may carry (max_bytes, clamped)`,
    );
  }
  return Math.max(1, minBytes);
}
