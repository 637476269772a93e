import { create } from '@bufbuild/protobuf';
import type { DeadLetterCandidate } from '../../../cluster/node/index.js';
import { RecordSchema, type Record as ProtoRecord } from '../../../proto/gen/raftlog/v1/record_pb.js';

const utf8 = new TextEncoder();
/** Headers a dead-letter copy gains (documented on LeaseRequest in broker.proto). */
export const deadLetterHeaders = {
  originTopic: 'raftlog-dlq-origin-topic',
  originPartition: 'raftlog-dlq-origin-partition',
  originOffset: 'raftlog-dlq-origin-offset',
  deliveryCount: 'raftlog-dlq-delivery-count',
  reason: 'raftlog-dlq-reason',
  lastError: 'raftlog-dlq-last-error',
} as const;

/** The copy of a message for the dead-letter topic: its key, value and headers, plus where it came from. */
export function deadLetterRecord(topic: string, c: DeadLetterCandidate): ProtoRecord {
  const r = c.record;
  const origin = {
    [deadLetterHeaders.originTopic]: topic,
    [deadLetterHeaders.originPartition]: String(c.partition),
    [deadLetterHeaders.originOffset]: String(r.offset),
    [deadLetterHeaders.deliveryCount]: String(c.deliveryCount),
    [deadLetterHeaders.reason]: c.reason,
    [deadLetterHeaders.lastError]: c.lastError,
  };
  const kept = r.headers.filter((h) => !(h.key in origin));
  return create(RecordSchema, {
    ...(r.key === null ? {} : { key: r.key }),
    ...(r.value === null ? {} : { value: r.value }),
    timestampMs: BigInt(r.timestamp),
    headers: [
      ...kept.map((h) => (h.value === null ? { key: h.key } : { key: h.key, value: h.value })),
      ...Object.entries(origin).map(([key, value]) => ({ key, value: utf8.encode(value) })),
    ],
  });
}
