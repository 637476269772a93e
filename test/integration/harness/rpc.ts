import { createClient, type ServiceClient } from '../../../rpc/index.js';
import { RaftlogError } from '../../../lib/index.js';
import { abortableSleep } from '../../../src/local/index.js';
import { AdminService } from '../../../proto/gen/raftlog/v1/admin_pb.js';
import { BrokerService } from '../../../proto/gen/raftlog/v1/broker_pb.js';

export type BrokerClient = ServiceClient<typeof BrokerService>;
export type AdminClient = ServiceClient<typeof AdminService>;

/** What the helpers need from a cluster: who runs, where, and when to give up. */
export interface ClusterAccess {
  liveNodes(): readonly { readonly id: number; readonly address: string }[];
  addressOf(nodeId: number): string | undefined;
  isRunning(nodeId: number): boolean;
  broker(address: string): BrokerClient;
  admin(address: string): AdminClient;
  /** Aborted when the cluster is torn down, so background loops end with it. */
  readonly signal: AbortSignal;
}

// A restarted node should be reachable again within a tick or two, not after grpc-js's default backoff.
const channelOptions = {
  'grpc.initial_reconnect_backoff_ms': 50,
  'grpc.max_reconnect_backoff_ms': 500,
};

/** One broker and one admin client per address, created on first use and closed together. */
export class ClientPool {
  private readonly brokers = new Map<string, BrokerClient>();
  private readonly admins = new Map<string, AdminClient>();

  broker(address: string): BrokerClient {
    return cached(this.brokers, address, () => createClient(BrokerService, address, { channelOptions }));
  }

  admin(address: string): AdminClient {
    return cached(this.admins, address, () => createClient(AdminService, address, { channelOptions }));
  }

  close(): void {
    for (const client of [...this.brokers.values(), ...this.admins.values()]) client.close();
    this.brokers.clear();
    this.admins.clear();
  }
}

function cached<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

export { abortableSleep as sleep };

export function asRaftlogError(error: unknown): RaftlogError {
  return RaftlogError.from(error);
}

export function checkNotTornDown(access: ClusterAccess): void {
  if (access.signal.aborted) throw new Error('the cluster was torn down');
}

/**
 * Calls `attempt` against live nodes in turn (a NOT_LEADER hint first) until it succeeds, a
 * non-retriable error occurs, or timeoutMs passes; then the last error is thrown.
 */
export async function withAnyNode<T>(
  access: ClusterAccess,
  what: string,
  timeoutMs: number,
  attempt: (address: string) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: RaftlogError | undefined;
  let hint: string | undefined;
  for (let round = 0; Date.now() < deadline; round++) {
    checkNotTornDown(access);
    const nodes = access.liveNodes();
    const address = hint ?? nodes[round % Math.max(1, nodes.length)]?.address;
    if (address === undefined) throw new Error(`${what}: no node is running`);
    try {
      return await attempt(address);
    } catch (error) {
      last = asRaftlogError(error);
      if (!last.retriable) throw last;
      // Follow a NOT_LEADER hint at once; otherwise pause before the next node.
      hint = last.leaderHint !== undefined && last.leaderHint !== '' ? last.leaderHint : undefined;
      if (hint === undefined) await abortableSleep(50, access.signal);
    }
  }
  throw new Error(
    `${what}: gave up after ${timeoutMs} ms (${last?.code ?? 'no attempt'}: ${last?.message ?? ''})`,
    {
      cause: last,
    },
  );
}
