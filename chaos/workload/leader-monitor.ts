import type { RaftlogClient } from '../../src/client/index.js';
import type { LeaderEvent } from '../history/index.js';
import { monitorProcess } from '../history/index.js';
import type { Recorder } from './recorder.js';

export interface MonitoredNode {
  readonly id: number;
  readonly directAddress: string;
  /** False while the process is down or paused: asking it would only wait for the timeout. */
  readonly reachable: boolean;
}

interface Claim {
  readonly leader: number;
  readonly term: number;
}

const askTimeoutMs = 1_000;

/**
 * Asks every node, on its own address, which partitions it leads, and records a leader event when a
 * key's leader changes. A node counts as leader of a key only by its own word, and the highest term
 * wins, so a deposed leader still claiming its old term is outvoted.
 */
export class LeaderMonitor {
  private readonly leaders = new Map<string, Claim>();

  constructor(
    private readonly recorder: Recorder,
    private readonly client: RaftlogClient,
    private readonly keys: readonly string[],
  ) {
    for (const key of keys) this.leaders.set(key, { leader: 0, term: 0 });
  }

  /** The current leader of every key, 0 for none. */
  current(): ReadonlyMap<string, number> {
    return new Map([...this.leaders].map(([key, claim]) => [key, claim.leader]));
  }

  async observe(nodes: readonly MonitoredNode[]): Promise<void> {
    const claims = new Map<string, Claim>();
    await Promise.all(nodes.filter((n) => n.reachable).map((n) => this.ask(n, claims)));
    for (const key of this.keys) {
      const claim = claims.get(key) ?? { leader: 0, term: this.leaders.get(key)?.term ?? 0 };
      if (claim.leader === this.leaders.get(key)?.leader) continue;
      this.leaders.set(key, claim);
      this.recorder.record<LeaderEvent>({
        process: monitorProcess,
        type: 'info',
        f: 'leader',
        key,
        leader: claim.leader,
        term: claim.term,
      });
    }
  }

  private async ask(node: MonitoredNode, claims: Map<string, Claim>): Promise<void> {
    const status = await this.client
      .admin(node.directAddress)
      .clusterStatus({ omitPartitions: false }, { timeoutMs: askTimeoutMs })
      .catch(() => undefined);
    for (const p of status?.partitions ?? []) {
      if (p.leaderId !== node.id) continue;
      const key = `${p.topic}/${p.partition}`;
      const term = Number(p.term);
      if ((claims.get(key)?.term ?? -1) < term) claims.set(key, { leader: node.id, term });
    }
  }
}
