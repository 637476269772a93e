import type { ClusterStatusResponse } from '../../../proto/gen/raftlog/v1/admin_pb.js';
import { sleep, withAnyNode, checkNotTornDown, type ClusterAccess } from './rpc.js';

const callTimeoutMs = 2_000;

export interface Leader {
  readonly leaderId: number;
  readonly term: bigint;
  readonly address: string;
}

export interface LeaderWait {
  readonly timeoutMs?: number;
  /** A leader other than this node (the one just killed, or the one being moved away from). */
  readonly notNode?: number;
  /** Only a leadership of a later term than this one. */
  readonly afterTerm?: bigint;
}

/**
 * Waits for a running node that every answer agrees on: some node names it leader of the partition
 * and the named node says so itself (so a stale view from a lagging node is not enough).
 */
export async function waitForLeader(
  access: ClusterAccess,
  topic: string,
  partition: number,
  options: LeaderWait = {},
): Promise<Leader> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let seen = 'no answer';
  while (Date.now() < deadline) {
    checkNotTornDown(access);
    for (const node of access.liveNodes()) {
      const claim = await leaderSeenBy(access, node.address, topic, partition).catch((e: Error) => e);
      if (claim instanceof Error) {
        seen = `node ${node.id}: ${claim.message}`;
        continue;
      }
      seen = `node ${node.id} names ${claim.leaderId} (term ${claim.term})`;
      if (acceptable(access, claim, options) && (await confirmedBySelf(access, claim, topic, partition))) {
        return claim;
      }
    }
    await sleep(50, access.signal);
  }
  throw new Error(`no leader for ${topic}/${partition} within ${timeoutMs} ms (last: ${seen})`);
}

function acceptable(access: ClusterAccess, claim: Leader, options: LeaderWait): boolean {
  // Term 0 is a guess: a node that does not host the partition yet names its first replica, and that
  // replica, not hosting it yet either, agrees.
  return (
    claim.leaderId !== 0 &&
    claim.term > 0n &&
    access.isRunning(claim.leaderId) &&
    claim.leaderId !== options.notNode &&
    (options.afterTerm === undefined || claim.term > options.afterTerm)
  );
}

async function confirmedBySelf(access: ClusterAccess, claim: Leader, topic: string, partition: number) {
  const own = await leaderSeenBy(access, claim.address, topic, partition).catch(() => undefined);
  return own?.leaderId === claim.leaderId && own.term === claim.term;
}

async function leaderSeenBy(
  access: ClusterAccess,
  address: string,
  topic: string,
  partition: number,
): Promise<Leader> {
  const response = await access.broker(address).metadata({ topics: [topic] }, { timeoutMs: callTimeoutMs });
  const found = response.topics
    .find((t) => t.name === topic)
    ?.partitions.find((p) => p.partition === partition);
  if (found === undefined) throw new Error(`${topic}/${partition} unknown`);
  const leaderAddress =
    response.brokers.find((b) => b.nodeId === found.leaderId)?.address ??
    access.addressOf(found.leaderId) ??
    '';
  return { leaderId: found.leaderId, term: found.leaderTerm, address: leaderAddress };
}

export async function createTopic(
  access: ClusterAccess,
  name: string,
  partitions: number,
  replicationFactor: number,
): Promise<void> {
  await withAnyNode(access, `create topic ${name}`, 20_000, async (address) => {
    try {
      await access.admin(address).createTopic({ name, partitions, replicationFactor }, { timeoutMs: 5_000 });
    } catch (error) {
      // A retry of a create that took effect the first time.
      if ((error as { code?: string }).code !== 'TOPIC_ALREADY_EXISTS') throw error;
    }
  });
  for (let p = 0; p < partitions; p++) await waitForLeader(access, name, p);
}

export function clusterStatus(access: ClusterAccess): Promise<ClusterStatusResponse> {
  return withAnyNode(access, 'cluster status', 10_000, (address) =>
    access.admin(address).clusterStatus({}, { timeoutMs: callTimeoutMs }),
  );
}

/** Moves a partition's leadership to `target` and waits until that node confirms it leads. */
export async function transferLeadership(
  access: ClusterAccess,
  topic: string,
  partition: number,
  target: number,
): Promise<Leader> {
  const current = await waitForLeader(access, topic, partition);
  if (current.leaderId === target) return current;
  await withAnyNode(access, `transfer ${topic}/${partition} to ${target}`, 20_000, (address) =>
    access
      .admin(address)
      .transferLeadership({ topic, partition, targetNodeId: target }, { timeoutMs: 10_000 }),
  );
  const leader = await waitForLeader(access, topic, partition, { afterTerm: current.term });
  if (leader.leaderId !== target)
    throw new Error(`${topic}/${partition} is led by ${leader.leaderId}, not ${target}`);
  return leader;
}

/**
 * Waits until `nodeId` is listed in sync for every partition of `topic` it replicates. Each
 * partition is judged by its leader's own status: only the leader tracks its followers' progress.
 */
export async function waitInSync(access: ClusterAccess, topic: string, nodeId: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lagging = 'no status yet';
  while (Date.now() < deadline) {
    const behind = await partitionsBehind(access, topic, nodeId).catch((e: Error) => [e.message]);
    if (behind.length === 0) return;
    lagging = behind.join('; ');
    await sleep(200, access.signal);
  }
  throw new Error(`node ${nodeId} not in sync on ${topic} within ${timeoutMs} ms: ${lagging}`);
}

async function partitionsBehind(access: ClusterAccess, topic: string, nodeId: number): Promise<string[]> {
  const status = await clusterStatus(access);
  const mine = status.partitions.filter((p) => p.topic === topic && p.replicas.includes(nodeId));
  if (mine.length === 0) return [`no partition of ${topic} on node ${nodeId}`];
  const behind: string[] = [];
  for (const { partition } of mine) {
    const leader = await waitForLeader(access, topic, partition, { timeoutMs: 5_000 });
    const own = await access.admin(leader.address).clusterStatus({}, { timeoutMs: callTimeoutMs });
    const seen = own.partitions.find((p) => p.topic === topic && p.partition === partition);
    if (seen?.inSync.includes(nodeId) !== true) {
      behind.push(
        `${topic}/${partition} leader ${leader.leaderId} in sync [${seen?.inSync.join(',') ?? ''}]`,
      );
    }
  }
  return behind;
}
