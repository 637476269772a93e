import { assert } from '../assert.js';
import { RaftlogError } from '../raftlog-error.js';
import { unzeroedBytes } from '../unzeroed-bytes.js';
import { crc32c } from './crc32c.js';
import { varintSize, varlongMagnitudeMax, varlongSize, writeVarint, writeVarlong } from './byte-reader.js';
import {
  attributeBits,
  batchLengthFieldEnd,
  crcCoveredStart,
  defaultRecordBatchLimits,
  headerOffsets as h,
  noProducerEpoch,
  noProducerId,
  noSequence,
  recordBatchHeaderBytes,
  recordBatchMagic,
  type RecordBatchLimits,
  type RecordHeader,
  type RecordInput,
} from './format.js';
import { writeInt64 } from './int64.js';

export interface EncodeRecordBatchOptions {
  readonly records: readonly RecordInput[];
  /** Default timestamp (ms) for records that carry none. */
  readonly timestamp?: number;
  /** Usually left at 0: the leader assigns the real one with `withBaseOffset`. */
  readonly baseOffset?: number;
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly transactional?: boolean;
  readonly control?: boolean;
  readonly limits?: RecordBatchLimits;
}

const utf8 = new TextEncoder();

interface SizedRecord {
  readonly input: RecordInput;
  readonly timestamp: number;
  readonly headerKeys: readonly Uint8Array[];
  readonly bodyBytes: number;
}

function invalid(message: string): RaftlogError {
  return new RaftlogError('INVALID_ARGUMENT', message);
}

function checkInteger(value: number, min: number, max: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(`${what} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

function lengthPrefixedBytes(bytes: Uint8Array | null | undefined): number {
  return bytes === null || bytes === undefined ? varintSize(-1) : varintSize(bytes.length) + bytes.length;
}

/** Shared by every record without headers, so such a record allocates no arrays of its own. */
const noHeaders: readonly RecordHeader[] = Object.freeze([]);
const noHeaderKeys: readonly Uint8Array[] = Object.freeze([]);

function sizeRecord(input: RecordInput, index: number, timestamp: number, baseTs: number): SizedRecord {
  const headers = input.headers ?? noHeaders;
  const headerKeys = headers.length === 0 ? noHeaderKeys : headers.map((hd) => utf8.encode(hd.key));
  let body =
    1 +
    varlongSize(timestamp - baseTs) +
    varintSize(index) +
    lengthPrefixedBytes(input.key) +
    lengthPrefixedBytes(input.value) +
    varintSize(headers.length);
  headers.forEach((hd, i) => {
    body += lengthPrefixedBytes(headerKeys[i]) + lengthPrefixedBytes(hd.value);
  });
  return { input, timestamp, headerKeys, bodyBytes: body };
}

function writeBytes(out: Uint8Array, pos: number, bytes: Uint8Array | null | undefined): number {
  if (bytes === null || bytes === undefined) return writeVarint(out, pos, -1);
  pos = writeVarint(out, pos, bytes.length);
  out.set(bytes, pos);
  return pos + bytes.length;
}

function writeRecord(out: Uint8Array, pos: number, r: SizedRecord, index: number, baseTs: number): number {
  pos = writeVarint(out, pos, r.bodyBytes);
  out[pos++] = 0;
  pos = writeVarlong(out, pos, r.timestamp - baseTs);
  pos = writeVarint(out, pos, index);
  pos = writeBytes(out, pos, r.input.key);
  pos = writeBytes(out, pos, r.input.value);
  const headers = r.input.headers ?? noHeaders;
  pos = writeVarint(out, pos, headers.length);
  for (let i = 0; i < headers.length; i++) {
    pos = writeBytes(out, pos, r.headerKeys[i]);
    pos = writeBytes(out, pos, headers[i]!.value);
  }
  return pos;
}

function recordTimestamps(options: EncodeRecordBatchOptions): number[] {
  return options.records.map((r, i) => {
    const ts = r.timestamp ?? options.timestamp;
    if (ts === undefined) throw invalid(`record ${i} has no timestamp and the batch sets no default`);
    checkInteger(ts, 0, varlongMagnitudeMax, `timestamp of record ${i}`);
    return ts;
  });
}

function checkProducerFields(options: EncodeRecordBatchOptions): void {
  checkInteger(options.baseOffset ?? 0, 0, Number.MAX_SAFE_INTEGER, 'baseOffset');
  checkInteger(options.producerId ?? noProducerId, -1, Number.MAX_SAFE_INTEGER, 'producerId');
  checkInteger(options.producerEpoch ?? noProducerEpoch, -1, 0x7fff, 'producerEpoch');
  checkInteger(options.baseSequence ?? noSequence, -1, 0x7fffffff, 'baseSequence');
}

/**
 * Encodes records into one RecordBatch, allocating the output once. Sizes are computed first so the
 * limits are enforced before any copy.
 */
export function encodeRecordBatch(options: EncodeRecordBatchOptions): Uint8Array {
  const limits = options.limits ?? defaultRecordBatchLimits;
  const { records } = options;
  if (records.length === 0) throw invalid('a record batch needs at least one record');
  if (records.length > limits.recordsPerBatchMax) {
    throw new RaftlogError(
      'MESSAGE_TOO_LARGE',
      `${records.length} records exceed recordsPerBatchMax ${limits.recordsPerBatchMax}`,
    );
  }
  checkProducerFields(options);
  const timestamps = recordTimestamps(options);
  const baseTs = timestamps[0]!;
  const maxTs = timestamps.reduce((a, b) => Math.max(a, b), baseTs);
  const sized = records.map((r, i) => sizeRecord(r, i, timestamps[i]!, baseTs));
  const total = sized.reduce((n, r) => n + varintSize(r.bodyBytes) + r.bodyBytes, recordBatchHeaderBytes);
  if (total > limits.batchBytesMax) {
    throw new RaftlogError(
      'MESSAGE_TOO_LARGE',
      `batch of ${total} bytes exceeds batchBytesMax ${limits.batchBytesMax}`,
    );
  }

  // Every byte is written below (the header field by field, then the records end to end).
  const out = unzeroedBytes(total);
  const view = new DataView(out.buffer, out.byteOffset, total);
  writeInt64(view, h.baseOffset, options.baseOffset ?? 0);
  view.setInt32(h.batchLength, total - batchLengthFieldEnd);
  view.setInt8(h.magic, recordBatchMagic);
  let attributes = 0;
  if (options.transactional === true) attributes |= attributeBits.transactional;
  if (options.control === true) attributes |= attributeBits.control;
  view.setInt16(h.attributes, attributes);
  view.setInt32(h.lastOffsetDelta, records.length - 1);
  writeInt64(view, h.baseTimestamp, baseTs);
  writeInt64(view, h.maxTimestamp, maxTs);
  writeInt64(view, h.producerId, options.producerId ?? noProducerId);
  view.setInt16(h.producerEpoch, options.producerEpoch ?? noProducerEpoch);
  view.setInt32(h.baseSequence, options.baseSequence ?? noSequence);
  view.setInt32(h.recordCount, records.length);

  let pos = recordBatchHeaderBytes;
  for (let i = 0; i < sized.length; i++) pos = writeRecord(out, pos, sized[i]!, i, baseTs);
  assert(pos === total, `record batch: wrote ${pos} of ${total} bytes`);
  view.setUint32(h.crc, crc32c(out, 0, crcCoveredStart, total));
  return out;
}
