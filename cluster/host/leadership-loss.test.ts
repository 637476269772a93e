import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Prng, RaftlogError, seedsFrom, type GroupId, type NodeId } from '../../lib/index.js';
import type { Entry, Snapshot } from '../../raft/index.js';
import { RaftLogStore, type StorageBatch } from '../../storage/index.js';
import { tempRocks } from '../../storage/test-helpers.js';
import type { GroupStateMachine } from './group-state-machine.js';
import { hostDefaults } from './host-config.js';
import { wireClock } from '../../rpc/index.js';
import { MultiRaftHost, type GroupMessage, type MessageSender } from './multi-raft-host.js';

const tickMs = 10;
const electionTimeoutTicks = 10;
const groupId = 7 as GroupId;
const ids = [1, 2, 3] as NodeId[];

/** Counts applied entries; nothing else matters here. */
class CountingMachine implements GroupStateMachine {
  applied = 0;
  readonly blocked = false;
  apply(_entry: Entry, _batch: StorageBatch): unknown {
    return ++this.applied;
  }
  skip(): void {}
  restore(_snapshot: Snapshot): void {}
  snapshotData(): Uint8Array {
    return new Uint8Array();
  }
  afterApply(): void {}
}

/** Delivers between hosts in this process; a cut node sends and receives nothing (silently). */
class LocalNetwork {
  readonly hosts = new Map<NodeId, MultiRaftHost>();
  readonly cut = new Set<NodeId>();

  sender(from: NodeId): MessageSender {
    return {
      send: (to, messages: readonly GroupMessage[]) => {
        if (this.cut.has(from) || this.cut.has(to)) return;
        setImmediate(() => this.hosts.get(to)?.deliver(from, messages));
      },
      connectedPeers: () => new Set(ids.filter((id) => id !== from)),
    };
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function threeHosts() {
  const net = new LocalNetwork();
  const logger = pino({ level: 'silent' });
  for (const id of ids) {
    const rocks = await tempRocks();
    const host = new MultiRaftHost(
      { ...hostDefaults, nodeId: id, tickMs, electionTimeoutTicks, heartbeatIntervalTicks: 2 },
      rocks.kv,
      new RaftLogStore(rocks.kv),
      net.sender(id),
      logger,
      ids.filter((p) => p !== id),
      wireClock,
      seedsFrom(new Prng(id)),
    );
    net.hosts.set(id, host);
    cleanups.push(async () => {
      await host.stop();
      await rocks.cleanup();
    });
  }
  const conf = { voters: ids, votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
  for (const host of net.hosts.values()) {
    await host.addGroup(groupId, new CountingMachine(), { confState: conf });
    host.start();
  }
  net.hosts.get(1 as NodeId)!.campaign(groupId);
  const leader = net.hosts.get(1 as NodeId)!.group(groupId)!;
  await until(() => leader.isLeader());
  await leader.propose(new Uint8Array([1])).applied;
  return { net, leader };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('a leader cut off from its peers', () => {
  it('fails its in-flight proposals (outcome unknown, retriable) once check-quorum deposes it', async () => {
    const { net, leader } = await threeHosts();
    net.cut.add(1 as NodeId);
    const cutAt = Date.now();
    const proposal = leader.propose(new Uint8Array([2]));
    const failure = await proposal.applied.then(
      () => undefined,
      (e: unknown) => e,
    );
    const waitedMs = Date.now() - cutAt;
    expect(failure).toBeInstanceOf(RaftlogError);
    expect(failure).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
    // Step-down comes E ticks after the quorum was last heard; allow for a busy machine.
    expect(waitedMs).toBeLessThan(tickMs * electionTimeoutTicks * 4);
    expect(leader.isLeader()).toBe(false);
  }, 20_000);

  it('tells leadership listeners (fetch long-polls) when it is deposed', async () => {
    const { net, leader } = await threeHosts();
    let told = 0;
    leader.onLeadershipLost(() => told++);
    net.cut.add(1 as NodeId);
    await until(() => told > 0);
    expect(leader.isLeader()).toBe(false);
  }, 20_000);

  it('tells leadership listeners when its group leaves the node (a deleted topic)', async () => {
    const { net, leader } = await threeHosts();
    let told = 0;
    leader.onLeadershipLost(() => told++);
    await net.hosts.get(1 as NodeId)!.removeGroup(groupId, () => Promise.resolve());
    expect(told).toBe(1);
  }, 20_000);

  it('steps down even from quiescence, and a quiesced follower elects a new leader', async () => {
    const { net, leader } = await threeHosts();
    const groups = ids.map((id) => net.hosts.get(id)!.group(groupId)!);
    await until(() => groups.every((g) => g.quiesced));
    net.cut.add(1 as NodeId);
    await until(() => !leader.isLeader());
    await until(() => groups.slice(1).some((g) => g.isLeader()));
  }, 20_000);

  // Whole-node simulation seeds 3624, 6384 and 6940: the leader's node left the group but lived on, and
  // each vote request woke the quiesced follower with a fresh election timer, so it refused them all.
  it('a quiesced follower grants votes once its leader left the group while its node lives on', async () => {
    const { net } = await threeHosts();
    const groups = ids.map((id) => net.hosts.get(id)!.group(groupId)!);
    await until(() => groups.every((g) => g.quiesced));
    await net.hosts.get(1 as NodeId)!.removeGroup(groupId, () => Promise.resolve());
    net.hosts.get(2 as NodeId)!.campaign(groupId);
    await until(() => groups.slice(1).some((g) => g.isLeader()));
  }, 20_000);
});
