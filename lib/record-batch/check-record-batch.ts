import { ByteReader, corrupt, varlongMagnitudeMax } from './byte-reader.js';
import { attributeBits, recordBatchHeaderBytes } from './format.js';
import type { RecordBatchView } from './record-batch-view.js';

/** The widest timestamp the encoder writes (2^52 ms, about 142,000 years): every reader's number stays exact. */
export const timestampMsMax = varlongMagnitudeMax;

/** Attribute bits this format defines; any other bit set is a batch written by something else. */
const knownBatchAttributes =
  attributeBits.compressionMask | attributeBits.transactional | attributeBits.control;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks every byte of a batch the way a writer of this format produces it, so whatever passes can be
 * stored, indexed by time and served without any later read throwing: known attribute bits only,
 * header and record timestamps in [0, timestampMsMax] with maxTimestamp the largest record timestamp,
 * records framed exactly (lengths, varints, dense offset deltas 0..n-1, no record attributes, UTF-8
 * header keys, no bytes left over). Pure and deterministic, so every replica judges a committed batch
 * alike. Throws CORRUPT_MESSAGE; the CRC is not checked here (see RecordBatchView.assertCrc).
 */
export function checkRecordBatch(batch: RecordBatchView): void {
  const unknown = batch.attributes & ~knownBatchAttributes & 0xffff;
  if (unknown !== 0) throw corrupt(`batch attributes set unknown bits 0x${unknown.toString(16)}`);
  const baseTimestamp = checkTimestamp(batch.baseTimestamp, 'baseTimestamp');
  const maxTimestamp = checkTimestamp(batch.maxTimestamp, 'maxTimestamp');
  const count = batch.recordCount;
  if (batch.lastOffsetDelta !== count - 1) {
    throw corrupt(`lastOffsetDelta ${batch.lastOffsetDelta} does not match ${count} records`);
  }
  const reader = new ByteReader(batch.bytes, recordBatchHeaderBytes, batch.bytes.length);
  const body = new ByteReader(batch.bytes, 0, 0);
  let largest = -1;
  for (let i = 0; i < count; i++) {
    const ts = checkRecord(reader, body, i, baseTimestamp);
    if (ts > largest) largest = ts;
  }
  if (reader.remaining !== 0) throw corrupt(`${reader.remaining} bytes after the last of ${count} records`);
  if (count > 0 && largest !== maxTimestamp) {
    throw corrupt(`maxTimestamp ${maxTimestamp} is not the largest record timestamp ${largest}`);
  }
}

function checkTimestamp(ts: number, what: string): number {
  if (ts < 0 || ts > timestampMsMax) throw corrupt(`${what} ${ts} is outside [0, ${timestampMsMax}]`);
  return ts;
}

/** Walks one record without decoding it into objects; returns its timestamp. */
function checkRecord(reader: ByteReader, body: ByteReader, index: number, baseTimestamp: number): number {
  const length = reader.varint('record length');
  if (length < 1 || length > reader.remaining)
    throw corrupt(`record ${index}: length ${length} out of bounds`);
  body.reset(reader.pos, reader.pos + length);
  reader.pos += length;
  const attributes = body.int8();
  if (attributes !== 0) throw corrupt(`record ${index}: attributes ${attributes}, none are defined`);
  const ts = baseTimestamp + body.varlong('timestampDelta');
  if (ts < 0 || ts > timestampMsMax) {
    throw corrupt(`record ${index}: timestamp ${ts} is outside [0, ${timestampMsMax}]`);
  }
  const offsetDelta = body.varint('offsetDelta');
  if (offsetDelta !== index) throw corrupt(`record ${index}: offsetDelta ${offsetDelta}, expected ${index}`);
  skipNullable(body, 'key');
  skipNullable(body, 'value');
  const headers = body.varint('header count');
  if (headers < 0 || headers * 2 > body.remaining) throw corrupt(`record ${index}: header count ${headers}`);
  for (let h = 0; h < headers; h++) {
    const length = body.varint('header key length');
    if (length < 0) throw corrupt(`record ${index}: header key length ${length}`);
    const key = body.slice(length, 'header key');
    try {
      utf8.decode(key);
    } catch {
      throw corrupt(`record ${index}: header key is not valid UTF-8`);
    }
    skipNullable(body, 'header value');
  }
  if (body.remaining !== 0) throw corrupt(`record ${index}: ${body.remaining} unread bytes`);
  return ts;
}

function skipNullable(body: ByteReader, what: string): void {
  const length = body.varint(what);
  if (length < -1) throw corrupt(`${what} length ${length}`);
  if (length > 0) body.skip(length, what);
}
