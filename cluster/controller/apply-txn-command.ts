import { producerId, RaftlogError, type ErrorCode } from '../../lib/index.js';
import {
  controllerLimits as limits,
  producerEpochMax,
  type ApplyContext,
  type ControllerOutput,
  type ControllerState,
} from './controller-types.js';
import { withCommittedOffsets } from './group-offsets.js';
import { checkOffsetCommitter } from './offset-committer-check.js';
import {
  isOpenTxnState,
  isPrepareState,
  txnLimits,
  type PendingTxnOffset,
  type TransactionalIdInfo,
  type TxnCommand,
  type TxnPartition,
} from './txn-types.js';
import { requireInteger } from './require-integer.js';
import { shownValue } from './shown-value.js';

/** Transactional-id commands; `ctx.timestampMs` is the leader's time carried in the entry. */
export type TxnIdCommand =
  | TxnCommand
  | {
      readonly type: 'init-transactional-id';
      readonly transactionalId: string;
      readonly transactionTimeoutMs: number;
    }
  /** Forgets transactional ids idle for `idleMsMin` (by command timestamps) with no open transaction. */
  | { readonly type: 'expire-transactional-ids'; readonly idleMsMin: number };

type Command<T extends TxnIdCommand['type']> = Extract<TxnIdCommand, { type: T }>;

export interface TxnOutcome {
  readonly state: ControllerState;
  readonly output: ControllerOutput;
}

/** Rejections are thrown as RaftlogError; applyControllerCommand turns them into a result. */
function reject(code: ErrorCode, message: string): never {
  throw new RaftlogError(code, message);
}

const done: ControllerOutput = { type: 'done' };

function requireText(value: unknown, max: number, what: string, allowEmpty = false): string {
  if (typeof value !== 'string' || value.length > max || (!allowEmpty && value.length === 0)) {
    reject('INVALID_ARGUMENT', `${what} must be ${allowEmpty ? 0 : 1} to ${max} characters`);
  }
  return value;
}

/** A non-empty list (the command may come from anywhere in-process, so its shape is checked too). */
function requireList<T>(value: readonly T[], what: string): readonly T[] {
  const list: unknown = value;
  if (!Array.isArray(list) || list.length === 0) reject('INVALID_ARGUMENT', `${what}: none given`);
  return value;
}

function withInfo(state: ControllerState, info: TransactionalIdInfo): ControllerState {
  return { ...state, transactionalIds: new Map(state.transactionalIds).set(info.transactionalId, info) };
}

function requirePartitionExists(state: ControllerState, p: TxnPartition): void {
  const topic = state.topics.get(p.topic);
  if (topic === undefined) reject('TOPIC_NOT_FOUND', `topic '${p.topic}' does not exist`);
  if (topic.partitions[p.partition] === undefined) {
    reject('PARTITION_NOT_FOUND', `topic '${p.topic}' has no partition ${p.partition}`);
  }
}

/**
 * The id's record, provided the caller is its current producer: another producer id or an older
 * epoch is a fenced (zombie) instance; a newer epoch was never handed out.
 */
function requireProducer(
  state: ControllerState,
  c: { transactionalId: string; producerId: number; epoch: number },
): TransactionalIdInfo {
  const info = state.transactionalIds.get(c.transactionalId);
  if (info === undefined) {
    reject('INVALID_TXN_STATE', `transactional id '${c.transactionalId}' is not initialized`);
  }
  if (c.producerId !== info.producerId || c.epoch < info.epoch) {
    reject(
      'PRODUCER_FENCED',
      `transactional id '${c.transactionalId}' belongs to producer ${info.producerId} epoch ${info.epoch} now, ` +
        `not ${shownValue(c.producerId)} epoch ${shownValue(c.epoch)} (fenced by a newer InitProducer, or ` +
        `aborted after its transaction timeout of ${info.transactionTimeoutMs} ms)`,
    );
  }
  if (c.epoch !== info.epoch) {
    reject(
      'INVALID_TXN_STATE',
      `epoch ${shownValue(c.epoch)} was never given to producer ${info.producerId}`,
    );
  }
  return info;
}

