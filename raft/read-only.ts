import type { NodeId } from '../lib/index.js';

export interface ReadState {
  readonly index: number;
  readonly context: Uint8Array;
}

interface PendingRead {
  readonly index: number;
  readonly context: Uint8Array;
  readonly from: NodeId;
  readonly acks: Map<NodeId, boolean>;
}

const keyOf = (context: Uint8Array): string =>
  Array.from(context, (b) => b.toString(16).padStart(2, '0')).join('');

/** Safe ReadIndex: each request waits for a heartbeat round acknowledged by a quorum. */
export class ReadOnlyQueue {
  private readonly pending = new Map<string, PendingRead>();
  private readonly order: string[] = [];

  add(index: number, context: Uint8Array, from: NodeId, self: NodeId): void {
    const key = keyOf(context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { index, context, from, acks: new Map([[self, true]]) });
    this.order.push(key);
  }

  /** Records a heartbeat acknowledgement; returns the acks so far for that request. */
  ack(context: Uint8Array, from: NodeId): ReadonlyMap<NodeId, boolean> | undefined {
    const req = this.pending.get(keyOf(context));
    if (req === undefined) return undefined;
    req.acks.set(from, true);
    return req.acks;
  }

  /** Releases the request with this context and every one queued before it (they are older). */
  release(context: Uint8Array): PendingRead[] {
    const key = keyOf(context);
    const at = this.order.indexOf(key);
    if (at < 0) return [];
    const released = this.order.splice(0, at + 1).map((k) => this.pending.get(k) as PendingRead);
    for (const k of released.map((r) => keyOf(r.context))) this.pending.delete(k);
    return released;
  }

  lastContext(): Uint8Array | undefined {
    const key = this.order[this.order.length - 1];
    return key === undefined ? undefined : this.pending.get(key)?.context;
  }

  clear(): void {
    this.pending.clear();
    this.order.length = 0;
  }
}
