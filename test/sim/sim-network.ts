import type { Prng } from '../../lib/index.js';
import type { Message } from './raft-port.js';
import type { SimStats } from './sim-stats.js';

export interface NetworkQuality {
  /** Probability that a message is lost. */
  dropRate: number;
  /** Probability that a message is delivered twice (the same frozen object). */
  duplicateRate: number;
  /** Probability that a message takes a long detour (reordering it past later ones). */
  slowRate: number;
  /** Normal one-way delay: uniform in [1, delayRoundsMax] rounds. */
  delayRoundsMax: number;
  /** A slow message takes up to this many rounds. */
  slowDelayRoundsMax: number;
}

interface InFlight {
  readonly message: Message;
  readonly deliverAt: number;
  readonly seq: number;
}

/** Beyond this many messages in flight the network drops new ones, as a full send queue would. */
const inFlightMax = 20_000;

/**
 * A simulated network between node ids. Each message gets its own delay (so messages reorder), may be
 * dropped or duplicated, and is lost if its directed link is cut when it is sent or when it arrives.
 */
export class SimNetwork {
  private queue: InFlight[] = [];
  private readonly cutLinks = new Set<string>();
  private seq = 0;

  constructor(
    private readonly prng: Prng,
    private readonly stats: SimStats,
    public quality: NetworkQuality,
  ) {}

  get inFlight(): number {
    return this.queue.length;
  }

  isCut(from: number, to: number): boolean {
    return this.cutLinks.has(`${from}>${to}`);
  }

  cut(from: number, to: number): void {
    if (from !== to) this.cutLinks.add(`${from}>${to}`);
  }

  cutBoth(a: number, b: number): void {
    this.cut(a, b);
    this.cut(b, a);
  }

  /** Cuts every link between the two groups, both ways. */
  split(left: readonly number[], right: readonly number[]): void {
    for (const a of left) for (const b of right) this.cutBoth(a, b);
  }

  healAll(): void {
    this.cutLinks.clear();
  }

  get cutLinkCount(): number {
    return this.cutLinks.size;
  }

  /** Returns false when the message is lost at once (cut link, drop, full queue). */
  send(message: Message, now: number): boolean {
    if (this.isCut(message.from, message.to)) {
      this.stats.count('messages lost to cut links');
      return false;
    }
    if (this.prng.chance(this.quality.dropRate) || this.queue.length >= inFlightMax) {
      this.stats.count('messages dropped');
      return false;
    }
    this.enqueue(message, now);
    if (this.prng.chance(this.quality.duplicateRate)) {
      this.stats.count('messages duplicated');
      this.enqueue(message, now);
    }
    return true;
  }

  /** The messages due at `now`, in delivery order; those on links cut meanwhile are lost. */
  takeDue(now: number): Message[] {
    const due: InFlight[] = [];
    const rest: InFlight[] = [];
    for (const m of this.queue) (m.deliverAt <= now ? due : rest).push(m);
    this.queue = rest;
    due.sort((a, b) => a.deliverAt - b.deliverAt || a.seq - b.seq);
    const out: Message[] = [];
    for (const m of due) {
      if (this.isCut(m.message.from, m.message.to)) {
        this.stats.count('messages lost to cut links');
      } else {
        out.push(m.message);
      }
    }
    return out;
  }

  private enqueue(message: Message, now: number): void {
    const q = this.quality;
    let delay = this.prng.intBetween(1, q.delayRoundsMax);
    if (this.prng.chance(q.slowRate)) {
      delay = this.prng.intBetween(q.delayRoundsMax, q.slowDelayRoundsMax);
      this.stats.count('messages delayed');
    }
    this.queue.push({ message, deliverAt: now + delay, seq: this.seq++ });
  }
}
