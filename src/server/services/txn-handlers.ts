import { RaftlogError } from '../../../lib/index.js';
import {
  controllerLimits,
  producerEpochMax,
  txnLimits,
  type TxnState,
} from '../../../cluster/controller/index.js';
import type { NodeApi, PartitionOutcome, TxnView } from '../../../cluster/node/index.js';
import type { ServiceImpl } from '../../../rpc/index.js';
import { TransactionState, type AdminService } from '../../../proto/gen/raftlog/v1/admin_pb.js';
import type { BrokerService } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import type { PeerService, WriteTxnMarkersRequest } from '../../../proto/gen/raftlog/v1/peer_pb.js';
import { errorDetail } from './error-detail.js';
import { nonNegativeFromInt64 } from './proto-mapping.js';
import type { ServiceDeps } from './service-deps.js';
import { checkCount, checkNoDuplicates, checkTopicName } from './validate-request.js';

type BrokerTxnHandlers = Pick<
  ServiceImpl<typeof BrokerService>,
  'addPartitionsToTxn' | 'addOffsetsToTxn' | 'txnOffsetCommit' | 'endTxn'
>;

/** The transaction RPCs of BrokerService; any node answers (cluster/README.md, "Transactions"). */
export function brokerTxnHandlers({ api }: ServiceDeps): BrokerTxnHandlers {
  const txn = api.transactions;
  return {
    addPartitionsToTxn: async (request) => {
      const partitions = checkPartitions(request.partitions, 'partitions', txnLimits.partitionsPerTxnMax);
      return { results: results(await txn.addPartitions({ ...producer(request), partitions })) };
    },
    addOffsetsToTxn: async (request) => {
      await txn.addOffsets({ ...producer(request), groupId: checkGroupId(request.groupId) });
      return {};
    },
    txnOffsetCommit: async (request) => {
      const offsets = checkPartitions(request.offsets, 'offsets', txnLimits.pendingOffsetsPerTxnMax).map(
        (o, i) => {
          const { offset: sent, metadata } = request.offsets[i] ?? { offset: -1n, metadata: '' };
          const offset = nonNegativeFromInt64(sent, `offset of ${o.topic}/${o.partition}`);
          if (metadata.length > txnLimits.metadataCharsMax) {
            throw new RaftlogError(
              'INVALID_ARGUMENT',
              `metadata is limited to ${txnLimits.metadataCharsMax} characters`,
            );
          }
          return { ...o, offset, metadata };
        },
      );
      if (request.memberId.length > txnLimits.memberIdCharsMax) {
        throw new RaftlogError(
          'INVALID_ARGUMENT',
          `member_id is limited to ${txnLimits.memberIdCharsMax} characters`,
        );
      }
      const outcomes = await txn.commitOffsets({
        ...producer(request),
        groupId: checkGroupId(request.groupId),
        generationId: request.generationId,
        memberId: request.memberId,
        offsets,
      });
      return { results: results(outcomes) };
    },
    endTxn: async (request) => {
      await txn.endTxn({ ...producer(request), commit: request.commit });
      return {};
    },
  };
}

type AdminTxnHandlers = Pick<ServiceImpl<typeof AdminService>, 'listTransactions' | 'describeTransactions'>;

const listedIdsMax = 1_000;
/** ListTransactions has no paging: the first this many ids (sorted) fit one response comfortably. */
const listedTransactionsMax = 10_000;

export function adminTxnHandlers({ api }: ServiceDeps): AdminTxnHandlers {
  return {
    listTransactions: (request) => {
      const states = request.states.map(stateFromProto);
      const minAgeMs = Number(
        request.minAgeMs > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : request.minAgeMs,
      );
      const transactions = api.transactions
        .list({ states, minAgeMs })
        .slice(0, listedTransactionsMax)
        .map((v) => ({
          transactionalId: v.transactionalId,
          producerId: BigInt(v.producerId),
          state: stateToProto(v.state),
        }));
      return Promise.resolve({ transactions });
    },
    describeTransactions: (request) => {
      if (request.transactionalIds.length > listedIdsMax) {
        throw new RaftlogError(
          'INVALID_ARGUMENT',
          `describe at most ${listedIdsMax} transactional ids at once`,
        );
      }
      const known = new Map(
        api.transactions.describe(request.transactionalIds).map((v) => [v.transactionalId, v]),
      );
      const transactions = request.transactionalIds.map((id) => {
        const v = known.get(id);
        return v === undefined
          ? {
              transactionalId: id,
              error: errorDetail(new RaftlogError('INVALID_ARGUMENT', `transactional id '${id}' is unknown`)),
            }
          : description(v);
      });
      return Promise.resolve({ transactions });
    },
  };
}