/** The id's record with a transaction open: ONGOING already, or opened now from EMPTY/COMPLETE_*. */
function openTxn(info: TransactionalIdInfo, ctx: ApplyContext): TransactionalIdInfo {
  if (isPrepareState(info.state)) {
    reject('CONCURRENT_TRANSACTIONS', `transaction of '${info.transactionalId}' is ending (${info.state})`);
  }
  if (info.state === 'ongoing') return { ...info, updatedAtMs: ctx.timestampMs };
  return {
    ...info,
    state: 'ongoing',
    partitions: [],
    groupIds: [],
    pendingOffsets: [],
    startedAtMs: ctx.timestampMs,
    updatedAtMs: ctx.timestampMs,
  };
}

const byPartition = (a: TxnPartition, b: TxnPartition): number =>
  a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;

function addPartitions(state: ControllerState, c: Command<'add-partitions-to-txn'>, ctx: ApplyContext) {
  const info = requireProducer(state, c);
  const added = requireList(c.partitions, 'partitions to add');
  for (const p of added) requirePartitionExists(state, p);
  const open = openTxn(info, ctx);
  const merged = new Map(open.partitions.map((p) => [`${p.topic}\u0000${p.partition}`, p]));
  for (const p of added) {
    merged.set(`${p.topic}\u0000${p.partition}`, { topic: p.topic, partition: p.partition });
  }
  if (merged.size > txnLimits.partitionsPerTxnMax) {
    reject('RESOURCE_EXHAUSTED', `a transaction holds at most ${txnLimits.partitionsPerTxnMax} partitions`);
  }
  const partitions = [...merged.values()].sort(byPartition);
  return { state: withInfo(state, { ...open, partitions }), output: done };
}

function addOffsets(state: ControllerState, c: Command<'add-offsets-to-txn'>, ctx: ApplyContext) {
  const info = requireProducer(state, c);
  const groupId = requireText(c.groupId, txnLimits.groupIdCharsMax, 'group id');
  const open = openTxn(info, ctx);
  const groupIds = [...new Set([...open.groupIds, groupId])].sort();
  if (groupIds.length > txnLimits.groupsPerTxnMax) {
    reject(
      'RESOURCE_EXHAUSTED',
      `a transaction commits offsets of at most ${txnLimits.groupsPerTxnMax} groups`,
    );
  }
  return { state: withInfo(state, { ...open, groupIds }), output: done };
}

const pendingKey = (o: PendingTxnOffset): string => `${o.groupId}\u0000${o.topic}\u0000${o.partition}`;

function txnOffsetCommit(state: ControllerState, c: Command<'txn-offset-commit'>, ctx: ApplyContext) {
  const info = requireProducer(state, c);
  if (info.state !== 'ongoing' || !info.groupIds.includes(c.groupId)) {
    reject('INVALID_TXN_STATE', `group '${shownValue(c.groupId)}' was not added to the open transaction`);
  }
  const offsets = requireList(c.offsets, 'offsets to commit');
  for (const o of offsets) {
    requirePartitionExists(state, o);
    requireInteger(o.offset, 0, Number.MAX_SAFE_INTEGER, 'offset');
    requireText(o.metadata, txnLimits.metadataCharsMax, 'offset metadata', true);
  }
  requireText(c.memberId, txnLimits.memberIdCharsMax, 'member id', true);
  const refused = checkOffsetCommitter(state, c.groupId, c.generationId, c.memberId, offsets);
  if (refused !== undefined) reject(refused.code, refused.message);
  const pending = new Map(info.pendingOffsets.map((o) => [pendingKey(o), o]));
  for (const o of offsets) {
    const entry = { groupId: c.groupId, ...o };
    pending.set(pendingKey(entry), entry);
  }
  if (pending.size > txnLimits.pendingOffsetsPerTxnMax) {
    reject(
      'RESOURCE_EXHAUSTED',
      `a transaction commits at most ${txnLimits.pendingOffsetsPerTxnMax} offsets`,
    );
  }
  const pendingOffsets = [...pending.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, o]) => o);
  return { state: withInfo(state, { ...info, pendingOffsets, updatedAtMs: ctx.timestampMs }), output: done };
}

