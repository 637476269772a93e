/**
 * RecordBatch layout (big-endian). baseOffset and batchLength sit before the CRC so the leader can
 * assign offsets without recomputing it; the CRC covers everything from `attributes` to the end.
 */
export const recordBatchMagic = 1;

export const headerOffsets = {
  baseOffset: 0,
  batchLength: 8,
  magic: 12,
  crc: 13,
  attributes: 17,
  lastOffsetDelta: 19,
  baseTimestamp: 23,
  maxTimestamp: 31,
  producerId: 39,
  producerEpoch: 47,
  baseSequence: 49,
  recordCount: 53,
} as const;

export const recordBatchHeaderBytes = 57;
/** batchLength counts the bytes after itself. */
export const batchLengthFieldEnd = 12;
export const crcCoveredStart = headerOffsets.attributes;

export const attributeBits = {
  compressionMask: 0x07,
  transactional: 0x10,
  control: 0x20,
} as const;

export const compression = { none: 0 } as const;

export interface RecordBatchLimits {
  readonly recordsPerBatchMax: number;
  /** The whole encoded batch, header included. */
  readonly batchBytesMax: number;
}

export const defaultRecordBatchLimits: RecordBatchLimits = {
  recordsPerBatchMax: 65_536,
  batchBytesMax: 8 * 1024 * 1024,
};

/** -1 in producerId / producerEpoch / baseSequence means "not an idempotent producer". */
export const noProducerId = -1;
export const noProducerEpoch = -1;
export const noSequence = -1;

export interface RecordHeader {
  readonly key: string;
  readonly value: Uint8Array | null;
}

export interface RecordInput {
  readonly key?: Uint8Array | null;
  readonly value: Uint8Array | null;
  /** Milliseconds since the epoch; defaults to the batch's `timestamp`. */
  readonly timestamp?: number;
  readonly headers?: readonly RecordHeader[];
}

/** A decoded record: key, value and header values are views into the batch bytes, not copies. */
export interface DecodedRecord {
  readonly offset: number;
  readonly offsetDelta: number;
  readonly timestamp: number;
  readonly attributes: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly RecordHeader[];
}
