import type { NodeId, Prng } from '../../lib/index.js';
import type { ClusterNetwork } from './cluster-network.js';
import type { SimClusterStats } from './sim-cluster-stats.js';
import type { SimNode } from './sim-node.js';
import type { Trace } from './trace.js';

/** Chances per step; a step is 1–10 simulated ms, so faults come every second or so. */
const chances = {
  /** Scaled per run by the profile's crashScale. */
  crash: 0.002,
  restart: 0.01,
  partition: 0.0015,
  asymmetricCut: 0.0015,
  lossy: 0.0015,
  heal: 0.004,
  /** Of crashes, while the cluster can lose a disk (mayWipe). */
  wipe: 0.15,
};

/**
 * Faults at any step: a node process crashes (losing its unsynced writes, or keeping a prefix of
 * them; now and then its whole data directory with them), a crashed node restarts, the network splits in two, one direction of a link is cut, links
 * turn lossy (drops, duplicates, long delays that reorder), or everything heals.
 */
export class FaultInjector {
  /** Runs differ in how often nodes crash (1x, 3x or 6x), so some seeds pile crashes up. */
  private readonly crashScale: number;
  constructor(
    private readonly prng: Prng,
    private readonly nodes: readonly SimNode[],
    private readonly network: ClusterNetwork,
    private readonly stats: SimClusterStats,
    private readonly trace: Trace,
    /**
     * Whether a node may lose its disk now, asked at the crash (see ClusterRun.mayWipe): only while
     * committed data is on two disks at least, so the one that survives the loss holds it.
     */
    private readonly mayWipe: () => boolean,
  ) {
    this.crashScale = prng.pick([1, 3, 6]);
  }

  step(): void {
    const { prng } = this;
    const up = this.nodes.filter((n) => n.up);
    if (up.length > 0 && prng.chance(chances.crash * this.crashScale)) this.crash(this.victim(up));
    for (const n of this.nodes) if (!n.up && prng.chance(chances.restart)) this.restart(n);
    if (prng.chance(chances.partition)) this.partition();
    if (prng.chance(chances.asymmetricCut)) this.asymmetricCut();
    if (prng.chance(chances.lossy)) this.lossy();
    if (prng.chance(chances.heal)) this.healNetwork();
  }

  /** Half the crashes aim at a node with a write not yet fsynced, the window where bugs hide. */
  private victim(up: readonly SimNode[]): SimNode {
    const writing = up.filter((n) => n.kv.unsyncedWriteCount > 0);
    return writing.length > 0 && this.prng.chance(0.5) ? this.prng.pick(writing) : this.prng.pick(up);
  }

  crash(node: SimNode): void {
    const wipe = this.mayWipe() && this.prng.chance(chances.wipe);
    const unsynced = node.kv.unsyncedWriteCount;
    const kept = unsynced > 0 && this.prng.chance(0.5) ? this.prng.intBetween(1, unsynced) : 0;
    const { unsyncedLost } = node.crash(kept);
    this.stats.crashes++;
    if (kept > 0) this.stats.crashesWithUnsyncedKept++;
    this.stats.unsyncedWritesLost += unsyncedLost;
    this.trace.add(`crash n${node.id} unsynced ${unsynced} kept ${kept}`);
    if (wipe) this.wipe(node);
  }

  /** The crashed node's data directory is lost; it restarts on an empty one. */
  private wipe(node: SimNode): void {
    node.wipe();
    this.stats.wipes++;
    this.trace.add(`wipe n${node.id}`);
  }

  restart(node: SimNode): void {
    this.stats.restarts++;
    this.trace.add(`restart n${node.id}`);
    node.start();
  }

  /** Heals the network and restarts every crashed node. */
  healAll(): void {
    this.healNetwork();
    for (const n of this.nodes) if (!n.up) this.restart(n);
  }

  private partition(): void {
    const ids = this.prng.shuffle(this.nodes.map((n) => n.id));
    const k = this.prng.intBetween(1, ids.length - 1);
    const left = ids.slice(0, k);
    const right = ids.slice(k);
    this.network.split(left, right);
    this.stats.partitions++;
    this.trace.add(`partition ${left.join(',')} | ${right.join(',')}`);
  }

  private asymmetricCut(): void {
    const from = this.prng.pick(this.nodes).id;
    const others = this.nodes.map((n) => n.id).filter((id) => id !== from);
    const to: NodeId = this.prng.pick(others);
    this.network.cut(from, to);
    this.stats.asymmetricCuts++;
    this.trace.add(`cut n${from} -> n${to}`);
  }

  private lossy(): void {
    const quality = {
      dropRate: this.prng.intBetween(1, 20) / 100,
      duplicateRate: this.prng.intBetween(0, 10) / 100,
      delayMsMin: 1,
      delayMsMax: this.prng.intBetween(5, 60),
    };
    this.network.quality = quality;
    this.stats.lossyPeriods++;
    this.trace.add(
      `lossy drop ${quality.dropRate} dup ${quality.duplicateRate} delay<=${quality.delayMsMax}`,
    );
  }

  private healNetwork(): void {
    if (
      this.network.cutCount === 0 &&
      this.network.quality.dropRate === 0 &&
      this.network.quality.delayMsMax <= 3
    )
      return;
    this.network.heal();
    this.stats.heals++;
    this.trace.add('heal');
  }
}
