import { RaftlogError } from '../raftlog-error.js';
import { ByteReader, corrupt } from './byte-reader.js';
import { crc32c } from './crc32c.js';
import {
  attributeBits,
  batchLengthFieldEnd,
  compression,
  crcCoveredStart,
  defaultRecordBatchLimits,
  headerOffsets as h,
  recordBatchHeaderBytes,
  recordBatchMagic,
  type DecodedRecord,
  type RecordBatchLimits,
  type RecordHeader,
} from './format.js';
import { readInt64, writeInt64 } from './int64.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Zero-copy access to one encoded RecordBatch. The constructor checks only what is needed to read
 * the header safely (size, magic, counts); `verifyCrc()` and record iteration check the rest, so
 * serving a stored batch costs a header check plus one CRC pass, never a decode.
 */
export class RecordBatchView {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(bytes: Uint8Array, limits: RecordBatchLimits = defaultRecordBatchLimits) {
    if (bytes.length < recordBatchHeaderBytes) {
      throw corrupt(
        `record batch of ${bytes.length} bytes is shorter than its ${recordBatchHeaderBytes}-byte header`,
      );
    }
    if (bytes.length > limits.batchBytesMax) {
      throw new RaftlogError(
        'MESSAGE_TOO_LARGE',
        `batch of ${bytes.length} bytes exceeds batchBytesMax ${limits.batchBytesMax}`,
      );
    }
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const declared = this.view.getInt32(h.batchLength) + batchLengthFieldEnd;
    if (declared !== bytes.length) {
      throw corrupt(`batchLength says ${declared} bytes, buffer holds ${bytes.length}`);
    }
    if (this.magic !== recordBatchMagic) throw corrupt(`unknown record batch magic ${this.magic}`);
    if (this.compression !== compression.none) throw corrupt(`unknown compression codec ${this.compression}`);
    const count = this.recordCount;
    if (count < 0 || count > limits.recordsPerBatchMax) {
      throw corrupt(`recordCount ${count} outside [0, ${limits.recordsPerBatchMax}]`);
    }
    if (this.lastOffsetDelta < 0 || this.lastOffsetDelta < count - 1) {
      throw corrupt(`lastOffsetDelta ${this.lastOffsetDelta} does not cover ${count} records`);
    }
    if (this.baseOffset < 0) throw corrupt(`negative baseOffset ${this.baseOffset}`);
    if (!Number.isSafeInteger(this.lastOffset))
      throw corrupt('last offset is outside the safe integer range');
  }

  get sizeBytes(): number {
    return this.bytes.length;
  }
  get baseOffset(): number {
    return readInt64(this.view, h.baseOffset, 'baseOffset');
  }
  get magic(): number {
    return this.view.getInt8(h.magic);
  }
  get crc(): number {
    return this.view.getUint32(h.crc);
  }
  get attributes(): number {
    return this.view.getInt16(h.attributes);
  }
  get compression(): number {
    return this.attributes & attributeBits.compressionMask;
  }
  get isTransactional(): boolean {
    return (this.attributes & attributeBits.transactional) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & attributeBits.control) !== 0;
  }
  get lastOffsetDelta(): number {
    return this.view.getInt32(h.lastOffsetDelta);
  }
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  /** The offset right after this batch. */
  get nextOffset(): number {
    return this.lastOffset + 1;
  }
  get baseTimestamp(): number {
    return readInt64(this.view, h.baseTimestamp, 'baseTimestamp');
  }
  get maxTimestamp(): number {
    return readInt64(this.view, h.maxTimestamp, 'maxTimestamp');
  }
  get producerId(): number {
    return readInt64(this.view, h.producerId, 'producerId');
  }
  get producerEpoch(): number {
    return this.view.getInt16(h.producerEpoch);
  }
  get baseSequence(): number {
    return this.view.getInt32(h.baseSequence);
  }
  get recordCount(): number {
    return this.view.getInt32(h.recordCount);
  }

  computeCrc(): number {
    return crc32c(this.bytes, 0, crcCoveredStart, this.bytes.length);
  }

  verifyCrc(): boolean {
    return this.computeCrc() === this.crc;
  }

  /** Throws CORRUPT_MESSAGE unless the CRC matches. */
  assertCrc(): this {
    if (!this.verifyCrc()) {
      throw corrupt(`record batch at offset ${this.baseOffset}: CRC32C mismatch`);
    }
    return this;
  }

  /**
   * Sets baseOffset (outside the CRC, so the CRC stays valid). By default on a copy; with
   * `inPlace` it patches this view's own bytes, which the caller must own.
   */
  withBaseOffset(offset: number, options: { readonly inPlace?: boolean } = {}): RecordBatchView {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(offset + this.lastOffsetDelta)) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `baseOffset must be a non-negative safe integer, got ${offset}`,
      );
    }
    const target = options.inPlace === true ? this : new RecordBatchView(this.bytes.slice());
    writeInt64(target.view, h.baseOffset, offset);
    return target;
  }

  /** Decodes records lazily; malformed records throw CORRUPT_MESSAGE when reached. */
  *records(): Generator<DecodedRecord, void, undefined> {
    const reader = new ByteReader(this.bytes, recordBatchHeaderBytes, this.bytes.length);
    const count = this.recordCount;
    const baseOffset = this.baseOffset;
    const baseTimestamp = this.baseTimestamp;
    for (let i = 0; i < count; i++) yield readRecord(reader, baseOffset, baseTimestamp, this.lastOffsetDelta);
    if (reader.remaining !== 0) throw corrupt(`${reader.remaining} bytes after the last of ${count} records`);
  }
}

