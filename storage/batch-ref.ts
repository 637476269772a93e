import { ValueReader, ValueWriter } from './value-codec.js';

/**
 * A stored batch that lives inside its Raft entry: the partition keyspace holds this small value
 * instead of a copy of the batch, and a read takes the bytes from the entry. Values are told apart
 * by their first byte: a stored RecordBatch starts with its baseOffset (big-endian, below 2^53, so a
 * zero byte); a reference starts with its format version (never zero).
 */
export interface BatchRef {
  /** The Raft group whose log holds the entry. */
  readonly group: number;
  readonly index: number;
  /** Where the batch starts inside the entry's data, and its length. */
  readonly dataOffset: number;
  readonly sizeBytes: number;
  /** The batch's lastOffsetDelta, so a reader knows where it ends before reading the entry. */
  readonly lastOffsetDelta: number;
}

const payloadBytes = 4 + 8 + 4 + 4 + 4;

export function isBatchRef(value: Uint8Array): boolean {
  return value.length > 0 && value[0] !== 0;
}

/** `key` is the batch's key: the checksum covers it, so a reference cannot be read under another offset. */
export function encodeBatchRef(ref: BatchRef, key: Uint8Array): Uint8Array {
  return new ValueWriter(payloadBytes, key)
    .u32(ref.group)
    .u64(ref.index)
    .u32(ref.dataOffset)
    .u32(ref.sizeBytes)
    .u32(ref.lastOffsetDelta)
    .finish();
}

export function decodeBatchRef(value: Uint8Array, key: Uint8Array): BatchRef {
  const r = new ValueReader(value, 'batch reference', key);
  const ref = {
    group: r.u32(),
    index: r.u64(),
    dataOffset: r.u32(),
    sizeBytes: r.u32(),
    lastOffsetDelta: r.u32(),
  };
  r.done();
  return ref;
}
