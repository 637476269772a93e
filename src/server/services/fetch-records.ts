import type { MessageInitShape } from '@bufbuild/protobuf';
import type { FetchOutcome } from '../../../cluster/node/node-api.js';
import type { CallContext } from '../../../rpc/index.js';
import type {
  FetchRecordsRequest,
  FetchRecordsResponseSchema,
  FetchRecordsStreamRequest,
  FetchRecordsStreamResponseSchema,
} from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { int64, isolationFromProto, nonNegativeFromInt64 } from './proto-mapping.js';
import { visibleRecords } from './record-codec.js';
import type { ServiceDeps } from './service-deps.js';
import { checkTopicName } from './validate-request.js';
import { responseBytesMax } from './validate-fetch.js';
import { waitForAnyData } from './wait-for-data.js';

type Response = MessageInitShape<typeof FetchRecordsResponseSchema>;
type StreamResponse = MessageInitShape<typeof FetchRecordsStreamResponseSchema>;

interface Target {
  readonly topic: string;
  readonly partition: number;
  offset: number;
  readonly recordsMax: number;
  readonly bytesMax: number;
  readonly isolation: 'read-uncommitted' | 'read-committed';
}

function target(deps: ServiceDeps, request: FetchRecordsRequest | FetchRecordsStreamRequest): Target {
  const { limits } = deps;
  return {
    topic: checkTopicName(request.topic),
    partition: request.partition,
    offset: nonNegativeFromInt64(request.offset, 'offset'),
    recordsMax: Math.min(
      request.maxRecords === 0 ? limits.fetchRecordsDefault : request.maxRecords,
      limits.fetchRecordsMax,
    ),
    bytesMax: responseBytesMax(request.maxBytes, limits),
    isolation: isolationFromProto(request.isolationLevel),
  };
}

/** One read of the leader's log, decoded; the target moves past what it returned. */
async function readOnce(deps: ServiceDeps, t: Target) {
  const outcome = await deps.api.fetch({
    topic: t.topic,
    partition: t.partition,
    offset: t.offset,
    bytesMax: t.bytesMax,
    isolation: t.isolation,
  });
  const end = t.isolation === 'read-committed' ? outcome.lastStableOffset : outcome.highWatermark;
  const aborted = t.isolation === 'read-committed' ? outcome.abortedTransactions : [];
  const range = visibleRecords(outcome.records, t.offset, end, t.recordsMax, aborted);
  // Unless max_records cut the answer short, the read's own next offset holds: past batches that
  // compaction emptied or removed, up to the end, which the records alone would not move beyond.
  const whole = range.records.length < t.recordsMax;
  const next = whole ? Math.max(range.nextOffset, Math.min(outcome.nextOffset, end)) : range.nextOffset;
  t.offset = Math.max(t.offset, next);
  return {
    records: range.records.map((r) => ({
      topic: t.topic,
      partition: t.partition,
      offset: int64(r.offset),
      record: {
        ...(r.key === null ? {} : { key: r.key }),
        ...(r.value === null ? {} : { value: r.value }),
        headers: r.headers.map((h) => (h.value === null ? { key: h.key } : { key: h.key, value: h.value })),
        timestampMs: int64(r.timestampMs),
      },
    })),
    nextOffset: int64(t.offset),
    ...positions(outcome),
  };
}

function positions(o: FetchOutcome) {
  return {
    highWatermark: int64(o.highWatermark),
    lastStableOffset: int64(o.lastStableOffset),
    logStartOffset: int64(o.logStartOffset),
  };
}

/** FetchRecords: reads once, and when nothing is visible yet waits up to max_wait_ms for more. */
export async function fetchRecords(
  deps: ServiceDeps,
  request: FetchRecordsRequest,
  context: CallContext,
): Promise<Response> {
  const t = target(deps, request);
  const until = Math.min(
    Date.now() + Math.min(request.maxWaitMs, deps.limits.fetchWaitMsMax),
    context.deadlineMs,
  );
  for (;;) {
    // Held until the answer went out: see fetch.ts.
    const hold = await context.holdResponseBytes(t.bytesMax);
    const response = await readOnce(deps, t);
    const remainingMs = until - Date.now();
    if (response.records.length > 0 || remainingMs <= 0 || context.signal.aborted) return response;
    hold.release();
    await waitForAnyData(deps.api, [t], remainingMs, deps.limits.fetchRepollMsMin, context.signal);
  }
}

/**
 * FetchRecordsStream: pushes records as they become visible, a heartbeat after the requested
 * silence, and ends with the read's error (NOT_LEADER with the new leader) when the partition can no
 * longer be read here. The adapter pulls the next push only after the previous one drained.
 */
export async function* fetchRecordsStream(
  deps: ServiceDeps,
  request: FetchRecordsStreamRequest,
  context: CallContext,
): AsyncGenerator<StreamResponse> {
  const t = target(deps, request);
  const { limits } = deps;
  const heartbeatMs =
    request.heartbeatIntervalMs === 0
      ? 0
      : Math.max(request.heartbeatIntervalMs, limits.fetchStreamHeartbeatMsMin);
  let pushedAt = Date.now();
  let sent = '';
  while (!context.signal.aborted) {
    // The adapter resumes this generator only once the push went out to HTTP/2.
    const hold = await context.holdResponseBytes(t.bytesMax);
    const response = await readOnce(deps, t);
    const marks = `${response.nextOffset}/${response.highWatermark}/${response.lastStableOffset}/${response.logStartOffset}`;
    const hasRecords = response.records.length > 0;
    if (hasRecords || marks !== sent || (heartbeatMs > 0 && Date.now() - pushedAt >= heartbeatMs)) {
      yield response;
      pushedAt = Date.now();
      sent = marks;
    }
    hold.release();
    if (hasRecords) continue;
    const waitMs = heartbeatMs > 0 ? pushedAt + heartbeatMs - Date.now() : limits.fetchWaitMsMax;
    await waitForAnyData(deps.api, [t], waitMs, limits.fetchRepollMsMin, context.signal);
  }
}
