import type { ErrorCode } from '../../lib/index.js';
import { BatchWindow, type BatchMetadata } from './batch-window.js';
import { nextSequence } from './sequence.js';

/** Mutable on purpose: this is the hot path, and the state machine owns its entries. */
export interface ProducerEntry {
  readonly producerId: number;
  epoch: number;
  /** -1 until the first batch of the current epoch: the next batch must then start at 0. */
  lastSequence: number;
  lastTimestampMs: number;
  /** First offset of this producer's open transaction, -1 when none. */
  openTxnFirstOffset: number;
  /** The last batches of the current epoch, oldest first, at most the dedup horizon. */
  readonly batches: BatchWindow;
}

export function newProducerEntry(producerId: number, epoch: number, timestampMs: number): ProducerEntry {
  return {
    producerId,
    epoch,
    lastSequence: -1,
    lastTimestampMs: timestampMs,
    openTxnFirstOffset: -1,
    batches: new BatchWindow(),
  };
}

export type SequenceDecision =
  | { readonly kind: 'accept' }
  | { readonly kind: 'duplicate'; readonly original: BatchMetadata }
  | { readonly kind: 'reject'; readonly code: ErrorCode; readonly message: string };

const accept: SequenceDecision = { kind: 'accept' };

/**
 * The idempotence rule for one batch of an idempotent producer: the next sequence is accepted, a
 * batch already in the horizon is a duplicate, a newer epoch must start at 0, an older one is fenced.
 */
export function checkSequence(
  entry: ProducerEntry | undefined,
  epoch: number,
  baseSequence: number,
  lastSequence: number,
): SequenceDecision {
  if (entry === undefined) {
    if (baseSequence === 0) return accept;
    return {
      kind: 'reject',
      code: 'UNKNOWN_PRODUCER_ID',
      message: `no state for this producer: its first batch must have sequence 0, got ${baseSequence}`,
    };
  }
  const pid = entry.producerId;
  if (epoch < entry.epoch) {
    return {
      kind: 'reject',
      code: 'PRODUCER_FENCED',
      message: `producer ${pid} epoch ${epoch} is older than the current epoch ${entry.epoch}`,
    };
  }
  if (epoch > entry.epoch || entry.lastSequence === -1) {
    if (baseSequence === 0) return accept;
    return {
      kind: 'reject',
      code: 'OUT_OF_ORDER_SEQUENCE',
      message: `producer ${pid} epoch ${epoch} must start at sequence 0, got ${baseSequence}`,
    };
  }
  const expected = nextSequence(entry.lastSequence);
  if (baseSequence === expected) return accept;
  const original = entry.batches.find(baseSequence);
  if (original !== undefined && original.lastSequence === lastSequence)
    return { kind: 'duplicate', original };
  const detail =
    original === undefined
      ? `expected sequence ${expected}, got ${baseSequence}`
      : `a batch of another size was appended at sequence ${baseSequence}`;
  return { kind: 'reject', code: 'OUT_OF_ORDER_SEQUENCE', message: `producer ${pid}: ${detail}` };
}

/** Moves the entry to `epoch` (newer): the sequence restarts and the old epoch's batches are forgotten. */
export function bumpEpoch(entry: ProducerEntry, epoch: number): void {
  entry.epoch = epoch;
  entry.lastSequence = -1;
  entry.batches.clear();
}

export function recordBatch(entry: ProducerEntry, batch: BatchMetadata, horizon: number): void {
  entry.lastSequence = batch.lastSequence;
  entry.batches.push(batch, horizon);
}
