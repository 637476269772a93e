import type {
  ClientOp,
  EnqueueOp,
  FaultKind,
  HistoryEvent,
  Key,
  PollOp,
  QueueOp,
  SendOp,
} from '../history/index.js';
import { AnomalyLog } from './anomaly-log.js';
import { Availability } from './availability.js';
import type { ResolvedCheckOptions } from './check-options.js';
import { FailoverClock } from './failover-clock.js';
import { KeyFacts } from './key-facts.js';
import { MalformedHistoryError } from './malformed-history-error.js';
import { OpPairs } from './op-pairs.js';
import { PollOrder } from './poll-order.js';
import { QueueFacts } from './queue-facts.js';
import { SendOrder } from './send-order.js';
import { Timeline } from './timeline.js';

type Outcome = 'ok' | 'fail' | 'info';

/**
 * One pass over the history in order, feeding each event to the analyses that need it. What can
 * only be judged with the whole history known (skips, lost and unseen writes) is left in `keys` and
 * `polls` for the caller to finish.
 */
export class HistoryScan {
  readonly pairs: OpPairs;
  readonly log: AnomalyLog;
  readonly keys = new Map<Key, KeyFacts>();
  readonly polls: PollOrder;
  readonly operations = { ok: 0, fail: 0, info: 0 };
  readonly faults: Partial<Record<FaultKind, number>> = {};
  readonly failovers = new FailoverClock();
  readonly availability: Availability;
  readonly timeline = new Timeline();
  readonly queue: QueueFacts;
  private readonly sends: SendOrder;
  private lastTime = -Infinity;

  constructor(
    private readonly history: readonly HistoryEvent[],
    options: ResolvedCheckOptions,
  ) {
    this.pairs = new OpPairs(history);
    this.log = new AnomalyLog(options.examplesMax, this.pairs);
    this.polls = new PollOrder(this.log);
    this.sends = new SendOrder(this.log);
    this.queue = new QueueFacts(this.log);
    this.availability = new Availability(options.unavailableMsMin);
  }

  run(): void {
    for (let at = 0; at < this.history.length; at++) {
      const event = this.history[at];
      if (event !== undefined) this.visit(event, at);
    }
    this.availability.finish();
  }

  private visit(event: HistoryEvent, at: number): void {
    if (event.time < this.lastTime) {
      throw new MalformedHistoryError(event.index, `time ${event.time} is before ${this.lastTime}`);
    }
    this.lastTime = event.time;
    this.timeline.seen(event.time);
    if (event.f === 'fault') {
      if (event.phase !== 'start') return;
      this.faults[event.kind] = (this.faults[event.kind] ?? 0) + 1;
      this.failovers.faultStarted(at, event.index, event.time, event.kind, event.nodes);
    } else if (event.f === 'leader') {
      this.failovers.leaderSeen(event.key, event.leader);
    } else if (event.f !== 'phase') {
      if (event.type === 'invoke') this.invoked(event, at);
      else this.completed(this.pairs.completed(event, at), event, event.type, at);
    }
  }

  private invoked(op: ClientOp, at: number): void {
    this.pairs.invoked(op, at);
    if (op.f === 'send') {
      this.failovers.keySeen(op.key);
      this.facts(op.key).sendInvoked(op.value, at, op.index);
      this.availability.sendInvoked(op.time);
    } else if (op.f === 'enqueue') {
      // Enqueues are the queue workload's writes: they time failovers and outages as sends do.
      this.failovers.keySeen(op.key);
      this.queue.enqueueInvoked(op, at);
      this.availability.sendInvoked(op.time);
    } else if (op.f === 'assign') {
      this.polls.assigned(op.process);
    }
  }

  private completed(invoke: ClientOp, done: ClientOp, outcome: Outcome, at: number): void {
    this.operations[outcome]++;
    this.timeline.completed(done.time, outcome);
    if (invoke.f === 'send' && done.f === 'send') this.sendCompleted(invoke, done, outcome, at);
    if (invoke.f === 'poll' && done.f === 'poll' && outcome === 'ok') this.pollCompleted(invoke, done, at);
    if (isQueueOp(invoke) && isQueueOp(done)) this.queueCompleted(invoke, done, outcome, at);
  }

  private queueCompleted(invoke: QueueOp, done: QueueOp, outcome: Outcome, at: number): void {
    if (done.key !== invoke.key) {
      throw new MalformedHistoryError(
        done.index,
        `${done.f} completion differs from its invoke ${invoke.index}`,
      );
    }
    const invokeAt = this.pairs.invokeAt(at);
    if (done.f === 'enqueue' && invoke.f === 'enqueue') this.enqueueCompleted(invoke, done, outcome, at);
    if (done.f === 'lease' && outcome === 'ok') this.queue.leased(done, at, invokeAt);
    if ((done.f === 'ack' || done.f === 'nack') && (invoke.f === 'ack' || invoke.f === 'nack')) {
      if (outcome === 'ok' && done.outcomes?.length !== invoke.leases.length) {
        throw new MalformedHistoryError(
          done.index,
          `${done.f} needs one outcome per lease of ${invoke.index}`,
        );
      }
      this.queue.settled(invoke, done, outcome, at, invokeAt);
    }
  }

  private enqueueCompleted(invoke: EnqueueOp, done: EnqueueOp, outcome: Outcome, at: number): void {
    if (done.value !== invoke.value) {
      throw new MalformedHistoryError(
        done.index,
        `enqueue completion differs from its invoke ${invoke.index}`,
      );
    }
    this.queue.enqueueCompleted(done, outcome, at);
    this.writeCompleted(invoke, done, outcome, at);
  }

  private sendCompleted(invoke: SendOp, done: SendOp, outcome: Outcome, at: number): void {
    if (done.key !== invoke.key || done.value !== invoke.value) {
      throw new MalformedHistoryError(done.index, `send completion differs from its invoke ${invoke.index}`);
    }
    this.facts(done.key).sendCompleted(done.value, at, outcome, done.offset);
    this.writeCompleted(invoke, done, outcome, at);
    if (outcome === 'ok' && done.offset !== undefined) {
      this.sends.acknowledged(done.process, done.key, done.offset, at);
    }
  }

  /** Latency, failover and availability of a write (a send or an enqueue). */
  private writeCompleted(
    invoke: SendOp | EnqueueOp,
    done: SendOp | EnqueueOp,
    outcome: Outcome,
    at: number,
  ): void {
    this.availability.sendCompleted(done.time, outcome === 'ok');
    if (outcome !== 'ok') return;
    this.timeline.sendAcknowledged(done.time, done.time - invoke.time);
    this.failovers.sendAcknowledged(this.pairs.invokeAt(at), done.time, done.key);
  }

  private pollCompleted(invoke: PollOp, done: PollOp, at: number): void {
    if (done.key !== invoke.key) {
      throw new MalformedHistoryError(done.index, `poll completion differs from its invoke ${invoke.index}`);
    }
    const records = done.records ?? [];
    const facts = this.facts(done.key);
    for (const [offset, value] of records) facts.read(offset, value, at);
    this.polls.polled(done.process, done.key, invoke.from, records, at);
  }

  private facts(key: Key): KeyFacts {
    let facts = this.keys.get(key);
    if (facts === undefined) {
      facts = new KeyFacts(key, this.log);
      this.keys.set(key, facts);
    }
    return facts;
  }
}

function isQueueOp(op: ClientOp): op is QueueOp {
  return op.f === 'enqueue' || op.f === 'lease' || op.f === 'ack' || op.f === 'nack';
}
