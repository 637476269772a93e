import type { ConsumedRecord, Record as WireRecord } from '../../../proto/gen/raftlog/v1/record_pb.js';
import type { QuotaKind } from './quota-throttle.js';

/** What counts against a quota in one message of a method, and whether its response carries the delay. */
export interface QuotaMeasure {
  readonly kind: QuotaKind;
  /**
   * 'request': each request message is measured; 'response': each response message, held back for
   * the debt; 'next-call': each response is measured, and the principal's next call of the method
   * waits for the debt before its handler runs (for queue leases, whose visibility timeout starts
   * when the handler leases: a held-back answer would spend it).
   */
  readonly on: 'request' | 'response' | 'next-call';
  readonly bytes: (message: never) => number;
}

interface Bytes {
  readonly length: number;
}
/** Key and value as the wire has them: either may be absent (null). */
type KeyValue = Pick<WireRecord, 'key' | 'value'>;

const keyValueBytes = (r: KeyValue | undefined): number => (r?.key?.length ?? 0) + (r?.value?.length ?? 0);
const producedBytes = (r: { records: readonly KeyValue[] }): number =>
  r.records.reduce((sum, record) => sum + keyValueBytes(record), 0);
const consumedBytes = (r: { records: readonly Pick<ConsumedRecord, 'record'>[] }): number =>
  r.records.reduce((sum, c) => sum + keyValueBytes(c.record), 0);
const leasedBytes = (r: { messages: readonly { message?: Pick<ConsumedRecord, 'record'> }[] }): number =>
  r.messages.reduce((sum, m) => sum + keyValueBytes(m.message?.record), 0);
const fetchedBytes = (r: { partitions: readonly { records: Bytes }[] }): number =>
  r.partitions.reduce((sum, p) => sum + p.records.length, 0);

/**
 * Produce quotas count the batch bytes a principal sends, fetch quotas the record bytes it receives
 * (queue leases included), as Kafka's byte-rate quotas do.
 */
export const quotaMeasures: Record<string, QuotaMeasure> = {
  produce: { kind: 'produce', on: 'request', bytes: (r: { batch: Bytes }) => r.batch.length },
  produceStream: {
    kind: 'produce',
    on: 'request',
    bytes: (r: { produce?: { batch: Bytes } }) => r.produce?.batch.length ?? 0,
  },
  produceRecords: { kind: 'produce', on: 'request', bytes: producedBytes },
  fetch: { kind: 'fetch', on: 'response', bytes: fetchedBytes },
  fetchStream: { kind: 'fetch', on: 'response', bytes: fetchedBytes },
  fetchRecords: { kind: 'fetch', on: 'response', bytes: consumedBytes },
  lease: { kind: 'fetch', on: 'next-call', bytes: leasedBytes },
  fetchRecordsStream: { kind: 'fetch', on: 'response', bytes: consumedBytes },
};
