import type { ManualClock, NodeId, Prng } from '../../lib/index.js';
import type { SimClusterStats } from './sim-cluster-stats.js';

export interface LinkQuality {
  /** Probability that a packet (a transport frame or one half of a call) is lost. */
  dropRate: number;
  /** Probability that a transport frame is delivered twice. */
  duplicateRate: number;
  /** One-way delay, uniform in [delayMsMin, delayMsMax]: packets reorder when their delays cross. */
  delayMsMin: number;
  delayMsMax: number;
}

export const calmLinks: LinkQuality = { dropRate: 0, duplicateRate: 0, delayMsMin: 1, delayMsMax: 3 };

/**
 * The simulated network between node processes: every packet gets its own delay from the run's PRNG
 * (so packets reorder), may be dropped or duplicated, and is lost when its directed link is cut at
 * send or at arrival, or when the target process is down at arrival. Delivery happens on the shared
 * ManualClock, so it interleaves with timers in one deterministic order.
 */
export class ClusterNetwork {
  private readonly cutLinks = new Set<string>();
  private readonly down = new Set<NodeId>();

  constructor(
    private readonly prng: Prng,
    private readonly clock: ManualClock,
    private readonly stats: SimClusterStats,
    public quality: LinkQuality,
  ) {}

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cutLinks.has(`${from}>${to}`);
  }

  /** Whether `from` can reach `to` right now (the target is up and the link not cut). */
  reachable(from: NodeId, to: NodeId): boolean {
    return !this.down.has(to) && !this.down.has(from) && !this.isCut(from, to);
  }

  cut(from: NodeId, to: NodeId): void {
    if (from !== to) this.cutLinks.add(`${from}>${to}`);
  }

  /** Cuts every link between the two sides, both ways. */
  split(left: readonly NodeId[], right: readonly NodeId[]): void {
    for (const a of left)
      for (const b of right) {
        this.cut(a, b);
        this.cut(b, a);
      }
  }

  heal(): void {
    this.cutLinks.clear();
    this.quality = calmLinks;
  }

  get cutCount(): number {
    return this.cutLinks.size;
  }

  setDown(node: NodeId, isDown: boolean): void {
    if (isDown) this.down.add(node);
    else this.down.delete(node);
  }

  /**
   * Sends one packet; `deliver` runs at arrival unless it is lost. Returns false when it was lost at
   * once because the link is cut or the target down (what a broken stream reports), true otherwise.
   */
  send(from: NodeId, to: NodeId, deliver: () => void, duplicable: boolean): boolean {
    if (!this.reachable(from, to)) {
      this.stats.packetsLost++;
      return false;
    }
    this.stats.packetsSent++;
    if (this.prng.chance(this.quality.dropRate)) {
      this.stats.packetsDropped++;
      return true;
    }
    const copies = duplicable && this.prng.chance(this.quality.duplicateRate) ? 2 : 1;
    if (copies === 2) this.stats.packetsDuplicated++;
    for (let i = 0; i < copies; i++) {
      const delayMs = this.prng.intBetween(this.quality.delayMsMin, this.quality.delayMsMax);
      this.clock.after(delayMs, () => {
        if (this.reachable(from, to)) deliver();
        else this.stats.packetsLost++;
      });
    }
    return true;
  }
}