/** The partition leader's side of WriteTxnMarkers, served on the peer service. */
export function writeTxnMarkersHandler(
  api: Pick<NodeApi, 'transactions'>,
): NonNullable<ServiceImpl<typeof PeerService>['writeTxnMarkers']> {
  return async (request: WriteTxnMarkersRequest) => {
    if (request.producerId < 0n || request.producerId > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RaftlogError('INVALID_ARGUMENT', 'producer_id out of range');
    }
    if (request.producerEpoch > producerEpochMax)
      throw new RaftlogError('INVALID_ARGUMENT', 'producer_epoch out of range');
    const partitions = checkPartitions(request.partitions, 'partitions', txnLimits.partitionsPerTxnMax);
    const outcomes = await api.transactions.writeMarkers({
      producerId: Number(request.producerId),
      epoch: request.producerEpoch,
      commit: request.commit,
      partitions,
    });
    return { results: results(outcomes) };
  };
}

function producer(request: { transactionalId: string; producerId: bigint; producerEpoch: number }) {
  const id = request.transactionalId;
  if (id.length === 0 || id.length > controllerLimits.transactionalIdCharsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `transactional_id must be 1 to ${controllerLimits.transactionalIdCharsMax} characters`,
    );
  }
  if (request.producerId < 0n || request.producerId > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RaftlogError('INVALID_ARGUMENT', `producer_id ${request.producerId} is out of range`);
  }
  if (request.producerEpoch > producerEpochMax) {
    throw new RaftlogError('INVALID_ARGUMENT', `producer_epoch ${request.producerEpoch} is out of range`);
  }
  return { transactionalId: id, producerId: Number(request.producerId), epoch: request.producerEpoch };
}

function checkGroupId(groupId: string): string {
  if (groupId.length === 0 || groupId.length > txnLimits.groupIdCharsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `group_id must be 1 to ${txnLimits.groupIdCharsMax} characters`,
    );
  }
  return groupId;
}

/** `field` names the request's list, so a refusal says which field to fix. */
function checkPartitions(
  items: readonly { topic: string; partition: number }[],
  field: 'partitions' | 'offsets',
  max: number,
): { topic: string; partition: number }[] {
  checkCount(items.length, field, max);
  for (const p of items) checkTopicName(p.topic);
  checkNoDuplicates(items, 'the request');
  return items.map(({ topic, partition }) => ({ topic, partition }));
}

function results(outcomes: readonly PartitionOutcome[]) {
  return outcomes.map((o) => ({
    topic: o.topic,
    partition: o.partition,
    ...(o.error === undefined ? {} : { error: errorDetail(o.error) }),
  }));
}

const toProto: Record<TxnState, TransactionState> = {
  empty: TransactionState.EMPTY,
  ongoing: TransactionState.ONGOING,
  'prepare-commit': TransactionState.PREPARE_COMMIT,
  'prepare-abort': TransactionState.PREPARE_ABORT,
  'complete-commit': TransactionState.COMPLETE_COMMIT,
  'complete-abort': TransactionState.COMPLETE_ABORT,
};

function stateToProto(state: TxnState): TransactionState {
  return toProto[state];
}

function stateFromProto(state: TransactionState): TxnState {
  const found = (Object.entries(toProto) as [TxnState, TransactionState][]).find(([, v]) => v === state);
  if (found === undefined) throw new RaftlogError('INVALID_ARGUMENT', `unknown transaction state ${state}`);
  return found[0];
}

function description(v: TxnView) {
  return {
    transactionalId: v.transactionalId,
    producerId: BigInt(v.producerId),
    producerEpoch: v.epoch,
    state: stateToProto(v.state),
    partitions: v.partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    groupIds: [...v.groupIds],
    startedAtMs: BigInt(v.startedAtMs),
    ageMs: BigInt(v.ageMs),
    transactionTimeoutMs: v.transactionTimeoutMs,
  };
}
