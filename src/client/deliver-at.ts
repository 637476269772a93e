import { RaftlogError, type RecordHeader } from '../../lib/index.js';
import type { ProducerRecord } from './types.js';

/** The header a queue reads to keep a message invisible until then (decimal ms since the epoch). */
export const deliverAtHeader = 'raftlog-deliver-at-ms';

const utf8 = new TextEncoder();

/** The record's headers (undefined: none), with the deliver-at header when `deliverAtMs` asks for one. */
export function headersOf(record: ProducerRecord): readonly RecordHeader[] | undefined {
  const at = record.deliverAtMs;
  if (at === undefined) return record.headers;
  if (!Number.isSafeInteger(at) || at < 0) {
    throw new RaftlogError('INVALID_ARGUMENT', `deliverAtMs must be a non-negative integer, got ${at}`);
  }
  const kept = (record.headers ?? []).filter((h) => h.key !== deliverAtHeader);
  return [...kept, { key: deliverAtHeader, value: utf8.encode(String(at)) }];
}
