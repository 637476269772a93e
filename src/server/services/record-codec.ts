import type { AbortedTransaction } from '../../../cluster/partition/index.js';
import {
  encodeRecordBatch,
  RaftlogError,
  splitRecordBatches,
  timestampMsMax,
  type RecordInput,
} from '../../../lib/index.js';
import type { Record as ProtoRecord } from '../../../proto/gen/raftlog/v1/record_pb.js';

/** Producer fields of an idempotent record-level produce, already checked. */
export interface RecordProducer {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

const timestampMax = BigInt(timestampMsMax);

/**
 * Encodes decoded records as one RecordBatch, exactly as a client would: the result goes through
 * the same checks as a batch from Produce. A timestamp of 0 means the append time (`nowMs`).
 */
export function encodeRecords(
  records: readonly ProtoRecord[],
  nowMs: number,
  producer: RecordProducer | undefined,
): Uint8Array {
  const inputs: RecordInput[] = records.map((r, i) => {
    // Checked as the int64 it came as: a JS number would round it in the message.
    if (r.timestampMs < 0n || r.timestampMs > timestampMax) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `record ${i}: timestamp_ms must be in [0, ${timestampMsMax}] (0: the append time), got ${r.timestampMs}`,
      );
    }
    return {
      key: r.key ?? null,
      value: r.value ?? null,
      timestamp: r.timestampMs === 0n ? nowMs : Number(r.timestampMs),
      headers: r.headers.map((h) => ({ key: h.key, value: h.value ?? null })),
    };
  });
  return encodeRecordBatch({ records: inputs, timestamp: nowMs, ...producer });
}

/** A decoded record of a stored batch, with the position the log gave it. */
export interface StoredRecord {
  readonly offset: number;
  readonly timestampMs: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly { readonly key: string; readonly value: Uint8Array | null }[];
}

export interface DecodedRange {
  readonly records: StoredRecord[];
  /** Where the next read starts: after the last record returned, or after everything read. */
  readonly nextOffset: number;
}

/**
 * The records a reader sees in stored batches: from `fromOffset` on, at most `recordsMax`, never a
 * transaction marker, and for read_committed never a batch of an aborted transaction (a
 * transactional batch of a producer between its aborted transaction's first offset and marker).
 */
export function visibleRecords(
  bytes: Uint8Array,
  fromOffset: number,
  endOffset: number,
  recordsMax: number,
  aborted: readonly AbortedTransaction[],
): DecodedRange {
  const records: StoredRecord[] = [];
  let nextOffset = fromOffset;
  for (const batch of splitRecordBatches(bytes)) {
    batch.assertCrc();
    const skip =
      batch.isControl || (batch.isTransactional && isAborted(aborted, batch.producerId, batch.baseOffset));
    for (const r of skip ? [] : batch.records()) {
      if (r.offset < fromOffset || r.offset >= endOffset) continue;
      if (records.length === recordsMax) return { records, nextOffset: r.offset };
      records.push({
        offset: r.offset,
        timestampMs: r.timestamp,
        key: r.key,
        value: r.value,
        headers: r.headers,
      });
    }
    nextOffset = Math.max(nextOffset, Math.min(batch.nextOffset, endOffset));
  }
  return { records, nextOffset };
}

function isAborted(aborted: readonly AbortedTransaction[], producerId: number, offset: number): boolean {
  return aborted.some(
    (a) => a.producerId === producerId && a.firstOffset <= offset && offset <= a.lastOffset,
  );
}
