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
   * How many partitions of `topics` some node says it leads. A partition counts only when its leader
   * says so itself: a follower's idea of the leader may be a term old.
   */
  async ledPartitions(topics: ReadonlySet<string>): Promise<number> {
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
