import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { GroupState, OffsetResetSpec } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { Assignor, CoordinatorKind } from '../../proto/gen/raftlog/v1/broker_pb.js';
import {
  PartitionWriter,
  RawGroupMember,
  settleAll,
  sleep,
  startCluster,
  type TestCluster,
  type TopicPartition,
} from './harness/index.js';

const topic = 'orders';
const sessionTimeoutMs = 3_000;
/** For members that must outlive slow steps of a test (writes, describes) without heartbeating. */
const longSessionMs = 15_000;

function member(
  cluster: TestCluster,
  group: string,
  viaNode: number,
  instanceId?: string,
  session = sessionTimeoutMs,
): RawGroupMember {
  // Sticky: range would hand out partitions by member id order, so a joining member whose id sorts
  // first (ids are `it-<log index>`, compared as text: it-101 < it-98) would move three partitions.
  return new RawGroupMember(cluster, group, {
    topics: [topic],
    sessionTimeoutMs: session,
    assignor: Assignor.STICKY,
    viaNode,
    ...(instanceId === undefined ? {} : { instanceId }),
  });
}

async function coordinatorOf(cluster: TestCluster, viaNode: number): Promise<number> {
  const address = cluster.addressOf(viaNode) as string;
  const r = await cluster.broker(address).findCoordinator({ kind: CoordinatorKind.GROUP, key: 'any' });
  return r.nodeId;
}

async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    return error instanceof RaftlogError ? error.code : String(error);
  }
}

async function retrying<T>(call: () => Promise<T>, msMax = 15_000): Promise<T> {
  const deadline = Date.now() + msMax;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof RaftlogError) || !error.retriable || Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

const partitionsOf = (ps: readonly TopicPartition[]): number[] => ps.map((p) => p.partition).sort();

/** Heartbeats the given members every 500 ms until `until` resolves to true, settling on rebalance. */
async function keepAlive(members: readonly RawGroupMember[], until: () => Promise<boolean>, msMax: number) {
  const deadline = Date.now() + msMax;
  while (Date.now() < deadline) {
    for (const m of members) await m.settle();
    if (await until()) return;
    await sleep(500);
  }
  throw new Error(`condition not met within ${msMax} ms`);
}

