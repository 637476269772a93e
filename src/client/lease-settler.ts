import { RaftlogError } from '../../lib/index.js';
import type { LeaseResult } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { delay } from './delay.js';
import { errorFromDetail, toRaftlogError, withoutHint } from './errors.js';
import { leaseKey, type LeaseRef } from './queue-receipt.js';
import type { RaftlogClient } from './raftlog-client.js';
import { decideRetry, type RetryOptions } from './retry-policy.js';

/** Acks join this producer's open transaction (its partitions registered first). */
export interface TransactionalAck {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
}

export type LeaseOp =
  | { readonly kind: 'ack'; readonly txn?: TransactionalAck }
  | { readonly kind: 'nack'; readonly delayMs: number; readonly error: string }
  | { readonly kind: 'extend'; readonly visibilityTimeoutMs: number };

export type LeaseOutcome =
  | { readonly ok: true; readonly leaseExpiresAtMs: number }
  | { readonly ok: false; readonly error: RaftlogError };

export type LeaseClient = Pick<RaftlogClient, 'leaderAddress' | 'noteError' | 'broker'>;

export interface SettleOptions {
  readonly deadlineMs: number;
  readonly requestTimeoutMs: number;
  readonly retry: RetryOptions;
}

/**
 * Sends one Ack, Nack or ExtendLease per partition leader and retries the leases whose leader moved
 * (a whole call that failed retriably, or per-lease NOT_LEADER) after the client learned the new
 * leader. Never throws: every ref gets its own outcome, in input order.
 */
export async function settleLeases(
  client: LeaseClient,
  queue: string,
  op: LeaseOp,
  refs: readonly LeaseRef[],
  options: SettleOptions,
): Promise<LeaseOutcome[]> {
  const outcomes = new Array<LeaseOutcome | undefined>(refs.length);
  let pending = refs.map((_, i) => i);
  for (let attempt = 0; pending.length > 0; attempt++) {
    const failures = await settleRound(client, queue, op, refs, pending, outcomes, options);
    pending = [...failures.keys()];
    const first = failures.values().next();
    if (first.done === true) break;
    const decision = decideRetry(first.value, attempt, Date.now(), options.deadlineMs, options.retry);
    if (!decision.retry) {
      for (const [i, error] of failures) outcomes[i] = { ok: false, error };
      break;
    }
    await delay(decision.delayMs);
  }
  return outcomes.map((o) => o ?? { ok: false, error: new RaftlogError('UNKNOWN', 'no outcome') });
}

/** One call per leader; returns the retriable failures by ref index, records everything else. */
async function settleRound(
  client: LeaseClient,
  queue: string,
  op: LeaseOp,
  refs: readonly LeaseRef[],
  pending: readonly number[],
  outcomes: (LeaseOutcome | undefined)[],
  options: SettleOptions,
): Promise<Map<number, RaftlogError>> {
  const failures = new Map<number, RaftlogError>();
  const fail = (i: number, error: RaftlogError): void => {
    const ref = refs[i]!;
    client.noteError(ref.topic, ref.partition, error);
    if (error.retriable) failures.set(i, error);
    else outcomes[i] = { ok: false, error };
  };
  const groups = new Map<string, number[]>();
  for (const i of pending) {
    const ref = refs[i]!;
    try {
      const address = await client.leaderAddress(ref.topic, ref.partition);
      groups.set(address, [...(groups.get(address) ?? []), i]);
    } catch (thrown) {
      fail(i, toRaftlogError(thrown));
    }
  }
  await Promise.all(
    [...groups].map(async ([address, indexes]) => {
      const group = indexes.map((i) => refs[i]!);
      try {
        const results = await callLeader(client, address, queue, op, group, options.requestTimeoutMs);
        const byKey = new Map(results.map((r) => [r.lease === undefined ? '' : leaseKey(wireRef(r)), r]));
        for (const i of indexes) {
          const result = byKey.get(leaseKey(refs[i]!));
          const error =
            result === undefined
              ? new RaftlogError('UNKNOWN', 'the leader did not answer for this lease')
              : errorFromDetail(result.error);
          if (error !== undefined) fail(i, error);
          else outcomes[i] = { ok: true, leaseExpiresAtMs: Number(result?.leaseExpiresAtMs ?? 0) };
        }
      } catch (thrown) {
        const error = toRaftlogError(thrown);
        for (const i of indexes) fail(i, indexes.length === 1 ? error : withoutHint(error));
      }
    }),
  );
  return failures;
}

function wireRef(r: LeaseResult): LeaseRef {
  const l = r.lease!;
  return { topic: l.topic, partition: l.partition, offset: Number(l.offset), leaseId: l.leaseId };
}

async function callLeader(
  client: LeaseClient,
  address: string,
  queue: string,
  op: LeaseOp,
  refs: readonly LeaseRef[],
  timeoutMs: number,
): Promise<readonly LeaseResult[]> {
  const broker = client.broker(address);
  const leases = refs.map((r) => ({ ...r, offset: BigInt(r.offset) }));
  switch (op.kind) {
    case 'ack': {
      const txn =
        op.txn === undefined
          ? {}
          : {
              transactionalId: op.txn.transactionalId,
              producerId: BigInt(op.txn.producerId),
              producerEpoch: op.txn.producerEpoch,
            };
      return (await broker.ack({ queue, leases, ...txn }, { timeoutMs })).results;
    }
    case 'nack':
      return (await broker.nack({ queue, leases, delayMs: op.delayMs, error: op.error }, { timeoutMs }))
        .results;
    case 'extend':
      return (
        await broker.extendLease(
          { queue, leases, visibilityTimeoutMs: op.visibilityTimeoutMs },
          { timeoutMs },
        )
      ).results;
  }
}
