import { RaftlogError, RecordBatchView, type ErrorCode } from '../../lib/index.js';
import type { ControllerState } from '../controller/index.js';
import { catchUpController, type CatchUpContext } from './controller-wait.js';
import type { ProduceInput } from './node-api.js';

/** How long a partition leader waits for its controller replica before judging a transactional batch. */
export const txnCatchUpMsMax = 3_000;

export interface TxnBatchClaim {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly epoch: number;
  readonly topic: string;
  readonly partition: number;
}

type Verdict =
  | { readonly kind: 'ok' }
  /** The local replica may simply be behind: catch up and judge again. */
  | { readonly kind: 'unseen'; readonly message: string }
  | { readonly kind: 'refused'; readonly code: ErrorCode; readonly message: string };

/**
 * May this transactional batch be appended? Only while the controller shows its producer id and
 * epoch ONGOING with this partition: a fenced producer (older epoch, or an id moved on to a newer
 * producer id) is refused at once; anything the local replica may not show yet is "unseen".
 */
export function judgeTxnBatch(state: ControllerState, claim: TxnBatchClaim): Verdict {
  const info = state.transactionalIds.get(claim.transactionalId);
  const what = `transactional id '${claim.transactionalId}'`;
  if (info === undefined) return { kind: 'unseen', message: `${what} is not initialized` };
  if (
    claim.producerId < info.producerId ||
    (claim.producerId === info.producerId && claim.epoch < info.epoch)
  ) {
    return {
      kind: 'refused',
      code: 'PRODUCER_FENCED',
      message: `${what} belongs to producer ${info.producerId} epoch ${info.epoch}, not ${claim.producerId} epoch ${claim.epoch}`,
    };
  }
  if (claim.producerId !== info.producerId || claim.epoch !== info.epoch) {
    return { kind: 'unseen', message: `${what} is not at producer ${claim.producerId} epoch ${claim.epoch}` };
  }
  if (info.state !== 'ongoing') {
    return { kind: 'unseen', message: `${what} has no open transaction (${info.state})` };
  }
  const added = info.partitions.some((p) => p.topic === claim.topic && p.partition === claim.partition);
  if (!added) {
    return {
      kind: 'unseen',
      message: `${claim.topic}/${claim.partition} was not added to the transaction of ${what} (AddPartitionsToTxn first)`,
    };
  }
  return { kind: 'ok' };
}

/**
 * The partition leader's check before it proposes a transactional batch (cluster/README.md,
 * "Transactions"). When the local controller replica does not show the transaction yet, it first
 * catches up with the controller leader (bounded), then judges again.
 */
export async function checkTxnBatch(ctx: CatchUpContext, claim: TxnBatchClaim): Promise<void> {
  let verdict = judgeTxnBatch(ctx.controller.state, claim);
  if (verdict.kind === 'unseen') {
    await catchUpController(ctx, txnCatchUpMsMax);
    verdict = judgeTxnBatch(ctx.controller.state, claim);
  }
  if (verdict.kind === 'ok') return;
  throw new RaftlogError(verdict.kind === 'refused' ? verdict.code : 'INVALID_TXN_STATE', verdict.message);
}

/**
 * The transaction a produced batch claims to belong to, or undefined for a batch without the
 * transactional bit (or one whose header does not even parse: validateAppendBatch reports that).
 */
export function transactionalClaim(input: ProduceInput): TxnBatchClaim | undefined {
  let batch: RecordBatchView;
  try {
    batch = new RecordBatchView(input.batch);
  } catch {
    return undefined;
  }
  if (!batch.isTransactional || batch.isControl) return undefined;
  if (input.transactionalId === undefined || input.transactionalId === '') {
    throw new RaftlogError('INVALID_ARGUMENT', 'a transactional batch needs its transactional_id');
  }
  // Judged against the coordinator, producer id -1 would read as an older producer: PRODUCER_FENCED,
  // which tells a client it was replaced when its batch is only malformed.
  if (batch.producerId < 0 || batch.producerEpoch < 0) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `a transactional batch needs the producer id and epoch from InitProducer, got ${batch.producerId} and ${batch.producerEpoch}`,
    );
  }
  return {
    transactionalId: input.transactionalId,
    producerId: batch.producerId,
    epoch: batch.producerEpoch,
    topic: input.topic,
    partition: input.partition,
  };
}
