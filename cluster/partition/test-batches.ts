import { encodeRecordBatch } from '../../lib/index.js';

export interface BatchSpec {
  readonly records?: number;
  readonly producerId?: number;
  readonly epoch?: number;
  readonly sequence?: number;
  readonly transactional?: boolean;
}

/** A small valid RecordBatch; idempotent when producerId is given. */
export function batch(spec: BatchSpec = {}): Uint8Array {
  const count = spec.records ?? 1;
  const idempotent = spec.producerId !== undefined;
  return encodeRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({ value: new Uint8Array([i & 0xff]) })),
    timestamp: 1_700_000_000_000,
    ...(idempotent
      ? { producerId: spec.producerId, producerEpoch: spec.epoch ?? 0, baseSequence: spec.sequence ?? 0 }
      : {}),
    transactional: spec.transactional ?? false,
  });
}
