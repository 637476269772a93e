import { assert } from '../../lib/index.js';
import type { GroupMessage } from './types.js';

/** Messages waiting for one frame; `bytes` is the sum of their size bounds. */
export interface PendingFrame {
  readonly messages: GroupMessage[];
  bytes: number;
}

export interface SendQueueLimits {
  readonly frameBytesMax: number;
  readonly queueBytesMax: number;
  readonly queueFramesMax: number;
}

/**
 * Messages to one peer that are not written yet, already packed into frames: a message joins the last
 * frame while it fits, so everything queued between two writes travels in as few frames as
 * frameBytesMax allows. Both bounds hold at all times; `push` refuses rather than grows.
 */
export class SendQueue {
  private readonly frames: (PendingFrame | undefined)[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly limits: SendQueueLimits) {}

  get sizeBytes(): number {
    return this.bytes;
  }

  get sizeFrames(): number {
    return this.frames.length - this.head;
  }

  /** False (nothing changes) when the message is larger than a frame or a bound would be exceeded. */
  push(message: GroupMessage, bytes: number): boolean {
    if (bytes > this.limits.frameBytesMax || this.bytes + bytes > this.limits.queueBytesMax) return false;
    const last = this.sizeFrames > 0 ? this.frames[this.frames.length - 1] : undefined;
    if (last !== undefined && last.bytes + bytes <= this.limits.frameBytesMax) {
      last.messages.push(message);
      last.bytes += bytes;
    } else {
      if (this.sizeFrames >= this.limits.queueFramesMax) return false;
      this.frames.push({ messages: [message], bytes });
    }
    this.bytes += bytes;
    return true;
  }

  peek(): PendingFrame | undefined {
    return this.frames[this.head];
  }

  shift(): PendingFrame | undefined {
    const frame = this.frames[this.head];
    if (frame === undefined) return undefined;
    this.frames[this.head] = undefined;
    this.head++;
    this.bytes -= frame.bytes;
    this.compact();
    assert(this.bytes >= 0, 'queued bytes went negative');
    return frame;
  }

  /** Empties the queue, returning what it held. */
  clear(): PendingFrame[] {
    const frames = this.frames.slice(this.head).filter((f) => f !== undefined);
    this.frames.length = 0;
    this.head = 0;
    this.bytes = 0;
    return frames;
  }

  /** Drops the consumed prefix once it dominates, so shifting stays O(1) amortized. */
  private compact(): void {
    if (this.head === this.frames.length) {
      this.frames.length = 0;
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.frames.length) {
      this.frames.splice(0, this.head);
      this.head = 0;
    }
  }
}
