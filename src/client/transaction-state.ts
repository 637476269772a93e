import { RaftlogError } from '../../lib/index.js';

/**
 * Where a transactional producer is. 'abortable': a batch or an offset commit of the open
 * transaction failed, so it can only be aborted. 'fenced': a newer instance with the same
 * transactional id took over (or the coordinator aborted a transaction past its timeout); this
 * producer can do nothing more.
 */
export type TxnPhase =
  'uninitialized' | 'ready' | 'in-transaction' | 'committing' | 'aborting' | 'abortable' | 'fenced';

export type TxnOperation = 'init' | 'begin' | 'send' | 'sendOffsets' | 'commit' | 'abort';

const allowed: Record<TxnOperation, readonly TxnPhase[]> = {
  init: ['uninitialized', 'ready'],
  begin: ['ready'],
  send: ['in-transaction'],
  sendOffsets: ['in-transaction'],
  commit: ['in-transaction'],
  abort: ['in-transaction', 'abortable'],
};

/**
 * The transactional producer's state machine, without I/O: which operation is allowed when,
 * which partitions and groups the open transaction has registered, and the first failure that made
 * it abortable. Refusals are INVALID_TXN_STATE naming what to do instead; once fenced, every
 * operation is PRODUCER_FENCED.
 */
export class TransactionState {
  private current: TxnPhase = 'uninitialized';
  private failure: RaftlogError | undefined;
  private fencedBy: RaftlogError | undefined;
  private readonly partitions = new Set<string>();
  private readonly groups = new Set<string>();
  /** A batch failed since the last (re)initialization: its partition's sequence has a hole. */
  private sequenceBroken = false;

  constructor(readonly transactionalId: string) {}

  get phase(): TxnPhase {
    return this.current;
  }

  /** Throws unless `op` is allowed now. */
  check(op: TxnOperation): void {
    if (this.current === 'fenced') throw this.fencedError();
    if (this.current === 'abortable' && op !== 'abort' && this.failure !== undefined) {
      throw new RaftlogError(
        'INVALID_TXN_STATE',
        `transaction of ${this.transactionalId} failed (${this.failure.code}: ${this.failure.message}); abort it`,
        { cause: this.failure },
      );
    }
    if (!allowed[op].includes(this.current)) {
      throw new RaftlogError(
        'INVALID_TXN_STATE',
        `${op} is not allowed while the producer is ${this.current}${hint(op, this.current)}`,
      );
    }
  }

  /** Checks `op` and moves to `to`. */
  enter(op: TxnOperation, to: TxnPhase): void {
    this.check(op);
    this.current = to;
  }

  initialized(): void {
    if (this.current === 'fenced') throw this.fencedError();
    this.current = 'ready';
    this.sequenceBroken = false;
    this.clearTransaction();
  }

  /** The transaction ended (committed or aborted): back to ready. */
  ended(): void {
    if (this.current === 'fenced') return;
    this.current = 'ready';
    this.clearTransaction();
  }

  /** Something in the open transaction failed: only abort is possible now. PRODUCER_FENCED is final. */
  failed(error: RaftlogError, options: { sequenceBroken?: boolean } = {}): void {
    if (options.sequenceBroken === true) this.sequenceBroken = true;
    if (error.code === 'PRODUCER_FENCED') {
      this.fence(error);
      return;
    }
    if (this.current === 'fenced') return;
    this.failure ??= error;
    if (this.current === 'in-transaction' || this.current === 'committing' || this.current === 'aborting') {
      this.current = 'abortable';
    }
  }

  fence(error: RaftlogError): void {
    this.fencedBy ??= error;
    this.current = 'fenced';
  }

  /** After an abort, whether the producer must re-initialize (a bumped epoch restarts sequences). */
  needsReinit(): boolean {
    return this.sequenceBroken;
  }

  /** True the first time a partition is seen in this transaction. */
  addPartition(key: string): boolean {
    if (this.partitions.has(key)) return false;
    this.partitions.add(key);
    return true;
  }

  /** Forgets a partition whose registration failed, so the next batch tries again. */
  dropPartition(key: string): void {
    this.partitions.delete(key);
  }

  addGroup(groupId: string): boolean {
    if (this.groups.has(groupId)) return false;
    this.groups.add(groupId);
    return true;
  }

  /** Whether the coordinator knows of this transaction at all (EndTxn is pointless otherwise). */
  hasRegistered(): boolean {
    return this.partitions.size > 0 || this.groups.size > 0;
  }

  private clearTransaction(): void {
    this.failure = undefined;
    this.partitions.clear();
    this.groups.clear();
  }

  private fencedError(): RaftlogError {
    const why = this.fencedBy === undefined ? '' : ` (${this.fencedBy.message})`;
    return new RaftlogError(
      'PRODUCER_FENCED',
      `producer for transactional id ${this.transactionalId} was fenced by a newer instance or a transaction timeout${why}; ` +
        'create a new producer',
      ...(this.fencedBy === undefined ? [] : [{ cause: this.fencedBy }]),
    );
  }
}

function hint(op: TxnOperation, phase: TxnPhase): string {
  if (phase === 'uninitialized') return ': call initTransactions() first';
  if ((op === 'send' || op === 'sendOffsets' || op === 'commit') && phase === 'ready') {
    return ': call beginTransaction() first';
  }
  if (op === 'begin' && phase === 'in-transaction') return ': commit or abort the open transaction first';
  return '';
}
