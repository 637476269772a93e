export { crc32c, useCrc32cAccelerator, type Crc32cAccelerator } from './crc32c.js';
export {
  attributeBits,
  compression,
  defaultRecordBatchLimits,
  headerOffsets,
  noProducerEpoch,
  noProducerId,
  noSequence,
  recordBatchHeaderBytes,
  recordBatchMagic,
  type DecodedRecord,
  type RecordBatchLimits,
  type RecordHeader,
  type RecordInput,
} from './format.js';
export { encodeRecordBatch, type EncodeRecordBatchOptions } from './encode.js';
export { RecordBatchView, countRecords, decodeRecords, splitRecordBatches } from './record-batch-view.js';
export { checkRecordBatch, timestampMsMax } from './check-record-batch.js';
export { retainRecords, type RetainedRecords } from './retain-records.js';
