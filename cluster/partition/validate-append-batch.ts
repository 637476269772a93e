import { checkRecordBatch, RaftlogError, RecordBatchView } from '../../lib/index.js';
import { sequenceMax } from './sequence.js';

/** What bounds a produced batch on this partition. */
export interface AppendBatchRules {
  /** The topic's maxMessageBytes. */
  readonly maxMessageBytes: number;
  /**
   * The node's largest proposable batch: its Raft entry must fit one append message and one peer
   * transport frame, or followers would never receive it and the group would stall behind it.
   */
  readonly proposalBatchBytesMax: number;
  /**
   * The node checked a transactional batch against the controller (its producer's transaction is
   * open with this partition); without that, transactional batches are refused.
   */
  readonly transactionVerified?: boolean;
  /**
   * The topic is compacted: compaction keeps one record per key, so a record without a key has no
   * place in it and is refused (as Kafka refuses it with INVALID_RECORD).
   */
  readonly keysRequired?: boolean;
}

/**
 * What the leader checks before it proposes a producer's batch, so the log never carries bytes a
 * replica could not store, index or serve: size (first, so an oversized batch costs no CRC pass),
 * CRC32C, every byte of the format (checkRecordBatch), the producer fields, no control batches (only
 * the transaction coordinator writes markers) and transactional batches only once the node verified
 * them against the controller: an unregistered transaction would never get a marker and would hold
 * back read_committed readers forever.
 */
export function validateAppendBatch(bytes: Uint8Array, rules: AppendBatchRules): RecordBatchView {
  if (bytes.length > rules.maxMessageBytes) {
    throw new RaftlogError(
      'MESSAGE_TOO_LARGE',
      `batch of ${bytes.length} bytes exceeds the topic's maxMessageBytes ${rules.maxMessageBytes}`,
    );
  }
  if (bytes.length > rules.proposalBatchBytesMax) {
    throw new RaftlogError(
      'MESSAGE_TOO_LARGE',
      `batch of ${bytes.length} bytes exceeds this node's proposal limit of ${rules.proposalBatchBytesMax} bytes ` +
        '(one Raft append message and one peer frame); send smaller batches',
    );
  }
  const batch = new RecordBatchView(bytes).assertCrc();
  if (batch.recordCount === 0)
    throw new RaftlogError('CORRUPT_MESSAGE', 'a batch must hold at least one record');
  checkRecordBatch(batch);
  if (batch.isControl) throw new RaftlogError('INVALID_ARGUMENT', 'producers may not send control batches');
  if (batch.isTransactional && rules.transactionVerified !== true) {
    throw new RaftlogError(
      'INVALID_TXN_STATE',
      'a transactional batch needs its transaction registered with AddPartitionsToTxn first',
    );
  }
  checkProducerFields(batch);
  if (rules.keysRequired === true) checkKeys(batch);
  return batch;
}

function checkKeys(batch: RecordBatchView): void {
  for (const r of batch.records()) {
    if (r.key === null)
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `record ${r.offsetDelta}: a compacted topic needs a key on every record`,
      );
  }
}

/** -1/-1/-1 for a plain producer; otherwise an id, an int16 epoch and an int32 sequence, none negative. */
function checkProducerFields(batch: RecordBatchView): void {
  const pid = batch.producerId;
  const epoch = batch.producerEpoch;
  const sequence = batch.baseSequence;
  if (pid === -1) {
    if (epoch !== -1 || sequence !== -1) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `a batch without a producer id must have epoch -1 and baseSequence -1, got ${epoch} and ${sequence}`,
      );
    }
    return;
  }
  if (pid < 0) throw new RaftlogError('INVALID_ARGUMENT', `producerId ${pid} is negative`);
  if (epoch < 0) throw new RaftlogError('INVALID_ARGUMENT', `producer ${pid}: epoch ${epoch} is negative`);
  if (sequence < 0 || sequence > sequenceMax) {
    throw new RaftlogError('INVALID_ARGUMENT', `producer ${pid}: baseSequence ${sequence} is negative`);
  }
}