function prepareEnd(state: ControllerState, c: Command<'prepare-end-txn'>, ctx: ApplyContext) {
  const info = requireProducer(state, c);
  const decided = c.commit ? 'commit' : 'abort';
  // A retried EndTxn with the same decision confirms it; the opposite one is a client bug.
  if (info.state === `prepare-${decided}` || info.state === `complete-${decided}`) {
    return { state, output: done };
  }
  if (info.state !== 'ongoing') {
    reject(
      'INVALID_TXN_STATE',
      `cannot ${decided} transaction of '${info.transactionalId}' in state ${info.state}`,
    );
  }
  const next = { ...info, state: `prepare-${decided}` as const, updatedAtMs: ctx.timestampMs };
  return { state: withInfo(state, next), output: done };
}

/** Moves pending offsets of a committed transaction into the groups' committed offsets. */
function commitPending(state: ControllerState, info: TransactionalIdInfo, ctx: ApplyContext) {
  let groupOffsets = state.groupOffsets;
  for (const groupId of info.groupIds) {
    const offsets = info.pendingOffsets.filter((o) => o.groupId === groupId);
    groupOffsets = withCommittedOffsets(
      groupOffsets,
      groupId,
      offsets.map(({ topic, partition, offset, metadata }) => ({ topic, partition, offset, metadata })),
      ctx.timestampMs,
    );
  }
  return groupOffsets;
}

function completeEnd(state: ControllerState, c: Command<'complete-end-txn'>, ctx: ApplyContext) {
  const info = requireProducer(state, c);
  const decided = c.commit ? 'commit' : 'abort';
  if (info.state === `complete-${decided}`) return { state, output: done };
  if (info.state !== `prepare-${decided}`) {
    reject(
      'INVALID_TXN_STATE',
      `transaction of '${info.transactionalId}' is ${info.state}, not prepare-${decided}`,
    );
  }
  const groupOffsets = c.commit ? commitPending(state, info, ctx) : state.groupOffsets;
  const next: TransactionalIdInfo = {
    ...info,
    state: `complete-${decided}`,
    partitions: [],
    groupIds: [],
    pendingOffsets: [],
    startedAtMs: 0,
    updatedAtMs: ctx.timestampMs,
  };
  return { state: { ...withInfo(state, next), groupOffsets }, output: done };
}

/**
 * Aborts an ONGOING transaction older than its timeout, by the entry's own time so every replica
 * agrees. The epoch is bumped (when int16 allows) so the producer that let it time out is fenced.
 */
function abortTimedOut(state: ControllerState, c: Command<'abort-timed-out-txn'>, ctx: ApplyContext) {
  const info = requireProducer(state, c);
  if (info.state !== 'ongoing' || ctx.timestampMs - info.startedAtMs < info.transactionTimeoutMs) {
    reject('INVALID_TXN_STATE', `transaction of '${info.transactionalId}' has not timed out`);
  }
  const epoch = info.epoch < producerEpochMax ? info.epoch + 1 : info.epoch;
  const next = { ...info, epoch, state: 'prepare-abort' as const, updatedAtMs: ctx.timestampMs };
  return { state: withInfo(state, next), output: done };
}

function emptyInfo(
  txnId: string,
): Omit<TransactionalIdInfo, 'producerId' | 'epoch' | 'transactionTimeoutMs' | 'updatedAtMs'> {
  return {
    transactionalId: txnId,
    state: 'empty',
    partitions: [],
    groupIds: [],
    pendingOffsets: [],
    startedAtMs: 0,
  };
}

/**
 * InitProducer with a transactional id: bumps the epoch, fencing the older instance. An ONGOING
 * transaction becomes PREPARE_ABORT with the bumped epoch (the coordinator writes its markers); one
 * already ending must finish first (CONCURRENT_TRANSACTIONS). The last int16 epoch is never handed
 * out, as in Kafka: it stays for fencing, so a producer whose transaction times out always gets a
 * bumped epoch behind it. Where the next epoch would be that last one, the id moves to a fresh
 * producer id instead; an ONGOING transaction is then aborted first, fenced with the last epoch.
 */