describe('consumer groups, 3 nodes', () => {
  it('assigns incrementally, expires a silent member, refuses commits by non-owners and reports lag', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 4, 3);

    // Three members join one by one, each through a different node.
    const [a, b, c] = [
      member(cluster, 'g', 1, undefined, longSessionMs),
      member(cluster, 'g', 2, undefined, longSessionMs),
      member(cluster, 'g', 3),
    ] as [RawGroupMember, RawGroupMember, RawGroupMember];
    await a.join();
    await settleAll([a]);
    expect(partitionsOf(a.owned)).toEqual([0, 1, 2, 3]);

    await b.join();
    await settleAll([a, b]);
    expect(partitionsOf(a.revoked)).toHaveLength(2);
    expect(partitionsOf(b.gained)).toEqual(partitionsOf(a.revoked));
    expect(a.owned).toHaveLength(2);

    const revokedBefore = { a: a.revoked.length, b: b.revoked.length };
    await c.join();
    await settleAll([a, b, c]);
    const newlyRevoked = a.revoked.length - revokedBefore.a + (b.revoked.length - revokedBefore.b);
    // 4 partitions over 3 members: exactly one partition moves, and one of a and b revokes nothing.
    expect(newlyRevoked).toBe(1);
    expect([a.revoked.length - revokedBefore.a, b.revoked.length - revokedBefore.b].sort()).toEqual([0, 1]);
    expect(c.gained).toHaveLength(1);
    const all = [...a.owned, ...b.owned, ...c.owned];
    expect(partitionsOf(all)).toEqual([0, 1, 2, 3]);

    // Commits: an owner may, a non-owner and a commit without membership may not.
    const aPartition = a.owned[0] as TopicPartition;
    const cPartition = c.owned[0] as TopicPartition;
    await a.commit([{ ...aPartition, offset: 7 }]);
    expect(await failure(b.commit([{ ...aPartition, offset: 9 }]))).toBe('ILLEGAL_GENERATION');
    const anyNode = cluster.addressOf(2) as string;
    expect(
      await failure(
        cluster.broker(anyNode).commitOffsets({
          groupId: 'g',
          generationId: -1,
          memberId: '',
          offsets: [{ ...aPartition, offset: 9n }],
        }),
      ),
    ).toBe('INVALID_ARGUMENT');

    // Lag: 50 records in every partition, offsets committed on one.
    for (const p of [0, 1, 2, 3])
      await new PartitionWriter(cluster, topic, p, { batchRecords: 50 }).write(50);
    await settleAll([a, b, c]);
    const coordinator = await coordinatorOf(cluster, 1);
    const admin = cluster.admin(cluster.addressOf(coordinator) as string);

    // Heartbeats are answered from memory: the controller log does not grow with them.
    const commitIndex = async () =>
      (await admin.clusterStatus({ omitPartitions: true })).controller?.commitIndex;
    const before = await commitIndex();
    for (let i = 0; i < 5; i++) for (const m of [a, b, c]) expect(await m.heartbeat()).toBe('OK');
    expect(await commitIndex()).toBe(before);
    const described = (await admin.describeGroups({ groupIds: ['g'] })).groups[0];
    expect(described?.state).toBe(GroupState.STABLE);
    expect(described?.members).toHaveLength(3);
    expect(described?.members.map((m) => m.clientHost)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    const status = described?.partitions.find((p) => p.partition === aPartition.partition);
    expect(status).toMatchObject({ committedOffset: 7n, highWatermark: 50n, lag: 43n });
    const uncommitted = described?.partitions.find((p) => p.partition === cPartition.partition);
    expect(uncommitted).toMatchObject({ committedOffset: -1n, highWatermark: 50n, lag: 50n });
    expect(described?.lag).toBe(43n + 50n * 3n);

    // c goes silent (as if SIGKILLed): its partition moves to a or b after its session timeout.
    expect(await c.heartbeat()).toBe('OK');
    const silentAt = c.lastCallAt;
    const cOwned = c.owned;
    // c is not asked anything meanwhile: any call would be a sign of life. Its partition can reach a
    // or b only once the coordinator removed c, which freed what c owned.
    await keepAlive(
      [a, b],
      () => Promise.resolve(a.owned.length + b.owned.length === 4),
      sessionTimeoutMs + 10_000,
    );
    const movedAfterMs = Date.now() - silentAt;
    expect(movedAfterMs).toBeGreaterThanOrEqual(sessionTimeoutMs);
    expect(movedAfterMs).toBeLessThan(sessionTimeoutMs + 4_000);
    expect(partitionsOf([...a.gained, ...b.gained])).toEqual(expect.arrayContaining(partitionsOf(cOwned)));
    expect(await c.heartbeat()).toBe('UNKNOWN_MEMBER_ID');
    expect(await failure(c.commit([{ ...cPartition, offset: 1 }]))).toBe('UNKNOWN_MEMBER_ID');
    console.log(JSON.stringify({ test: 'consumer-groups', silentMemberMovedAfterMs: movedAfterMs }));
  }, 180_000);

  it('keeps a static member’s partitions across a restart and offsets across a controller SIGKILL', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 4, 3);
    const first = member(cluster, 's', 1, 'pod-0');
    const other = member(cluster, 's', 2, 'pod-1');
    await first.join();
    await other.join();
    await settleAll([first, other]);
    const generation = first.generation;
    const mine = first.owned;

    // The process restarts: a new member object knows only its instance id.
    const restarted = member(cluster, 's', 3, 'pod-0');
    await restarted.join();
    expect(restarted.memberId).toBe(first.memberId);
    expect(restarted.generation).toBe(generation);
    expect(await other.heartbeat()).toBe('OK');
    await settleAll([restarted, other]);
    expect(restarted.owned).toEqual(mine);
    expect(restarted.generation).toBe(generation);
    expect(other.revoked).toEqual([]);

    await restarted.commit(mine.map((p, i) => ({ ...p, offset: 10 + i })));
    await other.commit(other.owned.map((p, i) => ({ ...p, offset: 20 + i })));
    const expected = new Map(
      [...mine.map((p, i) => [p.partition, 10 + i]), ...other.owned.map((p, i) => [p.partition, 20 + i])].map(
        ([p, o]) => [p, o] as [number, number],
      ),
    );

    // SIGKILL the controller leader: a new one takes over, with the offsets and the members.
    const leader = await coordinatorOf(cluster, 1);
    await cluster.node(leader).kill('SIGKILL');
    const survivor = cluster.liveNodes()[0]?.id as number;
    let next = 0;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      next = await coordinatorOf(cluster, survivor).catch(() => 0);
      if (next !== 0 && next !== leader) break;
      await sleep(100);
    }
    expect(next).not.toBe(leader);
    for (const m of [restarted, other]) if (m.viaNode === leader) m.viaNode = survivor;
    // A new coordinator answers once it has applied what the old one committed (retriable until then).
    const fetched = await retrying(() =>
      cluster
        .broker(cluster.addressOf(survivor) as string)
        .fetchOffsets({ groupId: 's', partitions: [0, 1, 2, 3].map((partition) => ({ topic, partition })) }),
    );
    expect(new Map(fetched.offsets.map((o) => [o.partition, Number(o.offset)]))).toEqual(expected);
    // The new coordinator restarted the session clocks: both members are still members.
    expect(await restarted.heartbeat()).toBe('OK');
    expect(await other.heartbeat()).toBe('OK');

    // Offsets are reset only once the group has no members; a dry run changes nothing. Group admin
    // reads answer from the node's controller replica: the coordinator's has every write.
    const admin = cluster.admin(cluster.addressOf(next) as string);
    const reset = (dryRun: boolean) =>
      admin.resetGroupOffsets({ groupId: 's', topic, spec: OffsetResetSpec.EARLIEST, dryRun });
    expect(await failure(reset(false))).toBe('INVALID_ARGUMENT');
    await restarted.leave();
    await other.leave();
    const listed = await admin.listGroups({});
    expect(listed.groups.map((g) => [g.groupId, g.state])).toEqual([['s', GroupState.EMPTY]]);
    const dry = await reset(true);
    expect(dry.offsets.map((o) => [o.partition, Number(o.previousOffset), Number(o.offset)])).toEqual(
      [0, 1, 2, 3].map((p) => [p, expected.get(p), 0]),
    );
    const after = await cluster
      .broker(cluster.addressOf(survivor) as string)
      .fetchOffsets({ groupId: 's', partitions: [] });
    expect(after.offsets.map((o) => Number(o.offset)).sort()).toEqual([...expected.values()].sort());
    await reset(false);
    const zeroed = await cluster
      .broker(cluster.addressOf(survivor) as string)
      .fetchOffsets({ groupId: 's', partitions: [] });
    expect(zeroed.offsets.map((o) => Number(o.offset))).toEqual([0, 0, 0, 0]);
  }, 180_000);
});
