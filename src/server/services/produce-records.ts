import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { CallContext } from '../../../rpc/index.js';
import { partitionForKey, RaftlogError } from '../../../lib/index.js';
import {
  ProduceRequestSchema,
  type ProduceRecordsRequest,
  type ProduceRecordsResponseSchema,
} from '../../../proto/gen/raftlog/v1/broker_pb.js';
import type { Record as ProtoRecord } from '../../../proto/gen/raftlog/v1/record_pb.js';
import { errorDetail } from './error-detail.js';
import { produceOne, type ProduceResponseInit } from './produce.js';
import type { ProduceForwarder } from './produce-forwarder.js';
import { encodeRecords, type RecordProducer } from './record-codec.js';
import { forwardedAuthHeaders } from '../auth/call-principal.js';
import type { ServiceDeps } from './service-deps.js';
import { checkCount, checkTopicName } from './validate-request.js';

type Response = MessageInitShape<typeof ProduceRecordsResponseSchema>;

interface PartitionRecords {
  readonly partition: number;
  /** Positions of these records in the request. */
  readonly indexes: number[];
  readonly records: ProtoRecord[];
}

type Written =
  | { readonly ok: true; readonly response: ProduceResponseInit }
  | { readonly ok: false; readonly error: RaftlogError; readonly partition: number };

/**
 * ProduceRecords: groups the records by partition, encodes one batch per partition and appends each
 * where its partition is led (here, or forwarded one hop). A batch encoded here passes the same
 * checks as one a client encoded, so both paths store the same bytes under the same limits.
 */
export async function produceRecords(
  deps: ServiceDeps,
  forwarder: ProduceForwarder,
  roundRobin: { next: number },
  request: ProduceRecordsRequest,
  context: CallContext,
): Promise<Response> {
  checkTopicName(request.topic);
  checkCount(request.records.length, 'records', deps.limits.produceRecordsMax);
  if (request.records.length === 0) throw new RaftlogError('INVALID_ARGUMENT', 'records is empty');
  const producer = checkProducer(request);
  const partitions = deps.api.describeTopic(request.topic).partitions;
  const groups = groupByPartition(request, partitions, roundRobin);
  const nowMs = Date.now();
  const written = await Promise.all(
    groups.map((g) =>
      writeGroup(deps, forwarder, request, g, encodeRecords(g.records, nowMs, producer), context),
    ),
  );
  if (written.every((w) => !w.ok)) throw (written[0] as { error: RaftlogError }).error;
  return respond(request.topic, request.records.length, groups, written);
}

function checkProducer(request: ProduceRecordsRequest): RecordProducer | undefined {
  const { producerId, producerEpoch, baseSequence } = request;
  if (producerId === undefined && producerEpoch === undefined && baseSequence === undefined) return undefined;
  if (producerId === undefined || producerEpoch === undefined || baseSequence === undefined) {
    throw new RaftlogError('INVALID_ARGUMENT', 'producer_id, producer_epoch and base_sequence go together');
  }
  if (request.partition === undefined) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      'an idempotent produce needs an explicit partition (sequences count per partition)',
    );
  }
  if (producerId < 0n || producerId > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RaftlogError('INVALID_ARGUMENT', `producer_id ${producerId} is out of range`);
  }
  if (producerEpoch > 0x7fff)
    throw new RaftlogError('INVALID_ARGUMENT', `producer_epoch ${producerEpoch} is out of range`);
  if (baseSequence < 0)
    throw new RaftlogError('INVALID_ARGUMENT', `base_sequence ${baseSequence} is negative`);
  return { producerId: Number(producerId), producerEpoch, baseSequence };
}

function groupByPartition(
  request: ProduceRecordsRequest,
  partitions: number,
  roundRobin: { next: number },
): PartitionRecords[] {
  if (request.partition !== undefined && request.partition >= partitions) {
    throw new RaftlogError(
      'PARTITION_NOT_FOUND',
      `topic '${request.topic}' has no partition ${request.partition}`,
    );
  }
  const keyless = roundRobin.next++ % partitions;
  const groups = new Map<number, PartitionRecords>();
  request.records.forEach((record, i) => {
    const p =
      request.partition ?? (record.key === undefined ? keyless : partitionForKey(record.key, partitions));
    let g = groups.get(p);
    if (g === undefined) groups.set(p, (g = { partition: p, indexes: [], records: [] }));
    g.indexes.push(i);
    g.records.push(record);
  });
  return [...groups.values()];
}

async function writeGroup(
  deps: ServiceDeps,
  forwarder: ProduceForwarder,
  request: ProduceRecordsRequest,
  group: PartitionRecords,
  batch: Uint8Array,
  context: CallContext,
): Promise<Written> {
  const produce = create(ProduceRequestSchema, {
    topic: request.topic,
    partition: group.partition,
    batch,
    acks: request.acks,
    timeoutMs: request.timeoutMs,
  });
  try {
    return { ok: true, response: await produceOne(deps.api, deps.limits, produce, context.signal) };
  } catch (error) {
    if (!(error instanceof RaftlogError)) throw error;
    const refused = error;
    if (refused.code !== 'NOT_LEADER' || refused.leaderHint === undefined || refused.leaderHint === '') {
      return { ok: false, error: refused, partition: group.partition };
    }
    try {
      const timeoutMs = Number.isFinite(context.deadlineMs)
        ? Math.max(1, context.deadlineMs - Date.now())
        : deps.limits.produceTimeoutMsMax;
      // The leader checks the caller's own permissions again: forwarding never lends the node's.
      const response = await forwarder.produce(refused.leaderHint, produce, {
        timeoutMs,
        signal: context.signal,
        metadata: forwardedAuthHeaders(context),
      });
      return { ok: true, response };
    } catch (forwardError) {
      return { ok: false, error: RaftlogError.from(forwardError, 'UNAVAILABLE'), partition: group.partition };
    }
  }
}

function respond(
  topic: string,
  count: number,
  groups: readonly PartitionRecords[],
  written: readonly Written[],
): Response {
  const records = new Array<{ partition: number; offset: bigint }>(count);
  const partitions = groups.map((g, i) => {
    const w = written[i]!;
    g.indexes.forEach((at, k) => {
      records[at] = {
        partition: g.partition,
        offset: w.ok ? BigInt(w.response.baseOffset ?? 0n) + BigInt(k) : -1n,
      };
    });
    return w.ok ? w.response : { topic, partition: w.partition, error: errorDetail(w.error) };
  });
  return { records, partitions };
}
