import { setTimeout as sleep } from 'node:timers/promises';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type {
  DeadLetterCandidate,
  LeasedRecord,
  OpResult,
  PartitionCallOutcome,
  SettleOpInput,
} from '../../../cluster/node/index.js';
import type { QueueOpKind } from '../../../cluster/partition/index.js';
import type { CallContext, ServiceImpl } from '../../../rpc/index.js';
import { RaftlogError } from '../../../lib/index.js';
import {
  ProduceRecordsRequestSchema,
  type AckRequest,
  type BrokerService,
  type LeaseRef,
  type LeaseResultSchema,
  type LeasedMessageSchema,
} from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode, type ErrorDetailSchema } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import { deadLetterRecord } from './dead-letter-record.js';
import type { ProduceForwarder } from './produce-forwarder.js';
import { produceRecords } from './produce-records.js';
import { int64, nonNegativeFromInt64 } from './proto-mapping.js';
import type { ServiceDeps } from './service-deps.js';
import { checkCount, checkTopicName } from './validate-request.js';

type QueueHandlers = Pick<
  ServiceImpl<typeof BrokerService>,
  'lease' | 'ack' | 'nack' | 'extendLease' | 'queueStats' | 'deleteQueueGroup' | 'listQueueGroups'
>;
type LeaseResultInit = MessageInitShape<typeof LeaseResultSchema>;

const leasesPerCallMax = 1_000;
const partitionsPerCallMax = 1_000;

/** At most partitionsPerCallMax partitions, none named twice; `call` names the request in the error. */
function checkPartitionList(partitions: readonly number[], call: string): void {
  if (partitions.length > partitionsPerCallMax) {
    throw new RaftlogError('INVALID_ARGUMENT', `at most ${partitionsPerCallMax} partitions per ${call}`);
  }
  if (new Set(partitions).size !== partitions.length) {
    throw new RaftlogError('INVALID_ARGUMENT', `a ${call} names a partition more than once`);
  }
}

/** A queue group on some partitions of a topic (QueueStats, DeleteQueueGroup), checked. */
function partitionsRequest(
  request: { queue: string; topic: string; partitions: readonly number[] },
  call: string,
): { queue: string; topic: string; partitions: readonly number[] } {
  checkTopicName(request.topic);
  checkPartitionList(request.partitions, call);
  return { queue: request.queue, topic: request.topic, partitions: request.partitions };
}

/**
 * Queue consumption on the partitions this node leads. A lease that meets messages due for the
 * dead-letter topic moves them before it answers: the copy is produced (at least once), then the
 * source message is settled, so a lease never hands them to a consumer again.
 */