function readRecord(
  reader: ByteReader,
  baseOffset: number,
  baseTs: number,
  lastDelta: number,
): DecodedRecord {
  const length = reader.varint('record length');
  if (length < 0 || length > reader.remaining) throw corrupt(`record length ${length} out of bounds`);
  const body = new ByteReader(reader.bytes, reader.pos, reader.pos + length);
  reader.pos += length;
  const attributes = body.int8();
  const timestamp = baseTs + body.varlong('timestampDelta');
  if (!Number.isSafeInteger(timestamp)) throw corrupt('record timestamp outside the safe integer range');
  const offsetDelta = body.varint('offsetDelta');
  if (offsetDelta < 0 || offsetDelta > lastDelta)
    throw corrupt(`offsetDelta ${offsetDelta} outside the batch`);
  const key = nullableBytes(body, 'key');
  const value = nullableBytes(body, 'value');
  const headers = readHeaders(body);
  if (body.remaining !== 0) throw corrupt(`${body.remaining} unread bytes inside a record`);
  return { offset: baseOffset + offsetDelta, offsetDelta, timestamp, attributes, key, value, headers };
}

function nullableBytes(body: ByteReader, what: string): Uint8Array | null {
  const length = body.varint(`${what} length`);
  if (length === -1) return null;
  if (length < -1) throw corrupt(`${what} length ${length}`);
  return body.slice(length, what);
}

function readHeaders(body: ByteReader): RecordHeader[] {
  const count = body.varint('header count');
  // Each header takes at least two bytes, which bounds the count before anything is allocated.
  if (count < 0 || count * 2 > body.remaining) throw corrupt(`header count ${count} out of bounds`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < count; i++) {
    const keyBytes = nullableBytes(body, 'header key');
    if (keyBytes === null) throw corrupt('null header key');
    let key: string;
    try {
      key = utf8.decode(keyBytes);
    } catch (cause) {
      throw new RaftlogError('CORRUPT_MESSAGE', 'header key is not valid UTF-8', { cause });
    }
    headers.push({ key, value: nullableBytes(body, 'header value') });
  }
  return headers;
}

/** Decodes every record, checking that the batch is well formed throughout. */
export function decodeRecords(batch: Uint8Array | RecordBatchView): DecodedRecord[] {
  const view = batch instanceof RecordBatchView ? batch : new RecordBatchView(batch);
  return [...view.records()];
}

/**
 * Splits concatenated batches (as a fetch response or a file carries them) into views.
 * Throws CORRUPT_MESSAGE on a truncated or malformed batch.
 */
export function splitRecordBatches(
  bytes: Uint8Array,
  limits: RecordBatchLimits = defaultRecordBatchLimits,
): RecordBatchView[] {
  const views: RecordBatchView[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < batchLengthFieldEnd) throw corrupt(`truncated batch header at ${pos}`);
    const size = dv.getInt32(pos + h.batchLength) + batchLengthFieldEnd;
    if (size < recordBatchHeaderBytes || pos + size > bytes.length) {
      throw corrupt(`batch at ${pos} declares ${size} bytes, ${bytes.length - pos} remain`);
    }
    views.push(new RecordBatchView(bytes.subarray(pos, pos + size), limits));
    pos += size;
  }
  return views;
}

/**
 * Records in concatenated batches, from their headers alone (no CRC check, no record decoding): for
 * counters on the data path. Stops at the first truncated header.
 */
export function countRecords(bytes: Uint8Array): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let records = 0;
  let pos = 0;
  while (bytes.length - pos >= recordBatchHeaderBytes) {
    records += Math.max(0, dv.getInt32(pos + h.recordCount));
    pos += Math.max(recordBatchHeaderBytes, dv.getInt32(pos + h.batchLength) + batchLengthFieldEnd);
  }
  return records;
}
