import { describe, expect, it } from 'vitest';
import { applyControllerCommand } from './apply-controller-command.js';
import {
  decodeControllerEntry,
  decodeControllerSnapshot,
  encodeControllerEntry,
  encodeControllerSnapshot,
} from './controller-codec.js';
import {
  producerEpochMax,
  type ControllerCommand,
  type ControllerResult,
  type ControllerState,
} from './controller-types.js';
import { offsetKey } from './group-offsets.js';
import { hasPendingTxnOffset } from './pending-txn-offsets.js';
import { applyAll, lastResult, registerNodes } from './test-helpers.js';

const timeoutMs = 10_000;

/** Three nodes, topic t with 3 partitions, transactional id tx at producer 0 epoch 0. */
function setup(): ControllerState {
  return applyAll([
    ...registerNodes(3),
    { type: 'create-topic', name: 't', partitions: 3, replicationFactor: 3, config: {} },
    { type: 'init-transactional-id', transactionalId: 'tx', transactionTimeoutMs: timeoutMs },
  ]).state;
}

const who = { transactionalId: 'tx', producerId: 0, epoch: 0 };
const add = (partitions: number[], w = who): ControllerCommand => ({
  type: 'add-partitions-to-txn',
  ...w,
  partitions: partitions.map((partition) => ({ topic: 't', partition })),
});
const end = (commit: boolean, w = who): ControllerCommand => ({ type: 'prepare-end-txn', ...w, commit });
const complete = (commit: boolean, w = who): ControllerCommand => ({
  type: 'complete-end-txn',
  ...w,
  commit,
});

/** Applies one command at a chosen leader time. */
function at(state: ControllerState, command: ControllerCommand, timestampMs: number) {
  return applyControllerCommand(state, command, { index: state.appliedIndex + 1, timestampMs });
}

function expectRejected(result: ControllerResult, code: string): void {
  expect(result).toMatchObject({ ok: false, code });
}

