import type { MessageInitShape } from '@bufbuild/protobuf';
import type { FetchOutcome } from '../../../cluster/node/node-api.js';
import type { CallContext, ResponseHold } from '../../../rpc/index.js';
import type {
  FetchStreamRequest,
  FetchStreamResponseSchema,
} from '../../../proto/gen/raftlog/v1/broker_pb.js';
import {
  fetchedPartition,
  fetchRound,
  readBytes,
  type FetchTarget,
  type PartitionRead,
} from './fetch-partitions.js';
import { isolationFromProto } from './proto-mapping.js';
import type { ServiceDeps } from './service-deps.js';
import { responseBytesMax, validateFetchTargets } from './validate-fetch.js';
import { waitForAnyData } from './wait-for-data.js';

type Response = MessageInitShape<typeof FetchStreamResponseSchema>;

interface Followed {
  target: FetchTarget;
  /** Watermarks last pushed, to push a partition again only when something moved. */
  sent: string | undefined;
}

/**
 * FetchStream: a long poll that never ends by itself. Each round reads all followed partitions
 * (starting one further each round, so a busy partition cannot starve the others), pushes what has
 * records or moved watermarks, and waits for data when nothing came back. A silent stream gets a
 * heartbeat with every partition's watermarks. A partition that fails is pushed once with its error
 * and no longer followed (the client re-subscribes where the error points); the stream ends when none
 * is left. The adapter pulls the next push only after the previous one drained, which bounds buffering;
 * after a round that found records the next round's reads start before that push drains (one round
 * ahead, so at most two responses' bytes are held), so storage reads overlap the network instead of
 * taking turns with it.
 */
export async function* fetchStream(
  deps: ServiceDeps,
  request: FetchStreamRequest,
  context: CallContext,
): AsyncGenerator<Response> {
  const { limits } = deps;
  const followed: Followed[] = validateFetchTargets(request.partitions, limits.fetchStreamPartitionsMax).map(
    (target) => ({ target, sent: undefined }),
  );
  const bytesMax = responseBytesMax(request.maxBytes, limits);
  const isolation = isolationFromProto(request.isolationLevel);
  const heartbeatMs =
    request.heartbeatIntervalMs === 0
      ? 0
      : Math.max(request.heartbeatIntervalMs, limits.fetchStreamHeartbeatMsMin);
  let round = 0;
  let pushedAt = Date.now();
  const startRound = (): Round => readRound(deps, context, rotate(followed, round++), bytesMax, isolation);
  let ahead: Round | undefined;
  while (followed.length > 0 && !context.signal.aborted) {
    const { order, reads: reading } = ahead ?? startRound();
    ahead = undefined;
    const { reads, hold } = await reading;
    const heartbeatDue = heartbeatMs > 0 && Date.now() - pushedAt >= heartbeatMs;
    const pushed = advance(order, reads, heartbeatDue);
    removeFailed(followed, reads);
    const more = reads.some(hasRecords);
    if (more && followed.length > 0) ahead = startRound();
    if (pushed.length > 0 && !context.signal.aborted) {
      hold.resizeTo(readBytes(reads));
      yield { partitions: pushed.map(fetchedPartition) };
      pushedAt = Date.now();
    }
    // The adapter resumes this generator only once the push went out to HTTP/2.
    hold.release();
    if (more || followed.length === 0) continue;
    const waitMs = heartbeatMs > 0 ? pushedAt + heartbeatMs - Date.now() : limits.fetchWaitMsMax;
    const positions = followed.map((f) => f.target);
    await waitForAnyData(deps.api, positions, waitMs, limits.fetchRepollMsMin, context.signal);
  }
}

/** One round's reads, in the order they were issued, and the room its push holds on the connection. */
interface Round {
  readonly order: readonly Followed[];
  readonly reads: Promise<{ reads: PartitionRead[]; hold: ResponseHold }>;
}

/**
 * Starts a round from the followed partitions' current offsets. A round read ahead may be dropped
 * unread (the client went away meanwhile): its failure is observed here so it is never unhandled,
 * and still thrown to whoever awaits it.
 */
function readRound(
  deps: ServiceDeps,
  context: CallContext,
  order: readonly Followed[],
  bytesMax: number,
  isolation: ReturnType<typeof isolationFromProto>,
): Round {
  const targets = order.map((f) => f.target);
  const reads = context.holdResponseBytes(bytesMax).then(async (hold) => ({
    hold,
    reads: await fetchRound(deps, targets, bytesMax, isolation),
  }));
  reads.catch(() => undefined);
  return { order, reads };
}

/** Moves each partition past what was read and picks what the next push carries. */
function advance(
  order: readonly Followed[],
  reads: readonly PartitionRead[],
  heartbeat: boolean,
): PartitionRead[] {
  const pushed: PartitionRead[] = [];
  reads.forEach((read, i) => {
    const f = order[i];
    if (f === undefined || read.kind === 'skipped') return;
    if (read.kind === 'failed') {
      pushed.push(read);
      return;
    }
    const marks = watermarks(read.outcome);
    if (hasRecords(read) || marks !== f.sent || heartbeat) pushed.push(read);
    f.sent = marks;
    f.target = { ...f.target, offset: read.outcome.nextOffset };
  });
  return pushed;
}

function removeFailed(followed: Followed[], reads: readonly PartitionRead[]): void {
  for (const read of reads) {
    if (read.kind !== 'failed') continue;
    const i = followed.findIndex(
      (f) => f.target.topic === read.target.topic && f.target.partition === read.target.partition,
    );
    if (i >= 0) followed.splice(i, 1);
  }
}

const hasRecords = (read: PartitionRead): boolean => read.kind === 'read' && read.outcome.records.length > 0;

const watermarks = (o: FetchOutcome): string =>
  `${o.highWatermark}/${o.lastStableOffset}/${o.logStartOffset}`;

function rotate<T>(items: readonly T[], by: number): T[] {
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
