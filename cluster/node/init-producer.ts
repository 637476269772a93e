import { RaftlogError } from '../../lib/index.js';
import type { ControllerCommand, ControllerOutput } from '../controller/index.js';
import type { InitProducerInput } from './node-api.js';
import type { TransactionsApi } from './txn-api.js';

/** Kafka's transaction.timeout.ms default. */
const transactionTimeoutMsDefault = 60_000;

/**
 * A plain producer gets a fresh producer id from the controller; a transactional one goes through
 * the transaction coordinator, which bumps its epoch and fences the previous incarnation.
 */
export async function initProducer(
  input: InitProducerInput,
  propose: (command: ControllerCommand) => Promise<ControllerOutput>,
  transactions: TransactionsApi,
): Promise<{ producerId: number; epoch: number }> {
  if (input.transactionalId === '') {
    const output = await propose({ type: 'allocate-producer-ids', count: 1 });
    if (output.type !== 'producer-ids')
      throw new RaftlogError('INTERNAL', `unexpected output ${output.type}`);
    return { producerId: output.firstProducerId, epoch: 0 };
  }
  return transactions.initProducer(
    input.transactionalId,
    input.transactionTimeoutMs > 0 ? input.transactionTimeoutMs : transactionTimeoutMsDefault,
  );
}