export function queueHandlers(deps: ServiceDeps, forwarder: ProduceForwarder): QueueHandlers {
  const queues = deps.api.queues;
  const roundRobin = { next: 0 };
  return {
    lease: async (request, context) => {
      checkTopicName(request.topic);
      checkPartitionList(request.partitions, 'lease');
      const messages = await queues.lease({
        queue: request.queue,
        topic: request.topic,
        partitions: request.partitions,
        maxMessages: request.maxMessages === 0 ? 1 : request.maxMessages,
        visibilityTimeoutMs: request.visibilityTimeoutMs,
        waitMs: request.waitMs,
        signal: context.signal,
        moveDeadLetters: (candidates) =>
          moveToDeadLetter(deps, forwarder, roundRobin, request.queue, request.topic, candidates, context),
        // Held until the answer went out, like a fetch's (fetch.ts): a client that does not read its
        // leases makes its connection's further leases and fetches wait, leasing nothing meanwhile.
        holdAnswerBytes: context.holdResponseBytes,
      });
      return { messages: messages.map((m) => leased(request.topic, m)) };
    },
    ack: async (request) => ({ results: await settle(deps, request, 'ack', 0, '', transactionOf(request)) }),
    nack: async (request) => {
      if (Buffer.byteLength(request.error) > 1024) {
        throw new RaftlogError('INVALID_ARGUMENT', 'a nack error is limited to 1024 bytes');
      }
      return { results: await settle(deps, request, 'nack', request.delayMs, request.error) };
    },
    extendLease: async (request) => {
      if (request.visibilityTimeoutMs === 0) {
        throw new RaftlogError('INVALID_ARGUMENT', 'visibility_timeout_ms must be positive');
      }
      return { results: await settle(deps, request, 'extend', request.visibilityTimeoutMs, '') };
    },
    queueStats: async (request) => {
      const views = await queues.stats(partitionsRequest(request, 'queue stats request'));
      return {
        partitions: views.map((v) => ({
          partition: v.partition,
          depth: int64(v.depth),
          inFlight: int64(v.inFlight),
          delayed: int64(v.delayed),
          oldestAgeMs: int64(v.oldestAgeMs),
          deadLettered: int64(v.deadLettered),
          ackFloor: int64(v.ackFloor),
          highWatermark: int64(v.highWatermark),
        })),
      };
    },
    deleteQueueGroup: async (request) => {
      const deletions = await queues.deleteGroup(partitionsRequest(request, 'queue group deletion'));
      return { partitions: deletions.map((d) => withError(d, { partition: d.partition })) };
    },
    listQueueGroups: async (request) => {
      checkTopicName(request.topic);
      checkPartitionList(request.partitions, 'queue group listing');
      const listings = await queues.listGroups({ topic: request.topic, partitions: request.partitions });
      return {
        partitions: listings.map((l) => withError(l, { partition: l.partition, queues: [...l.queues] })),
      };
    },
  };
}

/** The wire outcome of one partition: `ok` as is on success, with the error otherwise. */
function withError<T extends object>(
  outcome: PartitionCallOutcome,
  ok: T,
): T & { error?: MessageInitShape<typeof ErrorDetailSchema> } {
  if (outcome.code === undefined) return ok;
  return { ...ok, error: errorDetail(outcome.code, outcome.message, outcome.leaderHint) };
}

function errorDetail(
  code: Exclude<OpResult['code'], undefined>,
  message: string,
  leaderHint: string | undefined,
): MessageInitShape<typeof ErrorDetailSchema> {
  const e = new RaftlogError(code, message, leaderHint === undefined ? {} : { leaderHint });
  return {
    code: ErrorCode[e.code],
    message: e.message,
    retriable: e.retriable,
    leaderHint: e.leaderHint ?? '',
  };
}

function leased(topic: string, m: LeasedRecord): MessageInitShape<typeof LeasedMessageSchema> {
  const r = m.record;
  return {
    message: {
      topic,
      partition: m.partition,
      offset: int64(r.offset),
      record: {
        ...(r.key === null ? {} : { key: r.key }),
        ...(r.value === null ? {} : { value: r.value }),
        headers: r.headers.map((h) => (h.value === null ? { key: h.key } : { key: h.key, value: h.value })),
        timestampMs: int64(r.timestamp),
      },
    },
    leaseId: BigInt(m.leaseId),
    deliveryCount: m.deliveryCount,
    leaseExpiresAtMs: int64(m.expiresAtMs),
  };
}

function transactionOf(request: AckRequest) {
  if (request.transactionalId === '') {
    if (request.producerId !== 0n || request.producerEpoch !== 0) {
      throw new RaftlogError('INVALID_ARGUMENT', 'producer_id and producer_epoch need a transactional_id');
    }
    return undefined;
  }
  const producerId = nonNegativeFromInt64(request.producerId, 'producer_id');
  if (request.producerEpoch < 0 || request.producerEpoch > 0x7fff) {
    throw new RaftlogError('INVALID_ARGUMENT', `producer_epoch ${request.producerEpoch} is out of range`);
  }
  return { transactionalId: request.transactionalId, producerId, epoch: request.producerEpoch };
}

