import type {
  AckOp,
  AssignOp,
  ClientOp,
  EnqueueOp,
  FaultKind,
  HistoryEvent,
  HeldLease,
  Key,
  LeasedRecord,
  LeaseOp,
  NackOp,
  PhaseEvent,
  PollOp,
  ReadRecord,
  SendOp,
  UnstampedEvent,
} from '../history/index.js';

type Completion = 'ok' | 'fail' | 'info';
type NewOp<O extends ClientOp> = Omit<O, 'index' | 'time' | 'type'>;

/** Indices of one operation's invoke and completion. */
export interface OpIndices {
  readonly invoke: number;
  readonly done: number;
}

/**
 * Crafts histories for tests. Each event happens `stepMs` after the previous one unless `at` moves
 * the clock; completions repeat their invoke's fields, as the workloads write them.
 */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];
  private time = 0;
  private readonly pending = new Map<number, ClientOp>();

  constructor(private readonly stepMs = 1) {}

  /** The next event happens at `time`. */
  at(time: number): this {
    this.time = time;
    return this;
  }

  invokeSend(process: number, key: Key, value: string): number {
    return this.invoke({ process, f: 'send', key, value });
  }

  completeSend(process: number, type: Completion, offset?: number): number {
    return this.complete(process, 'send', { type, ...(offset === undefined ? {} : { offset }) });
  }

  /** An acknowledged send: invoke, then ok with `offset`. */
  send(process: number, key: Key, value: string, offset: number): OpIndices {
    return { invoke: this.invokeSend(process, key, value), done: this.completeSend(process, 'ok', offset) };
  }

  invokePoll(process: number, key: Key, from: number): number {
    return this.invoke({ process, f: 'poll', key, from });
  }

  completePoll(process: number, type: Completion, records?: readonly ReadRecord[]): number {
    return this.complete(process, 'poll', { type, ...(records === undefined ? {} : { records }) });
  }

  /** An ok poll from `from` returning `records`. */
  poll(process: number, key: Key, from: number, records: readonly ReadRecord[]): OpIndices {
    return { invoke: this.invokePoll(process, key, from), done: this.completePoll(process, 'ok', records) };
  }

  assign(process: number, keys: readonly Key[], seekToBeginning = true): OpIndices {
    const invoke = this.invoke({ process, f: 'assign', keys, seekToBeginning });
    const done = this.complete(process, 'assign', { type: 'ok' });
    return { invoke, done };
  }

  fault(kind: FaultKind, phase: 'start' | 'end', nodes: readonly number[] = [1]): number {
    const description = `${kind} ${phase} on ${nodes.join(',')}`;
    return this.push({ process: -1, type: 'info', f: 'fault', phase, kind, nodes, description });
  }

  leader(key: Key, leader: number, term?: number): number {
    return this.push({
      process: -2,
      type: 'info',
      f: 'leader',
      key,
      leader,
      ...(term === undefined ? {} : { term }),
    });
  }

  phase(phase: PhaseEvent['phase']): number {
    return this.push({ process: -3, type: 'info', f: 'phase', phase });
  }

  invokeEnqueue(process: number, key: Key, value: string): number {
    return this.invoke({ process, f: 'enqueue', key, value });
  }

  completeEnqueue(process: number, type: Completion, offset?: number): number {
    return this.complete(process, 'enqueue', { type, ...(offset === undefined ? {} : { offset }) });
  }

  /** An acknowledged enqueue: invoke, then ok with `offset`. */
  enqueue(process: number, key: Key, value: string, offset: number): OpIndices {
    return {
      invoke: this.invokeEnqueue(process, key, value),
      done: this.completeEnqueue(process, 'ok', offset),
    };
  }

  invokeLease(process: number, key: Key, visibilityMs = 2_000): number {
    return this.invoke({ process, f: 'lease', key, visibilityMs });
  }

  completeLease(process: number, type: Completion, leases?: readonly LeasedRecord[]): number {
    return this.complete(process, 'lease', { type, ...(leases === undefined ? {} : { leases }) });
  }

  /** An ok lease of `key` handing out `leases`. */
  lease(process: number, key: Key, leases: readonly LeasedRecord[]): OpIndices {
    return { invoke: this.invokeLease(process, key), done: this.completeLease(process, 'ok', leases) };
  }

  invokeAck(process: number, key: Key, leases: readonly HeldLease[]): number {
    return this.invoke({ process, f: 'ack', key, leases });
  }

  invokeNack(process: number, key: Key, leases: readonly HeldLease[], delayMs = 100): number {
    return this.invoke({ process, f: 'nack', key, leases, delayMs });
  }

  /** Completes a pending ack or nack; `outcomes` (one per lease) only with `ok`. */
  completeSettle(process: number, type: Completion, outcomes?: readonly string[]): number {
    const f = this.pending.get(process)?.f === 'nack' ? 'nack' : 'ack';
    return this.complete(process, f, { type, ...(outcomes === undefined ? {} : { outcomes }) });
  }

  /** An ok ack of `leases`, every one answered `ok` unless `outcomes` says otherwise. */
  ack(process: number, key: Key, leases: readonly HeldLease[], outcomes?: readonly string[]): OpIndices {
    const invoke = this.invokeAck(process, key, leases);
    return { invoke, done: this.completeSettle(process, 'ok', outcomes ?? leases.map(() => 'ok')) };
  }

  private invoke(
    op:
      | NewOp<SendOp>
      | NewOp<PollOp>
      | NewOp<AssignOp>
      | NewOp<EnqueueOp>
      | NewOp<LeaseOp>
      | NewOp<AckOp>
      | NewOp<NackOp>,
  ): number {
    const index = this.push({ ...op, type: 'invoke' });
    this.pending.set(op.process, this.events[index] as ClientOp);
    return index;
  }

  private complete(process: number, f: ClientOp['f'], fields: Record<string, unknown>): number {
    const op = this.pending.get(process);
    if (op?.f !== f) throw new Error(`process ${process} has no pending ${f}`);
    this.pending.delete(process);
    return this.push({ ...op, ...fields });
  }

  private push(event: UnstampedEvent): number {
    const index = this.events.length;
    this.events.push({ ...event, index, time: this.time });
    this.time += this.stepMs;
    return index;
  }
}
