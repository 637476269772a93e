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
  /**
   * The Raft entry holding the batch when the store keeps only a reference to it (see batch-ref.ts),
   * 0 for a stored copy. Lets retention find the entries it may delete without reading the batches.
   */
  readonly entryIndex: number;
}

const v1PayloadBytes = 40;

export function encodeBatchIndexEntry(e: BatchIndexEntry): Uint8Array {
  return new ValueWriter(v1PayloadBytes + 8)
    .u64(e.nextOffset)
    .u64(e.sizeBytes)
    .u64(e.bytesBefore)
    .u64(e.appendTimeMs)
    .u64(e.maxTimestamp + 1)
    .u64(e.entryIndex)
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
    // Entries written before references existed describe copies.
    entryIndex: bytes.length > 1 + v1PayloadBytes + 4 ? r.u64() : 0,
  };
  r.done();
  return entry;
}
