import { RaftlogError } from '../../lib/index.js';
import type { LeasedMessage } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { delay } from './delay.js';
import { LeaseBatcher } from './lease-batcher.js';
import { LeaseExtender } from './lease-extender.js';
import { LeaseFetcher, type LeaseFetchClient } from './lease-fetcher.js';
import { settleLeases, type LeaseOp, type LeaseOutcome } from './lease-settler.js';
import { queueSettings, type QueueConsumerOptions, type QueueSettings } from './queue-consumer-options.js';
import { queueMessage, type LeaseActions, type NackOptions, type QueueMessage } from './queue-message.js';
import { decodeReceipt, type LeaseRef } from './queue-receipt.js';

export type QueueConsumerClient = LeaseFetchClient;

export interface RunOptions {
  /** Handlers running at once; leases are asked only for free slots (default 1). */
  readonly concurrency?: number;
  /** Sees a failed ack or nack (the message comes back after its lease ends). */
  readonly onSettleError?: (error: RaftlogError, message: QueueMessage) => void;
}

/** Per-receipt result of ackReceipts / nackReceipts / extendReceipts. */
export type ReceiptOutcome = LeaseOutcome & { readonly receipt: string };

/**
 * Consumes a topic as a queue: leases messages from every partition leader, hands them out one by
 * one, and acks, nacks or extends them in batches per leader. A message not acked before its lease
 * runs out is delivered again (at least once); autoExtend keeps a lease alive while its message is held.
 */
