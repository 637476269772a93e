import {
  OffsetOutOfRangeError,
  RaftlogError,
  RecordBatchView,
  type Clock,
  type LogPositions,
  type NodeId,
} from '../../lib/index.js';
import type { PartitionStore } from '../../storage/index.js';
import type { RaftGroup } from '../host/index.js';
import { noteRequestGroup } from '../../rpc/index.js';
import {
  appendHeaderBytes,
  validateAppendBatch,
  type Acks,
  type AppendBatchRules,
  type PartitionResult,
} from '../partition/index.js';
import type { FetchInput, FetchOutcome, ListOffsetInput, ProduceInput, ProduceOutcome } from './node-api.js';
import type { PartitionReplica } from './partition-replica.js';
import { proposePartitionEntry } from './propose-partition.js';
import { within } from './within.js';

export interface LocalPartition {
  readonly group: RaftGroup;
  readonly replica: PartitionReplica;
}

const produceTimeoutMsDefault = 10_000;
/**
 * The largest batch a node may propose: the largest entry the host guarantees to reach every follower
 * (one entry alone in a frame), less the entry's own header. A larger entry would be committed by no
 * one and every later proposal of its group would wait behind it.
 */
export function proposalBatchBytesMax(entryBytesMax: number): number {
  return entryBytesMax - appendHeaderBytes;
}

/**
 * Appends a batch through the partition's Raft group and waits for the durability asked for. The
 * batch is judged in full first: what Raft commits is applied by every replica, so a batch that
 * could not be carried, stored or served must be refused here, before it is proposed.
 */
export async function produceLocal(
  clock: Pick<Clock, 'now' | 'after'>,
  p: LocalPartition,
  input: ProduceInput,
  rules: AppendBatchRules,
): Promise<ProduceOutcome> {
  validateAppendBatch(input.batch, rules);
  const proposal = proposePartitionEntry(p, {
    timestampMs: clock.now(),
    command: { type: 'append', acks: input.acks, batch: input.batch },
  });
  noteRequestGroup(p.group.id, proposal.term);
  const voters = p.group.confState.voters.length;
  const pending = { baseOffset: -1, lastOffset: -1, logAppendTimeMs: -1, duplicate: false };
  const base = { logStartOffset: p.replica.state.logStartOffset, replicasTotal: voters };
  if (input.acks === 'none') return { ...pending, ...base, acksAchieved: 'none', replicasFsynced: 0 };
  const timeoutMs = input.timeoutMs > 0 ? input.timeoutMs : produceTimeoutMsDefault;
  if (input.acks === 'leader') {
    await within(clock, proposal.durable, timeoutMs, 'not durable', input.signal);
    // Durable here is no leader acknowledgement once this node was deposed meanwhile: a new leader
    // may already have replaced the entry.
    const { role, term } = p.group.status();
    if (role !== 'leader' || term !== proposal.term) {
      throw new RaftlogError(
        'UNAVAILABLE',
        `${input.topic}/${input.partition}: leadership moved with the write in flight; it may or may not be committed`,
      );
    }
    const speculated = p.replica.speculate(p.group.storage, proposal.index, proposal.term);
    if (speculated !== undefined) {
      return { ...appended(speculated, base), acksAchieved: 'leader', replicasFsynced: 1 };
    }
  }
  const result = (await within(
    clock,
    proposal.applied,
    timeoutMs,
    'not committed',
    input.signal,
  )) as PartitionResult;
  return {
    ...appended(result, base),
    acksAchieved: 'quorum' satisfies Acks,
    replicasFsynced: fsyncedReplicas(p.group, proposal.index),
  };
}

function appended(
  result: PartitionResult,
  base: { logStartOffset: number; replicasTotal: number },
): Omit<ProduceOutcome, 'acksAchieved' | 'replicasFsynced'> {
  if (!result.ok) throw new RaftlogError(result.code, result.message);
  if (result.type !== 'appended') throw new RaftlogError('INTERNAL', `unexpected result ${result.type}`);
  return {
    baseOffset: result.baseOffset,
    lastOffset: result.lastOffset,
    logAppendTimeMs: result.logAppendTimeMs,
    duplicate: result.duplicate,
    ...base,
  };
}

function fsyncedReplicas(group: RaftGroup, index: number): number {
  const progress = group.status().progress;
  if (progress === undefined) return 1;
  let n = 0;
  for (const p of progress.values()) if (p.match >= index) n++;
  return n;
}

