import { RaftlogError } from '../../../lib/index.js';
import type { CallContext } from '../../../rpc/index.js';

export interface StreamSlotLimits {
  /** Produce and fetch streams open at once on this node, over all connections. */
  readonly clientStreamsMax: number;
  /** Of those, on one client connection (grpc-js names a connection by its peer host:port). */
  readonly clientStreamsPerConnectionMax: number;
}

/**
 * Counts the long-lived client streams (ProduceStream, FetchStream) a node holds. Each is bounded in
 * what it buffers, but not their number: without a cap a client opening streams in a loop holds a
 * node's memory and timers until it falls over. Past either cap a new stream is refused at once with
 * RESOURCE_EXHAUSTED naming the limit, and every open stream keeps being served.
 */
export class StreamSlots {
  private total = 0;
  private readonly perConnection = new Map<string, number>();

  constructor(private readonly limits: StreamSlotLimits) {}

  /** Takes a slot for a stream on `connection`, or throws RESOURCE_EXHAUSTED; the result frees it once. */
  acquire(connection: string): () => void {
    const { clientStreamsMax, clientStreamsPerConnectionMax } = this.limits;
    const mine = this.perConnection.get(connection) ?? 0;
    if (mine >= clientStreamsPerConnectionMax) {
      throw new RaftlogError(
        'RESOURCE_EXHAUSTED',
        `this connection already has ${mine} open produce/fetch streams (clientStreamsPerConnectionMax ${clientStreamsPerConnectionMax}); close one or use another connection`,
      );
    }
    if (this.total >= clientStreamsMax) {
      throw new RaftlogError(
        'RESOURCE_EXHAUSTED',
        `the node already has ${this.total} open produce/fetch streams (clientStreamsMax ${clientStreamsMax}); retry later or use another node`,
      );
    }
    this.total++;
    this.perConnection.set(connection, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perConnection.get(connection) ?? 1) - 1;
      if (left === 0) this.perConnection.delete(connection);
      else this.perConnection.set(connection, left);
    };
  }

  get open(): number {
    return this.total;
  }

  /** Runs a stream handler inside a slot, freed however the stream ends (done, failed or cancelled). */
  async *bounded<T>(context: CallContext, open: () => AsyncIterable<T>): AsyncGenerator<T> {
    const release = this.acquire(context.peer);
    try {
      yield* open();
    } finally {
      release();
    }
  }
}