async function settle(
  deps: ServiceDeps,
  request: { queue: string; leases: readonly LeaseRef[] },
  kind: QueueOpKind,
  ms: number,
  error: string,
  transaction?: { transactionalId: string; producerId: number; epoch: number },
): Promise<LeaseResultInit[]> {
  checkCount(request.leases.length, 'leases', leasesPerCallMax);
  if (request.leases.length === 0) throw new RaftlogError('INVALID_ARGUMENT', 'leases is empty');
  const ops: SettleOpInput[] = request.leases.map((l) => {
    checkTopicName(l.topic);
    return {
      kind,
      topic: l.topic,
      partition: l.partition,
      offset: nonNegativeFromInt64(l.offset, 'offset'),
      leaseId: nonNegativeFromInt64(l.leaseId, 'lease_id'),
      ms,
      error,
    };
  });
  const results = await deps.api.queues.settle({
    queue: request.queue,
    ops,
    ...(transaction === undefined ? {} : { transaction }),
  });
  return results.map((r, i) => leaseResult(request.leases[i]!, r));
}

function leaseResult(lease: LeaseRef, r: OpResult): LeaseResultInit {
  const ref = {
    topic: lease.topic,
    partition: lease.partition,
    offset: lease.offset,
    leaseId: lease.leaseId,
  };
  if (r.code === undefined) return { lease: ref, leaseExpiresAtMs: int64(r.expiresAtMs) };
  return { lease: ref, error: errorDetail(r.code, r.message, r.leaderHint) };
}

/**
 * A dead-letter topic need not exist before its first message (so a topic and its dead-letter topic
 * can be set up in either order): it is made then, shaped like the topic the message came from.
 */
async function createDeadLetterTopic(deps: ServiceDeps, source: string, name: string): Promise<void> {
  const origin = deps.api.describeTopic(source);
  try {
    await deps.api.createTopic({
      name,
      partitions: origin.partitions,
      replicationFactor: origin.replicationFactor,
      config: {},
      validateOnly: false,
    });
    deps.logger.info({ topic: name, source }, 'created the dead-letter topic on its first message');
  } catch (error) {
    if (RaftlogError.from(error).code !== 'TOPIC_ALREADY_EXISTS') throw error;
  }
}

/**
 * A topic just created has no leaders for a moment, and a node other than the controller's leader
 * learns of it a message later (it answers TOPIC_NOT_FOUND until then): the first write waits for
 * both, briefly.
 */
async function retryWhileSettingUp<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const e = RaftlogError.from(error);
      if (attempt >= 25 || !(e.retriable || e.code === 'TOPIC_NOT_FOUND')) throw error;
      await sleep(200);
    }
  }
}

async function moveToDeadLetter(
  deps: ServiceDeps,
  forwarder: ProduceForwarder,
  roundRobin: { next: number },
  queue: string,
  topic: string,
  candidates: readonly DeadLetterCandidate[],
  context: CallContext,
): Promise<void> {
  const settled: SettleOpInput[] = [];
  for (const c of candidates) {
    try {
      const request = create(ProduceRecordsRequestSchema, {
        topic: c.deadLetterTopic,
        records: [deadLetterRecord(topic, c)],
      });
      await produceRecords(deps, forwarder, roundRobin, request, context).catch(async (error: unknown) => {
        if (RaftlogError.from(error).code !== 'TOPIC_NOT_FOUND') throw error;
        await createDeadLetterTopic(deps, topic, c.deadLetterTopic);
        return retryWhileSettingUp(() => produceRecords(deps, forwarder, roundRobin, request, context));
      });
      settled.push({
        kind: 'dead-letter',
        topic,
        partition: c.partition,
        offset: c.record.offset,
        leaseId: c.leaseId,
        ms: 0,
        error: '',
      });
    } catch (error) {
      // The lease runs out and a later lease tries again: the message is never lost, only late.
      deps.logger.warn(
        { err: error, topic, partition: c.partition, offset: c.record.offset },
        'dead-letter copy failed',
      );
    }
  }
  if (settled.length > 0) await deps.api.queues.settle({ queue, ops: settled });
}