function initTransactionalId(state: ControllerState, c: Command<'init-transactional-id'>, ctx: ApplyContext) {
  const txnId = requireText(c.transactionalId, limits.transactionalIdCharsMax, 'transactional id');
  const timeoutMs = requireInteger(
    c.transactionTimeoutMs,
    limits.transactionTimeoutMsMin,
    limits.transactionTimeoutMsMax,
    'transaction timeout (ms)',
  );
  const old = state.transactionalIds.get(txnId);
  if (old === undefined && state.transactionalIds.size >= limits.transactionalIdsMax) {
    reject('RESOURCE_EXHAUSTED', `at most ${limits.transactionalIdsMax} transactional ids may exist`);
  }
  if (old !== undefined && isPrepareState(old.state)) {
    reject('CONCURRENT_TRANSACTIONS', `transaction of '${txnId}' is ending (${old.state}); retry`);
  }
  const ongoing = old?.state === 'ongoing';
  if (old !== undefined && ongoing && old.epoch + 1 >= producerEpochMax) {
    // No epoch left to give the new instance: abort first (under the last epoch, or the old one if a
    // state from before this rule already holds it); the caller inits again once it completed.
    const aborting = {
      ...old,
      epoch: Math.min(old.epoch + 1, producerEpochMax),
      state: 'prepare-abort' as const,
      updatedAtMs: ctx.timestampMs,
    };
    return { state: withInfo(state, aborting), output: done };
  }
  let next = state;
  let pid = old?.producerId;
  let epoch = old === undefined ? 0 : old.epoch + 1;
  // A fresh producer id rather than the last epoch: the old id stays fenced at its last epoch.
  if (pid === undefined || epoch >= producerEpochMax) {
    pid = producerId(state.nextProducerId);
    epoch = 0;
    next = { ...state, nextProducerId: state.nextProducerId + 1 };
  }
  const base = old ?? { ...emptyInfo(txnId) };
  const info: TransactionalIdInfo = {
    ...base,
    producerId: pid,
    epoch,
    transactionTimeoutMs: timeoutMs,
    updatedAtMs: ctx.timestampMs,
    state: ongoing ? 'prepare-abort' : base.state,
  };
  return { state: withInfo(next, info), output: { type: 'producer-epoch', producerId: pid, epoch } as const };
}

function expireTransactionalIds(
  state: ControllerState,
  c: Command<'expire-transactional-ids'>,
  ctx: ApplyContext,
) {
  const idleMs = requireInteger(c.idleMsMin, 0, Number.MAX_SAFE_INTEGER, 'idleMsMin');
  const kept = new Map(
    [...state.transactionalIds].filter(
      ([, info]) => isOpenTxnState(info.state) || ctx.timestampMs - info.updatedAtMs < idleMs,
    ),
  );
  const count = state.transactionalIds.size - kept.size;
  return {
    state: count === 0 ? state : { ...state, transactionalIds: kept },
    output: { type: 'expired', count } as const,
  };
}

export function applyTxnCommand(state: ControllerState, c: TxnIdCommand, ctx: ApplyContext): TxnOutcome {
  switch (c.type) {
    case 'init-transactional-id':
      return initTransactionalId(state, c, ctx);
    case 'expire-transactional-ids':
      return expireTransactionalIds(state, c, ctx);
    case 'add-partitions-to-txn':
      return addPartitions(state, c, ctx);
    case 'add-offsets-to-txn':
      return addOffsets(state, c, ctx);
    case 'txn-offset-commit':
      return txnOffsetCommit(state, c, ctx);
    case 'prepare-end-txn':
      return prepareEnd(state, c, ctx);
    case 'complete-end-txn':
      return completeEnd(state, c, ctx);
    case 'abort-timed-out-txn':
      return abortTimedOut(state, c, ctx);
  }
}
