import { splitRecordBatches } from '../../lib/index.js';
import type { ConsumerRecord } from './types.js';

export interface DecodedChunk {
  readonly records: ConsumerRecord[];
  /** Where the next fetch starts: after the last batch seen, never before `fromOffset`. */
  readonly nextOffset: number;
  readonly sizeBytes: number;
}

/**
 * Turns the concatenated batches of one fetched partition into records. A fetch may start at the
 * beginning of the batch holding `fromOffset`, so records below it are dropped; control batches
 * (transaction markers) carry no application records. Every batch's CRC is checked, as Kafka
 * consumers do, so a corrupted batch is reported instead of delivered.
 */
export function decodeFetchedRecords(
  topic: string,
  partition: number,
  bytes: Uint8Array,
  fromOffset: number,
): DecodedChunk {
  const records: ConsumerRecord[] = [];
  let nextOffset = fromOffset;
  for (const batch of splitRecordBatches(bytes)) {
    batch.assertCrc();
    nextOffset = Math.max(nextOffset, batch.nextOffset);
    if (batch.isControl || batch.lastOffset < fromOffset) continue;
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