export class QueueConsumer implements AsyncIterable<QueueMessage> {
  private readonly settings: QueueSettings;
  private readonly fetcher: LeaseFetcher;
  private readonly batcher: LeaseBatcher;
  private readonly extender: LeaseExtender;
  private readonly actions: LeaseActions;
  private readonly running = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly client: QueueConsumerClient,
    options: QueueConsumerOptions,
  ) {
    this.settings = queueSettings(options);
    this.fetcher = new LeaseFetcher(client, this.settings, (orphans) => this.release(orphans));
    this.batcher = new LeaseBatcher((op, refs) => this.settle(op, refs), {
      lingerMs: this.settings.ackLingerMs,
      batchMax: this.settings.ackBatchMax,
    });
    this.extender = new LeaseExtender((ref, ms) =>
      this.batcher.submit({ kind: 'extend', visibilityTimeoutMs: ms }, ref),
    );
    this.actions = {
      ack: (ref) => this.finish(ref, { kind: 'ack' }),
      nack: (ref, o) => this.finish(ref, { kind: 'nack', delayMs: o.delayMs ?? 0, error: o.error ?? '' }),
      extend: async (ref, ms) => {
        const outcome = await this.batcher.submit({ kind: 'extend', visibilityTimeoutMs: ms }, ref);
        if (!outcome.ok) throw outcome.error;
        return outcome.leaseExpiresAtMs;
      },
    };
  }

  /** One round over the partition leaders: up to maxMessages from each; [] when none had any within waitMs. */
  async receive(): Promise<QueueMessage[]> {
    return this.receiveUpTo(this.settings.maxMessages);
  }

  /** Yields messages until close(); messages received but not yet yielded when the loop ends are nacked. */
  async *[Symbol.asyncIterator](): AsyncIterator<QueueMessage> {
    const held: QueueMessage[] = [];
    try {
      while (!this.fetcher.closed) {
        held.push(...(await this.receive()));
        for (let m = held.shift(); m !== undefined; m = held.shift()) yield m;
      }
    } finally {
      await Promise.all(held.map((m) => m.nack().catch(() => undefined)));
    }
  }

  /**
   * Hands each message to `handler`, at most `concurrency` at once, until close(): acks when it
   * resolves, nacks with the error's message when it throws; the lease is extended meanwhile.
   */
  run(handler: (message: QueueMessage) => Promise<void>, options: RunOptions = {}): Promise<void> {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
      throw new RaftlogError('INVALID_ARGUMENT', `concurrency must be in [1, 10000], got ${concurrency}`);
    }
    const loop = this.runLoop(handler, concurrency, options.onSettleError);
    // The caller gets the loop's failure; this copy only tracks that it ended.
    const tracked: Promise<void> = loop.then(
      () => void this.running.delete(tracked),
      () => void this.running.delete(tracked),
    );
    this.running.add(tracked);
    return loop;
  }

  ackReceipts(receipts: readonly string[]): Promise<ReceiptOutcome[]> {
    return this.settleReceipts({ kind: 'ack' }, receipts);
  }

  nackReceipts(receipts: readonly string[], options: NackOptions = {}): Promise<ReceiptOutcome[]> {
    return this.settleReceipts(
      { kind: 'nack', delayMs: options.delayMs ?? 0, error: options.error ?? '' },
      receipts,
    );
  }

  extendReceipts(receipts: readonly string[], visibilityTimeoutMs: number): Promise<ReceiptOutcome[]> {
    return this.settleReceipts({ kind: 'extend', visibilityTimeoutMs }, receipts);
  }

  /**
   * Stops leasing, waits for running handlers (at most closeTimeoutMs), sends the pending acks and
   * stops extending. Messages still held are not nacked: their leases run out.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.fetcher.close();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>(
      (resolve) => (timer = setTimeout(resolve, this.settings.closeTimeoutMs)),
    );
    await Promise.race([Promise.all(this.running), timeout]);
    clearTimeout(timer);
    this.extender.close();
    await this.batcher.flush();
  }

  private async receiveUpTo(max: number): Promise<QueueMessage[]> {
    const leased = await this.fetcher.round(max);
    return leased.map((m) => this.wrap(m));
  }

  private async runLoop(
    handler: (message: QueueMessage) => Promise<void>,
    concurrency: number,
    onSettleError: RunOptions['onSettleError'],
  ): Promise<void> {
    const active = new Set<Promise<void>>();
    // Each leader may answer with up to the free slots: what is over waits here, its lease extended.
    const held: QueueMessage[] = [];
    try {
      while (!this.fetcher.closed) {
        while (active.size < concurrency && held.length > 0) {
          const p = handle(handler, held.shift()!, onSettleError).finally(() => active.delete(p));
          active.add(p);
        }
        const free = concurrency - active.size;
        if (free === 0 || held.length > 0) await Promise.race(active);
        else held.push(...(await this.receiveOrWait(Math.min(this.settings.maxMessages, free))));
      }
    } finally {
      await Promise.all(held.map((m) => m.nack().catch(() => undefined)));
      await Promise.all(active);
    }
  }

  /** A worker outlives an outage: retriable failures only pause it. */
  private async receiveOrWait(max: number): Promise<QueueMessage[]> {
    try {
      return await this.receiveUpTo(max);
    } catch (thrown) {
      const error = RaftlogError.from(thrown, 'UNKNOWN');
      if (!error.retriable) throw error;
      await delay(this.settings.retry.backoffMaxMs);
      return [];
    }
  }

  private wrap(m: LeasedMessage): QueueMessage {
    const c = m.message;
    const r = c?.record;
    const message = queueMessage(
      {
        topic: c?.topic ?? this.settings.topic,
        partition: c?.partition ?? 0,
        offset: Number(c?.offset ?? 0),
        key: r?.key ?? null,
        value: r?.value ?? null,
        headers: (r?.headers ?? []).map((h) => ({ key: h.key, value: h.value ?? null })),
        timestampMs: Number(r?.timestampMs ?? 0),
        deliveryCount: m.deliveryCount,
        leaseExpiresAtMs: Number(m.leaseExpiresAtMs),
        leaseId: m.leaseId,
      },
      this.actions,
    );
    if (this.settings.autoExtend) {
      const visibility = this.settings.visibilityTimeoutMs || message.leaseExpiresAtMs - Date.now();
      if (visibility > 0) this.extender.track(message, message.leaseExpiresAtMs, visibility);
    }
    return message;
  }

  private async finish(ref: LeaseRef, op: LeaseOp): Promise<void> {
    this.extender.untrack(ref);
    const outcome = await this.batcher.submit(op, ref);
    if (!outcome.ok) throw outcome.error;
  }

  private async settleReceipts(op: LeaseOp, receipts: readonly string[]): Promise<ReceiptOutcome[]> {
    const decoded = receipts.map((receipt) => {
      try {
        const ref = decodeReceipt(receipt);
        if (ref.topic !== this.settings.topic) {
          return new RaftlogError(
            'INVALID_ARGUMENT',
            `receipt of topic ${ref.topic}, not ${this.settings.topic}`,
          );
        }
        return ref;
      } catch (thrown) {
        return RaftlogError.from(thrown, 'INVALID_ARGUMENT');
      }
    });
    const refs = decoded.filter((d): d is LeaseRef => !(d instanceof RaftlogError));
    const outcomes = await this.settle(op, refs);
    let next = 0;
    return decoded.map((d, i) => ({
      receipt: receipts[i]!,
      ...(d instanceof RaftlogError ? { ok: false as const, error: d } : outcomes[next++]!),
    }));
  }

  private settle(op: LeaseOp, refs: readonly LeaseRef[]): Promise<LeaseOutcome[]> {
    const s = this.settings;
    return settleLeases(this.client, s.queue, op, refs, {
      deadlineMs: Date.now() + 3 * s.requestTimeoutMs,
      requestTimeoutMs: s.requestTimeoutMs,
      retry: s.retry,
    });
  }

  /** Gives back messages nobody will handle, so they are redelivered now rather than at lease end. */
  private release(messages: readonly LeasedMessage[]): void {
    for (const m of messages) {
      const c = m.message;
      const ref = {
        topic: c?.topic ?? '',
        partition: c?.partition ?? 0,
        offset: Number(c?.offset ?? 0),
        leaseId: m.leaseId,
      };
      void this.batcher.submit({ kind: 'nack', delayMs: 0, error: '' }, ref);
    }
  }
}

async function handle(
  handler: (message: QueueMessage) => Promise<void>,
  m: QueueMessage,
  onSettleError: RunOptions['onSettleError'],
): Promise<void> {
  let settled: Promise<void>;
  try {
    await handler(m);
    settled = m.ack();
  } catch (thrown) {
    settled = m.nack({ error: errorText(thrown) });
  }
  await settled.catch((e: unknown) => onSettleError?.(RaftlogError.from(e, 'UNKNOWN'), m));
}

/** The server takes at most 1 KiB of it. */
function errorText(thrown: unknown): string {
  let text = (thrown instanceof Error ? thrown.message : String(thrown)).slice(0, 1024);
  while (Buffer.byteLength(text) > 1024) text = text.slice(0, -1);
  return text;
}
