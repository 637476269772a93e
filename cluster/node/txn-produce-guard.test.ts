import { describe, expect, it } from 'vitest';
import {
  applyControllerCommand,
  initialControllerState,
  type ControllerCommand,
} from '../controller/index.js';
import { encodeRecordBatch } from '../../lib/index.js';
import { judgeTxnBatch, transactionalClaim } from './txn-produce-guard.js';

function stateAfter(commands: readonly ControllerCommand[]) {
  let state = initialControllerState();
  for (const command of commands) {
    const out = applyControllerCommand(state, command, { index: state.appliedIndex + 1, timestampMs: 1_000 });
    if (!out.result.ok) throw new Error(out.result.message);
    state = out.state;
  }
  return state;
}

const base: ControllerCommand[] = [
  { type: 'register-node', nodeId: 1, address: 'a:1' },
  { type: 'create-topic', name: 't', partitions: 2, replicationFactor: 1, config: {} },
  { type: 'init-transactional-id', transactionalId: 'tx', transactionTimeoutMs: 60_000 },
];
const who = { transactionalId: 'tx', producerId: 0, epoch: 0 };
const claim = { ...who, topic: 't', partition: 0 };

describe('the partition leader’s check of a transactional batch', () => {
  it('accepts only a batch of the current producer whose transaction is open with this partition', () => {
    const open = stateAfter([
      ...base,
      { type: 'add-partitions-to-txn', ...who, partitions: [{ topic: 't', partition: 0 }] },
    ]);
    expect(judgeTxnBatch(open, claim).kind).toBe('ok');
    expect(judgeTxnBatch(open, { ...claim, partition: 1 }).kind).toBe('unseen');
    expect(judgeTxnBatch(stateAfter(base), claim).kind).toBe('unseen');
    expect(judgeTxnBatch(open, { ...claim, transactionalId: 'other' }).kind).toBe('unseen');
    expect(judgeTxnBatch(open, { ...claim, epoch: 1 }).kind).toBe('unseen');
  });

  it('refuses a fenced producer at once: an older epoch or an older producer id', () => {
    const bumped = stateAfter([
      ...base,
      { type: 'init-transactional-id', transactionalId: 'tx', transactionTimeoutMs: 60_000 },
      { type: 'add-partitions-to-txn', ...who, epoch: 1, partitions: [{ topic: 't', partition: 0 }] },
    ]);
    expect(judgeTxnBatch(bumped, claim)).toMatchObject({ kind: 'refused', code: 'PRODUCER_FENCED' });
    expect(judgeTxnBatch(bumped, { ...claim, epoch: 1 }).kind).toBe('ok');
  });
});

describe('the transaction a produced batch claims', () => {
  const input = (producer: { producerId?: number; producerEpoch?: number; baseSequence?: number }) => ({
    topic: 't',
    partition: 0,
    acks: 'quorum' as const,
    timeoutMs: 0,
    transactionalId: 'tx',
    batch: encodeRecordBatch({
      records: [{ value: new Uint8Array([1]) }],
      timestamp: 1,
      transactional: true,
      ...producer,
    }),
  });

  it('names the producer of the batch header', () => {
    expect(transactionalClaim(input({ producerId: 7, producerEpoch: 2, baseSequence: 0 }))).toEqual({
      ...claim,
      producerId: 7,
      epoch: 2,
    });
  });

  it('refuses a transactional batch without a producer id as malformed, not as a fenced producer', () => {
    expect(() => transactionalClaim(input({}))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
    );
  });
});
