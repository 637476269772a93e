import type { GroupId } from '../../lib/index.js';

interface Outstanding {
  readonly sequence: number;
  readonly bytes: number;
  readonly groupIds: readonly GroupId[];
}

/**
 * The sender's side of one Raft stream's flow control: frames are numbered from 1, and at most the
 * receiver's window of frames and bytes stays unacknowledged. Until the receiver has spoken, the
 * local window applies.
 */
export class FlowWindow {
  private readonly outstanding: Outstanding[] = [];
  private outstandingBytes = 0;
  private lastSequence = 0;

  constructor(
    private windowFrames: number,
    private windowBytes: number,
  ) {}

  get unackedFrames(): number {
    return this.outstanding.length;
  }

  get unackedBytes(): number {
    return this.outstandingBytes;
  }

  /** A frame larger than the byte window still goes when nothing is outstanding, or it never could. */
  canSend(bytes: number): boolean {
    if (this.outstanding.length >= this.windowFrames) return false;
    return this.outstanding.length === 0 || this.outstandingBytes + bytes <= this.windowBytes;
  }

  /** Numbers the next frame and counts it as outstanding. */
  record(bytes: number, groupIds: readonly GroupId[]): number {
    const sequence = ++this.lastSequence;
    this.outstanding.push({ sequence, bytes, groupIds });
    this.outstandingBytes += bytes;
    return sequence;
  }

  /** Applies a RaftResponse; acknowledgements beyond what was sent are ignored. */
  acknowledge(ackedSequence: number, windowFrames: number, windowBytes: number): void {
    this.windowFrames = windowFrames;
    this.windowBytes = windowBytes;
    const acked = Math.min(ackedSequence, this.lastSequence);
    let count = 0;
    while (count < this.outstanding.length && this.outstanding[count]!.sequence <= acked) {
      this.outstandingBytes -= this.outstanding[count]!.bytes;
      count++;
    }
    this.outstanding.splice(0, count);
  }

  /** The groups of every unacknowledged frame, which may or may not have arrived. */
  abandon(): GroupId[] {
    const groups = this.outstanding.flatMap((o) => o.groupIds);
    this.outstanding.length = 0;
    this.outstandingBytes = 0;
    return groups;
  }
}
