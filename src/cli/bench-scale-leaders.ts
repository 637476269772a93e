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
   * How many partitions some node says it leads, each node counting its own (a follower's idea of
   * the leader may be a term old). Asked without per-partition status: building and sending that for
   * 10,000 partitions every poll grew each node's heap by a hundred MiB or more, which the idle
   * measurement that follows then reported as the node's own memory. The bench's cluster holds its
   * own topics only, so every led partition is one of them.
   */
  async ledPartitions(): Promise<number> {
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

  close(): void {
    for (const c of this.clients) c.admin.close();
  }
}
