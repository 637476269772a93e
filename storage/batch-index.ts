import { ValueReader, ValueWriter } from './value-codec.js';

/**
 * What the store knows of one stored batch without reading it: retention by bytes sums sizes and the
 * background purge finds where each batch ends from these small values, never from the batches.
 */
export interface BatchIndexEntry {
  /** The offset after the batch's last record. */
  readonly nextOffset: number;
  /** The stored batch's length. */
  readonly sizeBytes: number;
  /** Bytes of every batch appended to the partition before this one (a running total). */
  readonly bytesBefore: number;
  /** When the leader appended the batch (the time carried in its Raft entry), in ms since the epoch. */
  readonly appendTimeMs: number;
  /** The batch's own maxTimestamp (records' timestamps), -1 when it has none. */
  readonly maxTimestamp: number;
}

export function encodeBatchIndexEntry(e: BatchIndexEntry): Uint8Array {
  return new ValueWriter(40)
    .u64(e.nextOffset)
    .u64(e.sizeBytes)
    .u64(e.bytesBefore)
    .u64(e.appendTimeMs)
    .u64(e.maxTimestamp + 1)
    .finish();
}

export function decodeBatchIndexEntry(bytes: Uint8Array): BatchIndexEntry {
  const r = new ValueReader(bytes, 'batch index entry');
  const entry = {
    nextOffset: r.u64(),
    sizeBytes: r.u64(),
    bytesBefore: r.u64(),
    appendTimeMs: r.u64(),
    maxTimestamp: r.u64() - 1,
  };
  r.done();
  return entry;
}
