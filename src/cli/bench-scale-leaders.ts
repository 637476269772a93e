import { createClient, type ServiceClient } from '../../rpc/index.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';

const statusTimeoutMs = 10_000;

/** One Admin client per node, asked directly: the client's merged status would hide who answers. */
export class LeaderCensus {
  private readonly clients: { nodeId: number; admin: ServiceClient<typeof AdminService> }[];

  constructor(nodes: readonly { id: number; address: string }[]) {
    this.clients = nodes.map((n) => ({ nodeId: n.id, admin: createClient(AdminService, n.address) }));
  }

  /**
   * About how many partitions are led, each node counting those it leads itself (a follower's idea
   * of the leader may be a term old). Asked without per-partition status: building and sending that
   * for 10,000 partitions every poll grew each node's heap by a hundred MiB or more, which the idle
   * measurement that follows then reported as the node's own memory. A deposed leader that has not
   * noticed yet counts too, so a partition may be counted twice: `ledExactly` confirms.
   */
  async ledCount(): Promise<number> {
    const counts = await Promise.all(
      this.clients.map(async ({ nodeId, admin }) => {
        const status = await admin
          .clusterStatus({ omitPartitions: true }, { timeoutMs: statusTimeoutMs })
          .catch(() => undefined);
        return status?.nodes.find((n) => n.nodeId === nodeId)?.leaders ?? 0;
      }),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  /** How many partitions of `topics` some node says it leads, each counted once (a full status). */
  async ledExactly(topics: ReadonlySet<string>): Promise<number> {
    const led = new Set<string>();
    await Promise.all(
      this.clients.map(async ({ nodeId, admin }) => {
        const status = await admin.clusterStatus({}, { timeoutMs: statusTimeoutMs }).catch(() => undefined);
        for (const p of status?.partitions ?? []) {
          if (p.leaderId === nodeId && topics.has(p.topic)) led.add(`${p.topic}\u0000${p.partition}`);
        }
      }),
    );
    return led.size;
  }

  close(): void {
    for (const c of this.clients) c.admin.close();
  }
}