/** Reads committed batches from the store; only applied (committed) data is ever stored. */
export async function fetchLocal(
  store: PartitionStore,
  p: LocalPartition,
  input: FetchInput,
): Promise<FetchOutcome> {
  const sm = p.replica.state;
  noteRequestGroup(p.group.id);
  const highWatermark = sm.highWatermark;
  const lastStableOffset = sm.lastStableOffset;
  const end = input.isolation === 'read-committed' ? lastStableOffset : highWatermark;
  const outcome = { highWatermark, lastStableOffset, logStartOffset: sm.logStartOffset };
  if (input.offset < sm.logStartOffset || input.offset > highWatermark)
    throw outOfRange(input.offset, outcome);
  if (input.offset >= end)
    return { ...outcome, records: new Uint8Array(), nextOffset: input.offset, abortedTransactions: [] };
  if (input.offset >= p.replica.storedEnd) {
    // A snapshot install left a gap this replica is still filling from the others.
    throw new RaftlogError(
      'UNAVAILABLE',
      `record data from offset ${p.replica.storedEnd} is still being copied to this replica; retry`,
    );
  }
  // Applied entries reach the store one write later, and their producers may have heard of them
  // already: a client's read waits for that write. A replica read (another node's gap fill, which asks
  // again) takes what is written now. Whatever is not written is answered as nothing new, never skipped.
  let written = (await store.info(p.replica.partitionKey)).nextOffset;
  if (input.offset >= written && input.replicaRead !== true) {
    await p.replica.whenWritten();
    written = (await store.info(p.replica.partitionKey)).nextOffset;
  }
  if (input.offset >= written)
    return { ...outcome, records: new Uint8Array(), nextOffset: input.offset, abortedTransactions: [] };
  const read = await readStored(store, p, input);
  const visible: Uint8Array[] = [];
  let nextOffset = input.offset;
  for (const b of read.batches) {
    const view = new RecordBatchView(b);
    if (view.baseOffset >= end) break;
    visible.push(b);
    nextOffset = view.nextOffset;
  }
  // The read seeks to the next stored batch: none means compaction removed everything up to the
  // written end (not beyond it: the rest may be applied but not written yet).
  if (visible.length === 0) nextOffset = Math.min(end, Math.max(input.offset, read.nextOffset));
  const aborted =
    input.isolation === 'read-committed' ? sm.abortedTransactions(input.offset, nextOffset) : [];
  return { ...outcome, records: concat(visible), nextOffset, abortedTransactions: aborted };
}

function outOfRange(offset: number, positions: LogPositions): OffsetOutOfRangeError {
  return new OffsetOutOfRangeError(
    `offset ${offset} is outside [${positions.logStartOffset}, ${positions.highWatermark}]`,
    positions,
  );
}

/** Retention may move the log start past the offset while the read waited for the store. */
async function readStored(store: PartitionStore, p: LocalPartition, input: FetchInput) {
  try {
    return await store.read(p.replica.partitionKey, input.offset, input.bytesMax);
  } catch (error) {
    if (!(error instanceof RaftlogError) || error.code !== 'OFFSET_OUT_OF_RANGE') throw error;
    const { highWatermark, lastStableOffset, logStartOffset } = p.replica.state;
    const stored = await store.info(p.replica.partitionKey);
    const start = Math.max(logStartOffset, stored.logStartOffset);
    throw outOfRange(input.offset, { highWatermark, lastStableOffset, logStartOffset: start });
  }
}

export async function listOffsetLocal(
  store: PartitionStore,
  p: LocalPartition,
  input: ListOffsetInput,
): Promise<{ offset: number; timestampMs: number }> {
  const sm = p.replica.state;
  if (input.spec === 'earliest') return { offset: sm.logStartOffset, timestampMs: -1 };
  if (input.spec === 'latest') {
    const offset = input.isolation === 'read-committed' ? sm.lastStableOffset : sm.highWatermark;
    return { offset, timestampMs: -1 };
  }
  // A batch whose producer heard of it may be applied but not written yet (see fetchLocal).
  await p.replica.whenWritten();
  const hit = await store.offsetForTimestamp(p.replica.partitionKey, input.timestampMs);
  // A read_committed consumer seeking there would see nothing yet, and the record may still abort:
  // past the last stable offset nothing counts, as in Kafka.
  const visibleEnd = input.isolation === 'read-committed' ? sm.lastStableOffset : sm.highWatermark;
  return hit === undefined || hit.offset >= visibleEnd
    ? { offset: -1, timestampMs: -1 }
    : { offset: hit.offset, timestampMs: hit.timestamp };
}

/** Resolves once the partition's visible end passes `offset`, on timeout or abort, or when leadership moves. */
export function waitLocal(
  clock: Pick<Clock, 'after'>,
  p: LocalPartition,
  offset: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    let offLeader = (): void => undefined;
    const done = (): void => {
      timer.cancel();
      off();
      offLost();
      offLeader();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const off = p.group.onApplied(() => {
      if (p.replica.state.highWatermark > offset) done();
    });
    // A deposed leader's end never moves again: wake once the group knows a leader, so the next read
    // answers NOT_LEADER naming it (a transfer leaves none for a moment: LEADER_NOT_AVAILABLE then).
    const offLost = p.group.onLeadershipLost(() => {
      if (p.group.leader !== 0) done();
      else
        offLeader = p.group.onLeaderChange(() => {
          if (p.group.leader !== 0) done();
        });
    });
    const timer = clock.after(timeoutMs, done);
    signal.addEventListener('abort', done);
    if (signal.aborted || p.replica.state.highWatermark > offset) done();
  });
}

export function notLeader(what: string, leader: NodeId | 0, address: string | undefined): RaftlogError {
  if (leader === 0 || address === undefined) {
    return new RaftlogError('LEADER_NOT_AVAILABLE', `${what} has no leader right now`);
  }
  return new RaftlogError('NOT_LEADER', `${what} is led by node ${leader} at ${address}`, {
    leaderHint: address,
  });
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const size = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
