import { VersionBehindError, type NodeId } from '../../lib/index.js';
import { nodeLogicalVersion, unannouncedLogicalVersion } from '../../cluster/controller/index.js';
import type { NodeApi } from '../../cluster/node/index.js';
import { BrokerViolation } from './broker-violation.js';
import type { SimNode } from './sim-node.js';
import type { Trace } from './trace.js';

/** The build before this one, as far as versions go: it reads version 1 and nothing later. */
const oldVersion = unannouncedLogicalVersion;

/**
 * An operator's rolling upgrade (SimClusterOptions.upgrade): every node starts on the old build and
 * is restarted on this one in turn, spread over the steps; a node the faults have down then comes up
 * on this build when it restarts. Until the last node runs it, no node may hold a higher active
 * version; after the run one node goes back to the old build and must refuse to run.
 */
export class RollingUpgrade {
  private readonly versions = new Map<NodeId, number>();
  private downgraded: NodeId | undefined;
  private refused = false;

  constructor(
    private readonly nodes: readonly SimNode[],
    private readonly steps: number,
    private readonly trace: Trace,
  ) {
    for (const n of nodes) this.versions.set(n.id, oldVersion);
  }

  /** The build the node's next incarnation runs. */
  versionOf(id: NodeId): number {
    return this.versions.get(id) ?? nodeLogicalVersion;
  }

  /** Upgrades node k of n at step k·steps/(n+1). */
  step(step: number): void {
    this.nodes.forEach((node, i) => {
      if (step !== Math.floor(((i + 1) * this.steps) / (this.nodes.length + 1))) return;
      this.restartOn(node, nodeLogicalVersion);
    });
  }

  /** The active version waits for the slowest node: none is above the lowest build of any member. */
  check(up: readonly { id: NodeId; api: NodeApi }[]): void {
    const lowest = Math.min(...this.versions.values());
    for (const n of up) {
      const active = n.api.clusterStatus({ omitPartitions: true }).activeVersion;
      if (active > lowest)
        throw new BrokerViolation(
          'active version waits for the slowest node',
          `node ${n.id} holds active version ${active} while a node runs a build of version ${lowest}`,
        );
    }
  }

  /** Puts `node` back on the old build once its version is active. */
  downgrade(node: SimNode): void {
    this.downgraded = node.id;
    this.restartOn(node, oldVersion);
  }

  /** A node stopped itself: expected only of the downgraded node, for being behind. */
  expectedFatal(id: NodeId, error: unknown): boolean {
    if (id !== this.downgraded || !(error instanceof VersionBehindError)) return false;
    this.refused = true;
    this.trace.add(`n${id} refused to run the old build`);
    return true;
  }

  get downgradeRefused(): boolean {
    return this.refused;
  }

  private restartOn(node: SimNode, version: number): void {
    this.versions.set(node.id, version);
    this.trace.add(`n${node.id} to version ${version}`);
    if (!node.up) return;
    // A clean stop: every write it made is kept.
    node.crash(Number.MAX_SAFE_INTEGER);
    node.start();
  }
}