describe('transactions in the controller', () => {
  it('opens a transaction on the first added partition and merges later ones', () => {
    const { state, results } = applyAll([add([1, 0]), add([0, 2])], setup());
    expect(results.every((r) => r.ok)).toBe(true);
    const info = state.transactionalIds.get('tx');
    expect(info?.state).toBe('ongoing');
    expect(info?.partitions).toEqual([0, 1, 2].map((partition) => ({ topic: 't', partition })));
    expect(info?.startedAtMs).toBeGreaterThan(0);
  });

  it('refuses unknown partitions, zombies and unknown ids without changing anything', () => {
    const start = applyAll([add([0])], setup()).state;
    const cases: [ControllerCommand, string][] = [
      [add([7]), 'PARTITION_NOT_FOUND'],
      [
        { type: 'add-partitions-to-txn', ...who, partitions: [{ topic: 'nope', partition: 0 }] },
        'TOPIC_NOT_FOUND',
      ],
      [add([1], { ...who, producerId: 9 }), 'PRODUCER_FENCED'],
      [add([1], { ...who, epoch: 3 }), 'INVALID_TXN_STATE'],
      [add([1], { ...who, transactionalId: 'other' }), 'INVALID_TXN_STATE'],
      [add([]), 'INVALID_ARGUMENT'],
    ];
    for (const [command, code] of cases) {
      const out = at(start, command, 2_000_000);
      expectRejected(out.result, code);
      expect(out.state.transactionalIds).toBe(start.transactionalIds);
    }
  });

  it('commits: prepare, then complete; a retried end with the same decision is confirmed', () => {
    const { state, results } = applyAll([add([0, 1]), end(true), end(true)], setup());
    expect(results.every((r) => r.ok)).toBe(true);
    expect(state.transactionalIds.get('tx')?.state).toBe('prepare-commit');
    expectRejected(lastResult(applyAll([end(false)], state).results), 'INVALID_TXN_STATE');
    expectRejected(lastResult(applyAll([add([2])], state).results), 'CONCURRENT_TRANSACTIONS');
    expectRejected(lastResult(applyAll([complete(false)], state).results), 'INVALID_TXN_STATE');
    const done = applyAll([complete(true), complete(true), end(true)], state);
    expect(done.results.every((r) => r.ok)).toBe(true);
    expect(done.state.transactionalIds.get('tx')).toMatchObject({
      state: 'complete-commit',
      partitions: [],
      startedAtMs: 0,
    });
    // The next transaction starts afresh with the same epoch.
    const next = applyAll([add([2])], done.state).state.transactionalIds.get('tx');
    expect(next).toMatchObject({ state: 'ongoing', epoch: 0, partitions: [{ topic: 't', partition: 2 }] });
  });

  it('forgets the partitions of a topic deleted in the transaction, so no marker reaches a new topic of its name', () => {
    const { state, results } = applyAll(
      [
        { type: 'create-topic', name: 'u', partitions: 1, replicationFactor: 3, config: {} },
        add([0]),
        { type: 'add-partitions-to-txn', ...who, partitions: [{ topic: 'u', partition: 0 }] },
        { type: 'delete-topic', name: 't' },
        { type: 'create-topic', name: 't', partitions: 3, replicationFactor: 3, config: {} },
        end(true),
      ],
      setup(),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const info = state.transactionalIds.get('tx');
    expect(info).toMatchObject({ state: 'prepare-commit', partitions: [{ topic: 'u', partition: 0 }] });
  });

  it('drops pending offsets of a topic deleted before the commit, so they never reach a new topic of its name', () => {
    const offsets: ControllerCommand = {
      type: 'txn-offset-commit',
      ...who,
      groupId: 'g',
      generationId: -1,
      memberId: '',
      offsets: [{ topic: 't', partition: 1, offset: 9, metadata: '' }],
    };
    const { state, results } = applyAll(
      [
        add([0]),
        { type: 'add-offsets-to-txn', ...who, groupId: 'g' },
        offsets,
        { type: 'delete-topic', name: 't' },
        { type: 'create-topic', name: 't', partitions: 3, replicationFactor: 3, config: {} },
        end(true),
        complete(true),
      ],
      setup(),
    );
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true, true, true]);
    expect(state.groupOffsets.get('g')?.get(offsetKey('t', 1))).toBeUndefined();
  });

  it('refuses to end a transaction that is not open', () => {
    expectRejected(lastResult(applyAll([end(true)], setup()).results), 'INVALID_TXN_STATE');
  });

  it('keeps offsets pending until the transaction commits, then stores them as committed offsets', () => {
    const offsets = (offset: number): ControllerCommand => ({
      type: 'txn-offset-commit',
      ...who,
      groupId: 'g',
      generationId: -1,
      memberId: '',
      offsets: [{ topic: 't', partition: 1, offset, metadata: 'm' }],
    });
    expectRejected(lastResult(applyAll([add([0]), offsets(5)], setup()).results), 'INVALID_TXN_STATE');
    const { state, results } = applyAll(
      [add([0]), { type: 'add-offsets-to-txn', ...who, groupId: 'g' }, offsets(5), offsets(7), end(true)],
      setup(),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(state.transactionalIds.get('tx')?.pendingOffsets).toEqual([
      { groupId: 'g', topic: 't', partition: 1, offset: 7, metadata: 'm' },
    ]);
    expect(state.groupOffsets.size).toBe(0);
    expect(hasPendingTxnOffset(state, 'g', 't', 1)).toBe(true);
    expect(hasPendingTxnOffset(state, 'g', 't', 0)).toBe(false);
    const committed = applyAll([complete(true)], state).state;
    expect(hasPendingTxnOffset(committed, 'g', 't', 1)).toBe(false);
    expect(committed.groupOffsets.get('g')?.get(offsetKey('t', 1))).toMatchObject({
      offset: 7,
      metadata: 'm',
    });
    const aborted = applyAll([end(false, who)], applyAll([add([0])], committed).state).state;
    expect(applyAll([complete(false)], aborted).state.groupOffsets).toBe(committed.groupOffsets);
  });

  it('drops pending offsets when the transaction aborts', () => {
    const { state } = applyAll(
      [
        { type: 'add-offsets-to-txn', ...who, groupId: 'g' },
        {
          type: 'txn-offset-commit',
          ...who,
          groupId: 'g',
          generationId: -1,
          memberId: '',
          offsets: [{ topic: 't', partition: 0, offset: 3, metadata: '' }],
        },
        end(false),
        complete(false),
      ],
      setup(),
    );
    expect(state.groupOffsets.size).toBe(0);
    expect(state.transactionalIds.get('tx')?.state).toBe('complete-abort');
  });

  it('fences an ongoing transaction on init: epoch bumped, abort prepared; init waits while one ends', () => {
    const open = applyAll([add([0])], setup()).state;
    const init: ControllerCommand = {
      type: 'init-transactional-id',
      transactionalId: 'tx',
      transactionTimeoutMs: timeoutMs,
    };
    const { state, results } = applyAll([init], open);
    expect(lastResult(results)).toEqual({
      ok: true,
      output: { type: 'producer-epoch', producerId: 0, epoch: 1 },
    });
    expect(state.transactionalIds.get('tx')).toMatchObject({
      state: 'prepare-abort',
      epoch: 1,
      partitions: [{ topic: 't', partition: 0 }],
    });
    expectRejected(lastResult(applyAll([add([1])], state).results), 'PRODUCER_FENCED');
    expectRejected(lastResult(applyAll([init], state).results), 'CONCURRENT_TRANSACTIONS');
    const fresh = { ...who, epoch: 1 };
    expect(applyAll([complete(false, fresh)], state).state.transactionalIds.get('tx')?.state).toBe(
      'complete-abort',
    );
  });

  it('at the last epoch, init aborts under the old epoch first and then moves to a new producer id', () => {
    const base = setup();
    const info = base.transactionalIds.get('tx');
    if (info === undefined) throw new Error('no id');
    const last = { ...who, epoch: producerEpochMax };
    const worn = {
      ...base,
      transactionalIds: new Map(base.transactionalIds).set('tx', { ...info, epoch: producerEpochMax }),
    };
    const init: ControllerCommand = {
      type: 'init-transactional-id',
      transactionalId: 'tx',
      transactionTimeoutMs: timeoutMs,
    };
    const first = applyAll([add([0], last), init], worn);
    expect(lastResult(first.results)).toEqual({ ok: true, output: { type: 'done' } });
    expect(first.state.transactionalIds.get('tx')).toMatchObject({
      state: 'prepare-abort',
      epoch: producerEpochMax,
    });
    const second = applyAll([complete(false, last), init], first.state);
    expect(lastResult(second.results)).toMatchObject({ ok: true, output: { producerId: 1, epoch: 0 } });
  });

  it('never hands out the last epoch, so a producer whose transaction times out is always fenced', () => {
    const base = setup();
    const info = base.transactionalIds.get('tx');
    if (info === undefined) throw new Error('no id');
    const worn = (epoch: number) => ({
      ...base,
      transactionalIds: new Map(base.transactionalIds).set('tx', { ...info, epoch }),
    });
    const init: ControllerCommand = {
      type: 'init-transactional-id',
      transactionalId: 'tx',
      transactionTimeoutMs: timeoutMs,
    };
    const given = applyAll([init], worn(producerEpochMax - 2));
    expect(lastResult(given.results)).toMatchObject({
      output: { producerId: 0, epoch: producerEpochMax - 1 },
    });
    // The next one would be the last epoch, which only a fence may use: a new producer id instead.
    expect(lastResult(applyAll([init], given.state).results)).toMatchObject({
      output: { producerId: 1, epoch: 0 },
    });
    const holder = { ...who, epoch: producerEpochMax - 1 };
    const open = applyAll([add([0], holder)], given.state).state;
    const startedAt = open.transactionalIds.get('tx')?.startedAtMs ?? 0;
    const timedOut = at(open, { type: 'abort-timed-out-txn', ...holder }, startedAt + timeoutMs);
    expect(timedOut.state.transactionalIds.get('tx')).toMatchObject({ epoch: producerEpochMax });
    const done = applyAll([complete(false, { ...who, epoch: producerEpochMax })], timedOut.state).state;
    expectRejected(lastResult(applyAll([add([1], holder)], done).results), 'PRODUCER_FENCED');
    // Fencing an open transaction on init takes the last epoch too, and the new instance a new id.
    const fenced = applyAll([init], open);
    expect(lastResult(fenced.results)).toEqual({ ok: true, output: { type: 'done' } });
    expect(fenced.state.transactionalIds.get('tx')).toMatchObject({
      state: 'prepare-abort',
      epoch: producerEpochMax,
    });
    expectRejected(lastResult(applyAll([add([1], holder)], fenced.state).results), 'PRODUCER_FENCED');
  });

  it('aborts a timed-out transaction by the entry time only, bumping the epoch', () => {
    const open = applyAll([add([0])], setup()).state;
    const startedAt = open.transactionalIds.get('tx')?.startedAtMs ?? 0;
    const abort: ControllerCommand = { type: 'abort-timed-out-txn', ...who };
    expectRejected(at(open, abort, startedAt + timeoutMs - 1).result, 'INVALID_TXN_STATE');
    const out = at(open, abort, startedAt + timeoutMs);
    expect(out.result.ok).toBe(true);
    expect(out.state.transactionalIds.get('tx')).toMatchObject({ state: 'prepare-abort', epoch: 1 });
    expectRejected(at(out.state, end(true), startedAt + timeoutMs + 1).result, 'PRODUCER_FENCED');
  });

  it('expires idle ids but never one with an open transaction', () => {
    const open = applyAll(
      [add([0]), { type: 'init-transactional-id', transactionalId: 'idle', transactionTimeoutMs: timeoutMs }],
      setup(),
    ).state;
    const out = at(open, { type: 'expire-transactional-ids', idleMsMin: 1 }, 9_000_000);
    expect(out.result).toEqual({ ok: true, output: { type: 'expired', count: 1 } });
    expect([...out.state.transactionalIds.keys()]).toEqual(['tx']);
  });

  it('round-trips the commands and the state through the codecs; old snapshots still decode', () => {
    const commands: ControllerCommand[] = [
      add([0, 1]),
      { type: 'add-offsets-to-txn', ...who, groupId: 'g' },
      {
        type: 'txn-offset-commit',
        ...who,
        groupId: 'g',
        generationId: 4,
        memberId: 'm-1',
        offsets: [{ topic: 't', partition: 2, offset: 9, metadata: 'x' }],
      },
      end(true),
    ];
    for (const command of commands) {
      expect(decodeControllerEntry(encodeControllerEntry({ timestampMs: 5, command })).command).toEqual(
        command,
      );
    }
    const { state } = applyAll(commands, setup());
    const bytes = encodeControllerSnapshot(state);
    expect(decodeControllerSnapshot(bytes)).toEqual(state);
    expect(encodeControllerSnapshot(decodeControllerSnapshot(bytes))).toEqual(bytes);
    const old = new TextEncoder().encode(
      '\x01{"appliedIndex":3,"nextGroupId":1,"nextProducerId":1,"placementCursor":0,"nodes":[],"topics":[],' +
        '"transactionalIds":[{"transactionalId":"a","producerId":0,"epoch":2,"transactionTimeoutMs":60000,"updatedAtMs":7}]}',
    );
    expect(decodeControllerSnapshot(old).transactionalIds.get('a')).toEqual({
      transactionalId: 'a',
      producerId: 0,
      epoch: 2,
      transactionTimeoutMs: 60000,
      updatedAtMs: 7,
      state: 'empty',
      partitions: [],
      groupIds: [],
      pendingOffsets: [],
      startedAtMs: 0,
    });
  });
});
