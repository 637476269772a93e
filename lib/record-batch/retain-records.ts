import { ByteReader } from './byte-reader.js';
import { crc32c } from './crc32c.js';
import {
  batchLengthFieldEnd,
  crcCoveredStart,
  headerOffsets as h,
  recordBatchHeaderBytes,
  type DecodedRecord,
} from './format.js';
import type { RecordBatchView } from './record-batch-view.js';

/** What is left of a batch once a filter has dropped some of its records. */
export type RetainedRecords =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | { readonly kind: 'some'; readonly bytes: Uint8Array; readonly records: number };

/**
 * Rewrites a batch keeping only the records `keep` accepts, as Kafka's log cleaner does: the header
 * (baseOffset, lastOffsetDelta, timestamps, producer fields, attributes) stays as it was, each kept
 * record is copied byte for byte (its offset and timestamp deltas are relative to that header, so
 * offsets are unchanged and gaps appear), and only the length, record count and CRC32C are
 * recomputed. The output depends on nothing but the batch and the set of records kept.
 */
export function retainRecords(
  view: RecordBatchView,
  keep: (record: DecodedRecord) => boolean,
): RetainedRecords {
  const spans: number[] = [];
  let keptBytes = 0;
  const reader = new ByteReader(view.bytes, recordBatchHeaderBytes, view.bytes.length);
  for (const record of view.records()) {
    const start = reader.pos;
    const length = reader.varint('record length');
    reader.pos += length;
    if (!keep(record)) continue;
    spans.push(start, reader.pos);
    keptBytes += reader.pos - start;
  }
  const records = spans.length / 2;
  if (records === view.recordCount) return { kind: 'all' };
  if (records === 0) return { kind: 'none' };
  const bytes = new Uint8Array(recordBatchHeaderBytes + keptBytes);
  bytes.set(view.bytes.subarray(0, recordBatchHeaderBytes));
  let pos = recordBatchHeaderBytes;
  for (let i = 0; i < spans.length; i += 2) {
    const part = view.bytes.subarray(spans[i], spans[i + 1]);
    bytes.set(part, pos);
    pos += part.length;
  }
  const dv = new DataView(bytes.buffer);
  dv.setInt32(h.batchLength, bytes.length - batchLengthFieldEnd);
  dv.setInt32(h.recordCount, records);
  dv.setUint32(h.crc, crc32c(bytes, 0, crcCoveredStart, bytes.length));
  return { kind: 'some', bytes, records };
}
