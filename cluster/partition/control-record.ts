import { encodeRecordBatch, RaftlogError, type RecordBatchView } from '../../lib/index.js';

/**
 * A transaction marker is a control batch (control and transactional bits set) holding one record
 * whose key is a version (int16, 0) and a type (int16: 0 abort, 1 commit).
 */
export type MarkerType = 'abort' | 'commit';

const controlKeyVersion = 0;
const controlKeyBytes = 4;
const markerCodes: Record<MarkerType, number> = { abort: 0, commit: 1 };

export interface MarkerInput {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly type: MarkerType;
  readonly timestampMs: number;
}

export function encodeMarkerBatch(input: MarkerInput): Uint8Array {
  const key = new Uint8Array(controlKeyBytes);
  const view = new DataView(key.buffer);
  view.setInt16(0, controlKeyVersion);
  view.setInt16(2, markerCodes[input.type]);
  return encodeRecordBatch({
    records: [{ key, value: null }],
    timestamp: input.timestampMs,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    transactional: true,
    control: true,
  });
}

/** Reads the marker type of a control batch; anything else is CORRUPT_MESSAGE. */
export function readMarkerType(batch: RecordBatchView): MarkerType {
  if (batch.recordCount !== 1) {
    throw new RaftlogError('CORRUPT_MESSAGE', `a control batch holds one record, not ${batch.recordCount}`);
  }
  const record = batch.records().next();
  const key = record.done === true ? null : record.value.key;
  if (key?.length !== controlKeyBytes)
    throw new RaftlogError('CORRUPT_MESSAGE', 'control record key must be 4 bytes');
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  const version = view.getInt16(0);
  const code = view.getInt16(2);
  if (version !== controlKeyVersion)
    throw new RaftlogError('CORRUPT_MESSAGE', `control record version ${version}`);
  if (code === markerCodes.abort) return 'abort';
  if (code === markerCodes.commit) return 'commit';
  throw new RaftlogError('CORRUPT_MESSAGE', `unknown control record type ${code}`);
}
