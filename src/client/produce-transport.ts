import type { BidiCall } from '../../rpc/index.js';
import { RaftlogError } from '../../lib/index.js';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type {
  Acks,
  ProduceRequestSchema,
  ProduceResponse,
  ProduceStreamRequestSchema,
  ProduceStreamResponse,
} from '../../proto/gen/raftlog/v1/broker_pb.js';
import { errorFromDetail, toRaftlogError } from './errors.js';
import type { RaftlogClient } from './raftlog-client.js';

export interface ProduceCall {
  readonly topic: string;
  readonly partition: number;
  readonly batch: Uint8Array;
  readonly acks: Acks;
  readonly timeoutMs: number;
  /** Set for a batch of a transaction (the batch header's transactional bit says the same). */
  readonly transactionalId?: string;
}

export interface ProduceResult {
  readonly baseOffset: number;
  readonly lastOffset: number;
}

/** How a batch reaches a leader; the producer's only network dependency. */
export interface ProduceTransport {
  produce(address: string, call: ProduceCall): Promise<ProduceResult>;
  close(): void;
}

function toRequest(call: ProduceCall): MessageInitShape<typeof ProduceRequestSchema> {
  return {
    topic: call.topic,
    partition: call.partition,
    batch: call.batch,
    acks: call.acks,
    timeoutMs: call.timeoutMs,
    ...(call.transactionalId === undefined
      ? {}
      : { transactional: true, transactionalId: call.transactionalId }),
  };
}

function toResult(response: ProduceResponse | undefined): ProduceResult {
  if (response === undefined) throw new RaftlogError('INTERNAL', 'produce response without a result');
  return { baseOffset: Number(response.baseOffset), lastOffset: Number(response.lastOffset) };
}

/** One unary Produce per batch: simplest, about 1.5k batches/s per process on this stack. */
export class UnaryProduceTransport implements ProduceTransport {
  constructor(private readonly client: Pick<RaftlogClient, 'broker'>) {}

  async produce(address: string, call: ProduceCall): Promise<ProduceResult> {
    const response = await this.client
      .broker(address)
      .produce(toRequest(call), { timeoutMs: call.timeoutMs });
    return toResult(response);
  }

  close(): void {}
}

type StreamCall = BidiCall<MessageInitShape<typeof ProduceStreamRequestSchema>, ProduceStreamResponse>;

interface Waiter {
  readonly resolve: (r: ProduceResult) => void;
  readonly reject: (e: RaftlogError) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * One long-lived ProduceStream to one leader with many batches in flight, matched by correlation
 * id. When the stream breaks every waiting batch fails with a retriable error and the next batch
 * opens a new stream.
 */
export class ProduceStreamConnection {
  private nextId = 1n;
  private readonly waiting = new Map<bigint, Waiter>();
  private failure: RaftlogError | undefined;

  constructor(
    private readonly call: StreamCall,
    private readonly onEnd: () => void,
  ) {
    void this.readResponses();
  }

  get isOpen(): boolean {
    return this.failure === undefined;
  }

  produce(call: ProduceCall): Promise<ProduceResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const correlationId = this.nextId++;
    const result = new Promise<ProduceResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(correlationId);
        reject(new RaftlogError('TIMEOUT', `no produce result within ${call.timeoutMs} ms`));
      }, call.timeoutMs + 1_000);
      this.waiting.set(correlationId, { resolve, reject, timer });
    });
    this.call
      .send({ correlationId, produce: toRequest(call) })
      .catch((error: unknown) => this.fail(brokenStream(error)));
    return result;
  }

  close(): void {
    this.fail(new RaftlogError('CANCELLED', 'the producer closed the stream'));
    this.call.cancel();
  }

  private async readResponses(): Promise<void> {
    try {
      for await (const response of this.call.responses) this.settle(response);
      this.fail(new RaftlogError('UNAVAILABLE', 'the produce stream ended'));
    } catch (error) {
      this.fail(brokenStream(error));
    }
  }

  private settle(response: ProduceStreamResponse): void {
    const waiter = this.waiting.get(response.correlationId);
    if (waiter === undefined) return;
    this.waiting.delete(response.correlationId);
    clearTimeout(waiter.timer);
    const error = errorFromDetail(response.result?.error);
    if (error !== undefined) waiter.reject(error);
    else {
      try {
        waiter.resolve(toResult(response.result));
      } catch (e) {
        waiter.reject(toRaftlogError(e));
      }
    }
  }

  private fail(error: RaftlogError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.reject(error);
    }
    this.waiting.clear();
    this.onEnd();
  }
}

/** Codes a stream ends with when the connection under it breaks, not because of any one batch. */
const brokenStreamCodes: ReadonlySet<string> = new Set(['CANCELLED', 'INTERNAL', 'UNKNOWN']);

/**
 * A stream that broke under us (cancelled, reset with RST_STREAM by a stopping server, dropped) may
 * work again: its batches are retriable, and idempotence makes resending them safe.
 */
function brokenStream(error: unknown): RaftlogError {
  const e = toRaftlogError(error);
  if (e.retriable || !brokenStreamCodes.has(e.code)) return e;
  return new RaftlogError('UNAVAILABLE', `the produce stream broke: ${e.message}`, { cause: e });
}

/** Streams per leader address, opened on first use and reopened after they break. */
export class StreamProduceTransport implements ProduceTransport {
  private readonly streams = new Map<string, ProduceStreamConnection>();

  constructor(private readonly client: Pick<RaftlogClient, 'broker'>) {}

  produce(address: string, call: ProduceCall): Promise<ProduceResult> {
    let stream = this.streams.get(address);
    if (stream === undefined || !stream.isOpen) {
      const opened: ProduceStreamConnection = new ProduceStreamConnection(
        this.client.broker(address).produceStream(),
        () => {
          if (this.streams.get(address) === opened) this.streams.delete(address);
        },
      );
      stream = opened;
      this.streams.set(address, stream);
    }
    return stream.produce(call);
  }

  close(): void {
    for (const s of [...this.streams.values()]) s.close();
    this.streams.clear();
  }
}
