import { RaftlogError } from '../../lib/index.js';
import type { ControllerState, TransactionalIdInfo } from '../controller/index.js';
import { encodeMarkerBatch, type PartitionResult } from '../partition/index.js';
import { catchUpController, type CatchUpContext } from './controller-wait.js';
import type { LocalPartition } from './partition-ops.js';
import { proposePartitionEntry } from './propose-partition.js';
import type { MarkerRequest, PartitionOutcome } from './txn-api.js';
import { txnCatchUpMsMax } from './txn-produce-guard.js';

/** Below the coordinator's call timeout (txn-wiring.ts), so the caller hears why before it gives up. */
const markerTimeoutMs = 2_500;

// Markers arrive once per transaction end, so a lazily built index per state is cheap enough.
const byProducerCache = new WeakMap<object, Map<number, TransactionalIdInfo>>();

function txnOfProducer(state: ControllerState, producerId: number): TransactionalIdInfo | undefined {
  let index = byProducerCache.get(state.transactionalIds);
  if (index === undefined) {
    index = new Map([...state.transactionalIds.values()].map((i) => [i.producerId as number, i]));
    byProducerCache.set(state.transactionalIds, index);
  }
  return index.get(producerId);
}

/** The controller has decided this end (PREPARE_* at exactly this epoch): the marker may be written. */
function decided(state: ControllerState, request: MarkerRequest): boolean {
  const info = txnOfProducer(state, request.producerId);
  const wanted = request.commit ? 'prepare-commit' : 'prepare-abort';
  return info !== undefined && info.epoch === request.epoch && info.state === wanted;
}

export interface MarkerContext extends CatchUpContext {
  /** The local replica of a partition this node leads; throws NOT_LEADER and the like otherwise. */
  readonly leaderOf: (topic: string, partition: number) => LocalPartition;
}

/**
 * The partition leader's side of WriteTxnMarkers. A marker is written only for an end the
 * controller has decided (so a deposed coordinator cannot close a later transaction of the same
 * producer); each marker goes through the partition's Raft group like any append.
 */
export async function writeMarkersHere(
  ctx: MarkerContext,
  request: MarkerRequest,
): Promise<PartitionOutcome[]> {
  if (!decided(ctx.controller.state, request)) await catchUpController(ctx, txnCatchUpMsMax);
  if (!decided(ctx.controller.state, request)) {
    const error = new RaftlogError(
      'INVALID_TXN_STATE',
      `no ${request.commit ? 'commit' : 'abort'} is being prepared for producer ${request.producerId} epoch ${request.epoch}`,
    );
    return request.partitions.map((p) => ({ ...p, error }));
  }
  return Promise.all(
    request.partitions.map(async (p) => {
      try {
        await writeMarker(ctx, p.topic, p.partition, request);
        return { topic: p.topic, partition: p.partition };
      } catch (error) {
        return { topic: p.topic, partition: p.partition, error: RaftlogError.from(error, 'INTERNAL') };
      }
    }),
  );
}

async function writeMarker(ctx: MarkerContext, topic: string, partition: number, request: MarkerRequest) {
  const local = ctx.leaderOf(topic, partition);
  const batch = encodeMarkerBatch({
    producerId: request.producerId,
    producerEpoch: request.epoch,
    type: request.commit ? 'commit' : 'abort',
    timestampMs: ctx.clock.now(),
  });
  const proposal = proposePartitionEntry(local, {
    timestampMs: ctx.clock.now(),
    command: { type: 'append', acks: 'quorum', batch },
  });
  const timedOut = new AbortController();
  const result = await Promise.race([
    proposal.applied as Promise<PartitionResult>,
    ctx.clock.sleep(markerTimeoutMs, timedOut.signal).then(() => undefined),
  ]).finally(() => timedOut.abort());
  if (result === undefined) {
    throw new RaftlogError(
      'TIMEOUT',
      `marker for ${topic}/${partition} not committed within ${markerTimeoutMs} ms`,
    );
  }
  if (!result.ok) throw new RaftlogError(result.code, result.message);
}
