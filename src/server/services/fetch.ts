import type { MessageInitShape } from '@bufbuild/protobuf';
import { replicaReadHeader } from '../../../cluster/node/index.js';
import type { CallContext } from '../../../rpc/index.js';
import type { FetchRequest, FetchResponseSchema } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { fetchedPartition, fetchRound, readBytes, type PartitionRead } from './fetch-partitions.js';
import { isolationFromProto } from './proto-mapping.js';
import type { ServiceDeps } from './service-deps.js';
import { checkMinBytes, responseBytesMax, validateFetchTargets } from './validate-fetch.js';
import { waitForAnyData } from './wait-for-data.js';

type Response = MessageInitShape<typeof FetchResponseSchema>;

/**
 * Fetch: reads every partition; while fewer than min_bytes (at least one byte) came back and no
 * partition failed, waits for data on any of them until max_wait_ms, then reads again.
 */
export async function fetch(
  deps: ServiceDeps,
  request: FetchRequest,
  context: CallContext,
): Promise<Response> {
  const targets = validateFetchTargets(request.partitions, deps.limits.fetchPartitionsMax);
  const bytesMax = responseBytesMax(request.maxBytes, deps.limits);
  const enoughBytes = checkMinBytes(request.minBytes, bytesMax);
  const isolation = isolationFromProto(request.isolationLevel);
  const waitMs = Math.min(request.maxWaitMs, deps.limits.fetchWaitMsMax);
  const until = Math.min(Date.now() + waitMs, context.deadlineMs);
  // Another node filling a gap a snapshot install left reads from whichever replica has the data.
  const replicaRead = context.metadata.get(replicaReadHeader)[0] === '1';
  for (;;) {
    // Held until the answer went out (the adapter ends the call's holds), so a client that does not
    // read its answers stops this connection's fetches instead of piling them up in the node.
    const hold = await context.holdResponseBytes(bytesMax);
    const reads = await fetchRound(deps, targets, bytesMax, isolation, replicaRead);
    const remainingMs = until - Date.now();
    const bytes = readBytes(reads);
    if (bytes >= enoughBytes || reads.some((r) => r.kind === 'failed') || remainingMs <= 0) {
      hold.resizeTo(bytes);
      return { partitions: reads.map(fetchedPartition) };
    }
    hold.release();
    if (context.signal.aborted) return { partitions: [] };
    await waitForAnyData(
      deps.api,
      positionsAfter(reads),
      remainingMs,
      deps.limits.fetchRepollMsMin,
      context.signal,
    );
  }
}

/** Where new data would appear: after what this round returned. */
function positionsAfter(reads: readonly PartitionRead[]) {
  return reads.map((r) => ({
    topic: r.target.topic,
    partition: r.target.partition,
    offset: r.kind === 'read' ? r.outcome.nextOffset : r.target.offset,
  }));
}
