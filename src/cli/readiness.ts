import { createClient, type ServiceClient } from '../../cluster/rpc/index.js';
import {
  AdminService,
  type ClusterStatusResponse,
  type PartitionStatus,
} from '../../proto/gen/raftlog/v1/admin_pb.js';

export interface HealthVerdict {
  readonly ok: boolean;
  readonly status: string;
  readonly detail: string;
}

export interface ReadinessQuery {
  readonly address: string;
  /** The probed node's id; without it only the controller is checked. */
  readonly self: number | undefined;
  /** How far a replica's commit index may trail its leader's and still count as caught up. */
  readonly lagEntriesMax: number;
  readonly deadline: number;
}

type Admin = ServiceClient<typeof AdminService>;

// A probe must not wait on grpc-js's reconnect backoff or share a channel with anything else.
export const probeChannelOptions = {
  'grpc.use_local_subchannel_pool': 1,
  'grpc.max_reconnect_backoff_ms': 500,
};

const notReady = (detail: string): HealthVerdict => ({ ok: false, status: 'NOT_READY', detail });

/**
 * Ready = the node follows a controller leader, and (its id known) every group it replicates has a
 * leader in its own view and its commit index is within lagEntriesMax of that leader's. The leaders
 * are asked for their commit indexes: a follower alone cannot tell how far behind it is. A node that
 * is itself the leader is caught up by definition.
 */
export async function readiness(q: ReadinessQuery): Promise<HealthVerdict> {
  const own = await askStatus(q.address, q.deadline);
  const controllerLeader = own.controller?.leaderId ?? 0;
  if (controllerLeader === 0) return notReady('no controller leader known to this node');
  if (q.self === undefined) {
    return { ok: true, status: 'READY', detail: `controller leader ${controllerLeader}; node id unknown` };
  }
  const mine = own.partitions.filter((p) => p.replicas.includes(q.self!));
  const leaderless = mine.find((p) => p.leaderId === 0);
  if (leaderless !== undefined) return notReady(`${name(leaderless)} has no leader in this node's view`);
  const leaders = new Set([controllerLeader, ...mine.map((p) => p.leaderId)]);
  leaders.delete(q.self);
  for (const leader of leaders) {
    const behind = await lagBehind(own, leader, q);
    if (behind !== undefined) return notReady(behind);
  }
  return {
    ok: true,
    status: 'READY',
    detail: `controller leader ${controllerLeader}; ${mine.length} partitions within ${q.lagEntriesMax} entries of their leaders`,
  };
}

/** What this node trails `leader` by beyond the allowance, or undefined when nothing. */
async function lagBehind(own: ClusterStatusResponse, leader: number, q: ReadinessQuery) {
  const address = own.nodes.find((n) => n.nodeId === leader)?.address;
  if (address === undefined) return `leader ${leader} has no known address`;
  const theirs = await askStatus(address, q.deadline).catch((e: unknown) => e as Error);
  if (theirs instanceof Error) return `cannot reach leader ${leader} at ${address}: ${theirs.message}`;
  const gaps: [string, bigint, bigint][] = [];
  if (own.controller?.leaderId === leader) {
    gaps.push(['the controller', theirs.controller?.commitIndex ?? 0n, own.controller.commitIndex]);
  }
  for (const p of own.partitions.filter((x) => x.leaderId === leader && x.replicas.includes(q.self!))) {
    const at = theirs.partitions.find((x) => x.topic === p.topic && x.partition === p.partition);
    if (at?.leaderId === leader) gaps.push([name(p), at.commitIndex, p.commitIndex]);
  }
  const worst = gaps.find(([, led, mine]) => Number(led - mine) > q.lagEntriesMax);
  return worst === undefined
    ? undefined
    : `${worst[0]} is ${worst[1] - worst[2]} entries behind node ${leader}`;
}

async function askStatus(address: string, deadline: number): Promise<ClusterStatusResponse> {
  const admin: Admin = createClient(AdminService, address, { channelOptions: probeChannelOptions });
  try {
    return await admin.clusterStatus(
      { omitPartitions: false },
      { timeoutMs: Math.max(1, deadline - Date.now()) },
    );
  } finally {
    admin.close();
  }
}

const name = (p: PartitionStatus): string => `${p.topic}/${p.partition}`;
