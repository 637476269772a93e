import { producerId } from '../../lib/index.js';
import { asArray, asInt, asObject, asString, corrupt } from './json-shape.js';
import {
  txnStates,
  type PendingTxnOffset,
  type TransactionalIdInfo,
  type TxnCommand,
  type TxnPartition,
  type TxnState,
} from './txn-types.js';

/** Field kinds of the transaction commands beyond the controller codec's own. */
export type TxnFieldKind = 'partitions' | 'offsets';

export const txnCommandFields = {
  'add-partitions-to-txn': {
    transactionalId: 'string',
    producerId: 'int',
    epoch: 'int',
    partitions: 'partitions',
  },
  'add-offsets-to-txn': { transactionalId: 'string', producerId: 'int', epoch: 'int', groupId: 'string' },
  'txn-offset-commit': {
    transactionalId: 'string',
    producerId: 'int',
    epoch: 'int',
    groupId: 'string',
    generationId: 'int',
    memberId: 'string',
    offsets: 'offsets',
  },
  'prepare-end-txn': { transactionalId: 'string', producerId: 'int', epoch: 'int', commit: 'boolean' },
  'complete-end-txn': { transactionalId: 'string', producerId: 'int', epoch: 'int', commit: 'boolean' },
  'abort-timed-out-txn': { transactionalId: 'string', producerId: 'int', epoch: 'int' },
} as const satisfies Record<TxnCommand['type'], Record<string, string>>;

function decodePartition(value: unknown, path: string): TxnPartition {
  const o = asObject(value, path);
  return { topic: asString(o.topic, `${path}.topic`), partition: asInt(o.partition, `${path}.partition`) };
}

function decodeOffset(value: unknown, path: string) {
  const o = asObject(value, path);
  return {
    ...decodePartition(o, path),
    offset: asInt(o.offset, `${path}.offset`),
    metadata: asString(o.metadata, `${path}.metadata`),
  };
}

export function decodeTxnField(kind: TxnFieldKind, value: unknown, path: string): unknown {
  const items = asArray(value, path);
  return kind === 'partitions'
    ? items.map((v, i) => decodePartition(v, `${path}[${i}]`))
    : items.map((v, i) => decodeOffset(v, `${path}[${i}]`));
}

function decodePending(value: unknown, path: string): PendingTxnOffset {
  const o = asObject(value, path);
  return { groupId: asString(o.groupId, `${path}.groupId`), ...decodeOffset(o, path) };
}

function decodeState(value: unknown, path: string): TxnState {
  const s = asString(value, path);
  if (!(txnStates as readonly string[]).includes(s)) throw corrupt(path, `one of ${txnStates.join('|')}`);
  return s as TxnState;
}

/**
 * Snapshot form of a transactional id. Snapshots written before transactions had states hold only
 * the id, producer, epoch, timeout and update time: they decode as EMPTY with nothing open.
 */
export function decodeTransactionalIdInfo(value: unknown, path: string): TransactionalIdInfo {
  const o = asObject(value, path);
  const list = <T>(v: unknown, p: string, item: (x: unknown, q: string) => T): T[] =>
    v === undefined ? [] : asArray(v, p).map((x, i) => item(x, `${p}[${i}]`));
  return {
    transactionalId: asString(o.transactionalId, `${path}.transactionalId`),
    producerId: producerId(asInt(o.producerId, `${path}.producerId`)),
    epoch: asInt(o.epoch, `${path}.epoch`),
    transactionTimeoutMs: asInt(o.transactionTimeoutMs, `${path}.transactionTimeoutMs`),
    updatedAtMs: asInt(o.updatedAtMs, `${path}.updatedAtMs`),
    state: o.state === undefined ? 'empty' : decodeState(o.state, `${path}.state`),
    partitions: list(o.partitions, `${path}.partitions`, decodePartition),
    groupIds: list(o.groupIds, `${path}.groupIds`, asString),
    pendingOffsets: list(o.pendingOffsets, `${path}.pendingOffsets`, decodePending),
    startedAtMs: o.startedAtMs === undefined ? 0 : asInt(o.startedAtMs, `${path}.startedAtMs`),
  };
}

/** Fixed field order, so equal states encode to equal bytes however their records were built. */
export function encodeTransactionalIdInfo(info: TransactionalIdInfo): unknown {
  return {
    transactionalId: info.transactionalId,
    producerId: info.producerId,
    epoch: info.epoch,
    transactionTimeoutMs: info.transactionTimeoutMs,
    updatedAtMs: info.updatedAtMs,
    state: info.state,
    partitions: info.partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    groupIds: info.groupIds,
    pendingOffsets: info.pendingOffsets.map((o) => ({
      groupId: o.groupId,
      topic: o.topic,
      partition: o.partition,
      offset: o.offset,
      metadata: o.metadata,
    })),
    startedAtMs: info.startedAtMs,
  };
}
