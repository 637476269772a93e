import type { Admin, ClusterStatus } from '../client/index.js';
import type { DataPathTotals } from '../obs/index.js';

/** What the console page polls: the cluster as its leaders see it, groups, and this node's totals. */
export interface ConsoleSnapshot {
  readonly nodeId: number;
  readonly atMs: number;
  readonly clusterId: string;
  readonly controller: { readonly leader: number; readonly term: number };
  readonly nodes: readonly {
    id: number;
    address: string;
    alive: boolean;
    replicas: number;
    leaders: number;
  }[];
  readonly partitions: readonly {
    topic: string;
    partition: number;
    leader: number;
    term: number;
    replicas: readonly number[];
    inSync: readonly number[];
    highWatermark: number;
  }[];
  readonly groups: readonly { group: string; state: string; members: number; lag: number }[];
  /** Since this node started, so the page turns two polls into rates. */
  readonly totals: DataPathTotals;
  /** Parts that could not be read this time (the page shows them). */
  readonly problems: readonly string[];
}

export interface ConsoleDataOptions {
  readonly nodeId: number;
  readonly admin: Admin;
  readonly totals: () => DataPathTotals;
  readonly nowMs: () => number;
  /** Groups described per snapshot; each costs a lookup per partition at its leader. */
  readonly groupsMax: number;
  /** A snapshot younger than this is served again: many open pages cost one cluster round. */
  readonly snapshotAgeMsMax: number;
}

/** Builds console snapshots through the client Admin (so in-sync sets come from the leaders). */
export class ConsoleData {
  private last: { atMs: number; snapshot: Promise<ConsoleSnapshot> } | undefined;

  constructor(private readonly options: ConsoleDataOptions) {}

  snapshot(): Promise<ConsoleSnapshot> {
    const now = this.options.nowMs();
    if (this.last === undefined || now - this.last.atMs > this.options.snapshotAgeMsMax) {
      this.last = { atMs: now, snapshot: this.build(now) };
    }
    return this.last.snapshot;
  }

  private async build(atMs: number): Promise<ConsoleSnapshot> {
    const { admin } = this.options;
    const problems: string[] = [];
    const [status, groups] = await Promise.all([
      admin.clusterStatus(),
      this.groups().catch((error: unknown) => {
        problems.push(`groups: ${error instanceof Error ? error.message : String(error)}`);
        return [];
      }),
    ]);
    return {
      nodeId: this.options.nodeId,
      atMs,
      clusterId: status.clusterId,
      controller: { leader: status.controller.leader, term: status.controller.term },
      nodes: status.nodes.map(({ id, address, alive, replicas, leaders }) => ({
        id,
        address,
        alive,
        replicas,
        leaders,
      })),
      partitions: status.partitions.map(consolePartition),
      groups,
      totals: this.options.totals(),
      problems,
    };
  }

  private async groups(): Promise<ConsoleSnapshot['groups']> {
    const listed = (await this.options.admin.listGroups()).slice(0, this.options.groupsMax);
    return Promise.all(
      listed.map(async (g) => {
        const d = await this.options.admin.describeGroup(g.group);
        return { group: g.group, state: d.state, members: d.members.length, lag: d.lag };
      }),
    );
  }
}

function consolePartition(p: ClusterStatus['partitions'][number]): ConsoleSnapshot['partitions'][number] {
  const { topic, partition, leader, term, replicas, inSync, highWatermark } = p;
  const sorted = (ids: readonly number[]): number[] => [...ids].sort((a, b) => a - b);
  return {
    topic,
    partition,
    leader,
    term,
    replicas: sorted(replicas),
    inSync: sorted(inSync),
    highWatermark,
  };
}
