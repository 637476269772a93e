import { splitRecordBatches } from '../../lib/index.js';
import type { ConsumerRecord } from './types.js';

export interface DecodedChunk {
  readonly records: ConsumerRecord[];
  /** Where the next fetch starts: after the last batch seen, never before `fromOffset`. */
  readonly nextOffset: number;
  readonly sizeBytes: number;
}

/** A transaction the partition aborted, as a read_committed fetch lists it (AbortedTransaction). */
export interface AbortedRange {
  readonly producerId: number;
  readonly firstOffset: number;
}

/**
 * Turns the concatenated batches of one fetched partition into records. A fetch may start at the
 * beginning of the batch holding `fromOffset`, so records below it are dropped; control batches
 * (transaction markers) carry no application records. Every batch's CRC is checked, as Kafka
 * consumers do, so a corrupted batch is reported instead of delivered.
 *
 * `aborted` (read_committed) lists the aborted transactions overlapping these batches; a
 * transactional batch of a producer is skipped from its aborted transaction's first offset until
 * that producer's next control batch, which is the abort marker that closed it (Kafka's rule).
 */
export function decodeFetchedRecords(
  topic: string,
  partition: number,
  bytes: Uint8Array,
  fromOffset: number,
  aborted: readonly AbortedRange[] = [],
): DecodedChunk {
  const records: ConsumerRecord[] = [];
  const pending = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  const skipping = new Set<number>();
  let nextOffset = fromOffset;
  for (const batch of splitRecordBatches(bytes)) {
    batch.assertCrc();
    nextOffset = Math.max(nextOffset, batch.nextOffset);
    while (pending.length > 0 && pending[0]!.firstOffset <= batch.lastOffset) {
      skipping.add(pending.shift()!.producerId);
    }
    if (batch.isControl) {
      skipping.delete(batch.producerId);
      continue;
    }
    if (batch.lastOffset < fromOffset) continue;
    if (batch.isTransactional && skipping.has(batch.producerId)) continue;
    for (const r of batch.records()) {
      if (r.offset < fromOffset) continue;
      records.push({
        topic,
        partition,
        offset: r.offset,
        key: r.key,
        value: r.value,
        headers: r.headers,
        timestampMs: r.timestamp,
      });
    }
  }
  return { records, nextOffset, sizeBytes: bytes.length };
}
