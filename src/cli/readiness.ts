import type { Interceptor } from '@grpc/grpc-js';
import { createClient, type ServiceClient } from '../../rpc/index.js';
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
  /** Credentials for the ClusterStatus calls (probe-auth.ts). */
  readonly interceptors?: Interceptor[];
}

type Admin = ServiceClient<typeof AdminService>;

// A probe must not wait on grpc-js's reconnect backoff or share a channel with anything else.
export const probeChannelOptions = {
  'grpc.use_local_subchannel_pool': 1,
  'grpc.max_reconnect_backoff_ms': 500,
};

const notReady = (detail: string): HealthVerdict => ({ ok: false, status: 'NOT_READY', detail });

interface View {
  readonly id: number;
  readonly status: ClusterStatusResponse;
}

/** One group this node replicates, as its leader and this node see it. */
interface Lag {
  readonly group: string;
  readonly leader: number;
  readonly leaderCommit: bigint;
  /** Undefined when this node does not know that leader yet. */
  readonly ownCommit: bigint | undefined;
}

/**
 * Ready = the node is caught up: for the controller and every partition it replicates whose leader
 * some reachable node claims to be, this node knows that leader and its commit index is within
 * lagEntriesMax of the leader's. A follower cannot tell its lag alone (in-sync sets are the leaders'
 * view), so every other node is asked; only a node's claim about itself counts. A group no reachable
 * node leads does not count against this node: one leaderless partition must not make every pod
 * unready and empty the client Service. Without the node's id, only a controller leader is required.
 */
export async function readiness(q: ReadinessQuery): Promise<HealthVerdict> {
  const own = await askStatus(q.address, q.deadline, q.interceptors);
  const controllerLeader = own.controller?.leaderId ?? 0;
  if (q.self === undefined) {
    return controllerLeader === 0
      ? notReady('no controller leader known to this node')
      : { ok: true, status: 'READY', detail: `controller leader ${controllerLeader}; node id unknown` };
  }
  const self = q.self;
  if (own.nodes.length === 0) return notReady('this node knows no cluster members yet');
  const views = await otherViews(own, self, q.deadline, q.interceptors);
  const lags = groupLags(own, self, views);
  for (const lag of lags) {
    if (lag.ownCommit === undefined)
      return notReady(`${lag.group}: node ${lag.leader} leads it, unknown here`);
    const behind = lag.leaderCommit - lag.ownCommit;
    if (behind > BigInt(q.lagEntriesMax)) {
      return notReady(`${lag.group} is ${behind} entries behind node ${lag.leader}`);
    }
  }
  return {
    ok: true,
    status: 'READY',
    detail: `controller leader ${controllerLeader}; ${lags.length} groups within ${q.lagEntriesMax} entries of their leaders`,
  };
}

async function otherViews(
  own: ClusterStatusResponse,
  self: number,
  deadline: number,
  interceptors: Interceptor[] | undefined,
): Promise<View[]> {
  const asked = await Promise.all(
    own.nodes
      .filter((n) => n.nodeId !== self)
      .map(async (n) => ({
        id: n.nodeId,
        status: await askStatus(n.address, deadline, interceptors).catch(() => undefined),
      })),
  );
  return asked.filter((v): v is View => v.status !== undefined);
}

// Two nodes may both claim a group for a moment (a deposed leader that has not heard yet): the
// claim of the higher term is the leader.
function groupLags(own: ClusterStatusResponse, self: number, views: readonly View[]): Lag[] {
  const lags: Lag[] = [];
  const controller = newest(
    views.flatMap((v) =>
      v.status.controller?.leaderId === v.id ? [{ id: v.id, led: v.status.controller }] : [],
    ),
  );
  if (controller !== undefined && own.controller !== undefined) {
    lags.push({
      group: 'the controller',
      leader: controller.id,
      leaderCommit: controller.led.commitIndex,
      ownCommit: own.controller.leaderId === controller.id ? own.controller.commitIndex : undefined,
    });
  }
  for (const p of own.partitions.filter((x) => x.replicas.includes(self) && x.leaderId !== self)) {
    const claim = newest(
      views.flatMap((v) => {
        const led = v.status.partitions.find((x) => same(x, p) && x.leaderId === v.id);
        return led === undefined ? [] : [{ id: v.id, led }];
      }),
    );
    if (claim === undefined) continue;
    const ownCommit = p.leaderId === claim.id ? p.commitIndex : undefined;
    lags.push({ group: name(p), leader: claim.id, leaderCommit: claim.led.commitIndex, ownCommit });
  }
  return lags;
}

function newest<T extends { led: { term: bigint } }>(claims: readonly T[]): T | undefined {
  return claims.reduce<T | undefined>(
    (best, c) => (best === undefined || c.led.term > best.led.term ? c : best),
    undefined,
  );
}

async function askStatus(
  address: string,
  deadline: number,
  interceptors: Interceptor[] | undefined,
): Promise<ClusterStatusResponse> {
  const admin: Admin = createClient(AdminService, address, {
    channelOptions: probeChannelOptions,
    ...(interceptors === undefined ? {} : { interceptors }),
  });
  try {
    return await admin.clusterStatus(
      { omitPartitions: false },
      { timeoutMs: Math.max(1, deadline - Date.now()) },
    );
  } finally {
    admin.close();
  }
}

const same = (a: PartitionStatus, b: PartitionStatus): boolean =>
  a.topic === b.topic && a.partition === b.partition;
const name = (p: PartitionStatus): string => `${p.topic}/${p.partition}`;
