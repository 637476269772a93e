import { RaftlogError } from '../../lib/index.js';
import type { LeaseOp, LeaseOutcome } from './lease-settler.js';
import type { LeaseRef } from './queue-receipt.js';

export interface LeaseBatcherOptions {
  /** How long a lease waits for others to share its call. */
  readonly lingerMs: number;
  /** A batch this large is sent at once. */
  readonly batchMax: number;
}

interface Entry {
  readonly ref: LeaseRef;
  readonly resolve: (outcome: LeaseOutcome) => void;
}

interface Batch {
  readonly op: LeaseOp;
  readonly entries: Entry[];
  timer: NodeJS.Timeout | undefined;
}

type Send = (op: LeaseOp, refs: readonly LeaseRef[]) => Promise<LeaseOutcome[]>;

/**
 * Gathers acks (and nacks, extensions) issued within `lingerMs` of each other into one request
 * per kind and settings; the sender splits it per leader. Handlers that finish together cost one
 * Ack call per leader instead of one per message.
 */
export class LeaseBatcher {
  private readonly batches = new Map<string, Batch>();
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly send: Send,
    private readonly options: LeaseBatcherOptions,
  ) {}

  submit(op: LeaseOp, ref: LeaseRef): Promise<LeaseOutcome> {
    const key = opKey(op);
    let batch = this.batches.get(key);
    if (batch === undefined) {
      batch = { op, entries: [], timer: undefined };
      this.batches.set(key, batch);
      const b = batch;
      b.timer = setTimeout(() => this.flushBatch(key, b), this.options.lingerMs);
    }
    const outcome = new Promise<LeaseOutcome>((resolve) => batch.entries.push({ ref, resolve }));
    if (batch.entries.length >= this.options.batchMax) this.flushBatch(key, batch);
    return outcome;
  }

  /** Sends everything gathered now and waits for every request in flight. */
  async flush(): Promise<void> {
    for (const [key, batch] of this.batches) this.flushBatch(key, batch);
    while (this.sending.size > 0) await Promise.all(this.sending);
  }

  private flushBatch(key: string, batch: Batch): void {
    clearTimeout(batch.timer);
    if (this.batches.get(key) === batch) this.batches.delete(key);
    const refs = batch.entries.map((e) => e.ref);
    const sent = this.send(batch.op, refs).then(
      (outcomes) => batch.entries.forEach((e, i) => e.resolve(outcomes[i] ?? missing(e))),
      (error: unknown) => batch.entries.forEach((e) => e.resolve({ ok: false, error: asError(error) })),
    );
    const tracked = sent.finally(() => this.sending.delete(tracked));
    this.sending.add(tracked);
  }
}

function opKey(op: LeaseOp): string {
  switch (op.kind) {
    case 'ack':
      return op.txn === undefined ? 'ack' : `ack:${op.txn.transactionalId}:${op.txn.producerEpoch}`;
    case 'nack':
      return `nack:${op.delayMs}:${op.error}`;
    case 'extend':
      return `extend:${op.visibilityTimeoutMs}`;
  }
}

function missing(_entry: Entry): LeaseOutcome {
  return { ok: false, error: asError(new Error('no outcome for this lease')) };
}

function asError(error: unknown) {
  return RaftlogError.from(error, 'UNKNOWN');
}
