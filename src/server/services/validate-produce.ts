import { RaftlogError, RecordBatchView } from '../../../lib/index.js';
import type { ProduceInput } from '../../../cluster/node/node-api.js';
import type { ProduceRequest } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import type { ServiceLimits } from './limits.js';
import { acksFromProto } from './proto-mapping.js';
import { checkTopicName } from './validate-request.js';

/**
 * Everything about a produce request that can be judged without the partition: the name, the
 * durability asked for, and the batch's header. The batch's CRC32C, the topic's own maxMessageBytes
 * and the idempotence fields are the partition leader's to check (`validateAppendBatch`), once: a
 * second pass here cost the leader as much CPU as the check itself.
 */
export function validateProduce(
  request: ProduceRequest,
  limits: ServiceLimits,
): Omit<ProduceInput, 'signal'> {
  checkTopicName(request.topic);
  const acks = acksFromProto(request.acks);
  const batch = checkBatch(request.batch, limits.produceBatchBytesMax);
  checkTransactional(request, batch);
  return {
    topic: request.topic,
    partition: request.partition,
    batch: request.batch,
    acks,
    timeoutMs: Math.min(request.timeoutMs, limits.produceTimeoutMsMax),
    ...(request.transactional ? { transactionalId: request.transactionalId } : {}),
  };
}

function checkBatch(bytes: Uint8Array, bytesMax: number): RecordBatchView {
  if (bytes.length === 0) throw new RaftlogError('INVALID_ARGUMENT', 'batch is empty');
  if (bytes.length > bytesMax) {
    throw new RaftlogError(
      'MESSAGE_TOO_LARGE',
      `batch of ${bytes.length} bytes exceeds the ${bytesMax}-byte limit`,
    );
  }
  const batch = decodeBatch(bytes);
  if (batch.recordCount === 0) throw new RaftlogError('CORRUPT_MESSAGE', 'batch holds no records');
  if (batch.lastOffsetDelta !== batch.recordCount - 1) {
    throw new RaftlogError(
      'CORRUPT_MESSAGE',
      `lastOffsetDelta ${batch.lastOffsetDelta} does not match ${batch.recordCount} records`,
    );
  }
  if (batch.baseOffset !== 0) {
    throw new RaftlogError('INVALID_ARGUMENT', `batch base_offset must be 0, got ${batch.baseOffset}`);
  }
  if (batch.isControl) throw new RaftlogError('INVALID_ARGUMENT', 'producers may not send control batches');
  return batch;
}

/** The decoder reports garbage as CORRUPT_MESSAGE; anything else it throws still means bad bytes. */
function decodeBatch(bytes: Uint8Array): RecordBatchView {
  try {
    return new RecordBatchView(bytes);
  } catch (error) {
    if (error instanceof RaftlogError) throw error;
    throw new RaftlogError('CORRUPT_MESSAGE', 'batch is not a valid RecordBatch', { cause: error });
  }
}

function checkTransactional(request: ProduceRequest, batch: RecordBatchView): void {
  if (request.transactional !== batch.isTransactional) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `transactional is ${request.transactional} but the batch header says ${batch.isTransactional}`,
    );
  }
  if (request.transactional && request.transactionalId === '') {
    throw new RaftlogError('INVALID_ARGUMENT', 'a transactional batch needs its transactional_id');
  }
}
