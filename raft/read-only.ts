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

/** Shared by every queue with no read pending; never written (add replaces it first). */
const noReads: string[] = [];

/** Safe ReadIndex: each request waits for a heartbeat round acknowledged by a quorum. */
export class ReadOnlyQueue {
  // Made on the first read: every group has a queue and most never serve a ReadIndex.
  private pending: Map<string, PendingRead> | undefined;
  private order: string[] = noReads;

  add(index: number, context: Uint8Array, from: NodeId, self: NodeId): void {
    const key = keyOf(context);
    const pending = (this.pending ??= new Map());
    if (pending.has(key)) return;
    pending.set(key, { index, context, from, acks: new Map([[self, true]]) });
    if (this.order === noReads) this.order = [];
    this.order.push(key);
  }

  /** Records a heartbeat acknowledgement; returns the acks so far for that request. */
  ack(context: Uint8Array, from: NodeId): ReadonlyMap<NodeId, boolean> | undefined {
    const req = this.pending?.get(keyOf(context));
    if (req === undefined) return undefined;
    req.acks.set(from, true);
    return req.acks;
  }

  /** Releases the request with this context and every one queued before it (they are older). */
  release(context: Uint8Array): PendingRead[] {
    const key = keyOf(context);
    const at = this.order.indexOf(key);
    if (at < 0) return [];
    const pending = this.pending as Map<string, PendingRead>;
    const released = this.order.splice(0, at + 1).map((k) => pending.get(k) as PendingRead);
    for (const k of released.map((r) => keyOf(r.context))) pending.delete(k);
    return released;
  }

  lastContext(): Uint8Array | undefined {
    const key = this.order[this.order.length - 1];
    return key === undefined ? undefined : this.pending?.get(key)?.context;
  }

  clear(): void {
    this.pending = undefined;
    this.order = noReads;
  }
}
