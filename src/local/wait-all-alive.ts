import { createClient } from '../../rpc/index.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { pollUntil, probeChannelOptions } from './poll-until.js';

/**
 * Resolves once the controller's state, as the node at `address` has applied it, counts every node
 * of `nodeIds` alive; rejects with TIMEOUT after timeoutMs, or with CANCELLED when `signal` aborts.
 *
 * Why: a node answers its health check as soon as its own process serves, but placement counts only
 * the nodes the controller has heard from, so a topic with as many replicas as nodes, created the
 * moment every node was healthy, could be refused NOT_ENOUGH_REPLICAS.
 */
export async function waitAllAlive(
  address: string,
  nodeIds: readonly number[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const client = createClient(AdminService, address, { channelOptions: probeChannelOptions });
  try {
    await pollUntil(
      `nodes ${nodeIds.join(', ')} not all alive to the controller`,
      async (attemptMs) => {
        try {
          const { nodes } = await client.clusterStatus({ omitPartitions: true }, { timeoutMs: attemptMs });
          const alive = new Set(nodes.filter((n) => n.alive).map((n) => n.nodeId));
          const missing = nodeIds.filter((id) => !alive.has(id));
          return { done: missing.length === 0, seen: `not yet alive: ${missing.join(', ')}` };
        } catch (error) {
          return { done: false, seen: error instanceof Error ? error.message : String(error) };
        }
      },
      timeoutMs,
      signal,
    );
  } finally {
    client.close();
  }
}
