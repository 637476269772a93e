import { RaftlogError } from '../../../lib/index.js';
import type { NodeApi } from '../../../cluster/node/node-api.js';
import type { InitProducerRequest } from '../../../proto/gen/raftlog/v1/broker_pb.js';

/** Kafka's transactional.id limit is the controller's too; checked here so the answer is immediate. */
const transactionalIdCharsMax = 255;
const transactionTimeoutMsMax = 15 * 60 * 1000;

/** Hands out a producer id (and, with a transactional id, bumps its epoch) through the controller. */
export async function initProducer(
  api: NodeApi,
  request: InitProducerRequest,
): Promise<{ producerId: bigint; producerEpoch: number }> {
  if (request.transactionalId.length > transactionalIdCharsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `transactional id is longer than ${transactionalIdCharsMax} characters`,
    );
  }
  if (request.transactionTimeoutMs > transactionTimeoutMsMax) {
    throw new RaftlogError('INVALID_ARGUMENT', `transaction timeout is above ${transactionTimeoutMsMax} ms`);
  }
  const { producerId, epoch } = await api.initProducer({
    transactionalId: request.transactionalId,
    transactionTimeoutMs: request.transactionTimeoutMs,
  });
  return { producerId: BigInt(producerId), producerEpoch: epoch };
}
