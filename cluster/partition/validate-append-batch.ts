import { RaftlogError, RecordBatchView } from '../../lib/index.js';

/**
 * What the leader checks before it proposes a producer's batch, so the log never carries bytes a
 * replica could not store or serve: structure, CRC32C, size against the topic's maxMessageBytes,
 * and no control batches (only the transaction coordinator writes markers).
 */
export function validateAppendBatch(bytes: Uint8Array, maxMessageBytes: number): RecordBatchView {
  if (bytes.length > maxMessageBytes) {
    throw new RaftlogError(
      'MESSAGE_TOO_LARGE',
      `batch of ${bytes.length} bytes exceeds maxMessageBytes ${maxMessageBytes}`,
    );
  }
  const batch = new RecordBatchView(bytes).assertCrc();
  if (batch.recordCount === 0)
    throw new RaftlogError('CORRUPT_MESSAGE', 'a batch must hold at least one record');
  if (batch.lastOffsetDelta !== batch.recordCount - 1) {
    throw new RaftlogError(
      'CORRUPT_MESSAGE',
      `lastOffsetDelta ${batch.lastOffsetDelta} does not match ${batch.recordCount} records`,
    );
  }
  if (batch.isControl) throw new RaftlogError('INVALID_ARGUMENT', 'producers may not send control batches');
  return batch;
}
