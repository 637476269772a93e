import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, Prng, seedsFrom, type GroupId, type NodeId } from '../../lib/index.js';
import type { Entry, Snapshot } from '../../raft/index.js';
import {
  MemoryKvStore,
  RaftLogStore,
  type KvWriteBatch,
  type KvWriteOptions,
  type StorageBatch,
} from '../../storage/index.js';
import type { GroupStateMachine } from './group-state-machine.js';
import { hostDefaults } from './host-config.js';
import { MultiRaftHost } from './multi-raft-host.js';

const self = 1 as NodeId;
const groupA = 1 as GroupId;
const groupB = 2 as GroupId;

class NullMachine implements GroupStateMachine {
  readonly blocked = false;
  constructor(readonly answersBeforeWrite = false) {}
  apply(_entry: Entry, _batch: StorageBatch): unknown {
    return undefined;
  }
  skip(): void {}
  restore(_snapshot: Snapshot): void {}
  snapshotData(): Uint8Array {
    return new Uint8Array();
  }
  afterApply(): void {}
}

/** Holds every write while shut, until the test lets it through: a ready cycle stuck in its fsync. */
class GatedKvStore extends MemoryKvStore {
  shut = false;
  inFlight = 0;
  inFlightMax = 0;
  readonly log: string[] = [];
  private readonly held: (() => void)[] = [];

  override async write(batch: KvWriteBatch, options: KvWriteOptions): Promise<void> {
    this.inFlight++;
    this.inFlightMax = Math.max(this.inFlightMax, this.inFlight);
    this.log.push('write');
    try {
      if (this.shut) await new Promise<void>((resolve) => this.held.push(resolve));
      await super.write(batch, options);
    } finally {
      this.inFlight--;
    }
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Lets the oldest held write go on. */
  releaseOne(): void {
    this.held.shift()?.();
  }
}

/** Real event-loop turns with the host's clock standing still: whatever wakes now was woken by an event. */
const turns = async (n = 20): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** One node leading two single-voter groups, on a clock that moves only when the test says. */
async function singleNode(options: { answersBeforeWrite?: boolean } = {}) {
  const clock = new ManualClock(1_000);
  const kv = new GatedKvStore();
  const config = {
    ...hostDefaults,
    nodeId: self,
    tickMs: 10,
    electionTimeoutTicks: 10,
    heartbeatIntervalTicks: 2,
  };
  const host = new MultiRaftHost(
    config,
    kv,
    new RaftLogStore(kv),
    noNetwork,
    pino({ level: 'silent' }),
    [],
    clock,
    seedsFrom(new Prng(1)),
  );
  stops.push(async () => {
    kv.shut = false;
    while (kv.heldCount > 0) kv.releaseOne();
    const stopping = host.stop();
    clock.advance(0);
    await stopping;
  });
  /** Fires the cycle wake-ups the host asked for, and lets the cycles they start run. */
  const run = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) {
      clock.advance(0);
      await turns(2);
    }
  };
  const confState = { voters: [self], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
  const groups = [groupA, groupB];
  for (const id of groups) {
    await host.addGroup(id, new NullMachine(id === groupA && options.answersBeforeWrite), { confState });
  }
  for (const id of groups) host.campaign(id);
  await run();
  for (const id of groups) expect(host.group(id)?.isLeader()).toBe(true);
  return { clock, kv, host, run };
}

const noNetwork = { send: () => {}, connectedPeers: () => new Set<NodeId>() };

/** Proposes to group A and starts the cycle that persists it, which then waits in its write. */
async function cycleStuckInWrite(node: Awaited<ReturnType<typeof singleNode>>): Promise<void> {
  node.kv.shut = true;
  void node.host
    .group(groupA)!
    .propose(new Uint8Array([1]))
    .durable.catch(() => undefined);
  node.clock.advance(0);
  await turns();
  expect(node.kv.heldCount).toBe(1);
}

describe('the host waits on its ready cycle, not on a timer', () => {
  it('stop() returns as soon as the cycle in flight ends, and not before', async () => {
    const node = await singleNode();
    await cycleStuckInWrite(node);
    let stopped = false;
    void node.host.stop().then(() => (stopped = true));
    await turns();
    expect(stopped).toBe(false);
    node.kv.releaseOne();
    // The clock does not move: only the cycle's end can wake stop().
    await turns();
    expect(stopped).toBe(true);
    expect(node.kv.heldCount).toBe(0);
  });

  it.each([true, false])(
    'answers a proposal before the write that records its apply only when the state machine allows it (%s)',
    async (answersBeforeWrite) => {
      const node = await singleNode({ answersBeforeWrite });
      node.kv.shut = true;
      let answered = false;
      void node.host
        .group(groupA)!
        .propose(new Uint8Array([1]))
        .applied.then(() => (answered = true));
      node.clock.advance(0);
      await turns();
      // The entry's own write: it counts toward the commit only once written.
      expect(node.kv.heldCount).toBe(1);
      node.kv.releaseOne();
      await turns();
      // The next cycle applied it and now writes what the apply staged.
      expect(node.kv.heldCount).toBe(1);
      expect(answered).toBe(answersBeforeWrite);
      node.kv.releaseOne();
      await turns();
      expect(answered).toBe(true);
    },
  );

  it('stop() with no cycle in flight returns at once', async () => {
    const node = await singleNode();
    let stopped = false;
    void node.host.stop().then(() => (stopped = true));
    await turns(1);
    expect(stopped).toBe(true);
  });

  it('exclusive work starts right after the cycle ends and never overlaps it or other exclusive work', async () => {
    const node = await singleNode();
    await cycleStuckInWrite(node);
    const removed: GroupId[] = [];
    const remove = (id: GroupId) =>
      node.host.removeGroup(id, () => {
        node.kv.log.push(`remove ${id}`);
        return Promise.resolve();
      });
    const both = Promise.all([
      remove(groupA).then(() => removed.push(groupA)),
      remove(groupB).then(() => removed.push(groupB)),
    ]);
    // More work arrives while the cycle writes: the waiting removals still go first.
    void node.host
      .group(groupB)!
      .propose(new Uint8Array([2]))
      .durable.catch(() => undefined);
    node.kv.log.length = 0;
    await turns();
    expect(node.kv.log).toEqual([]);

    node.kv.releaseOne();
    await turns();
    expect(node.kv.log).toEqual([`remove ${groupA}`, 'write']);
    expect(node.kv.inFlight).toBe(1);

    node.kv.releaseOne();
    await turns();
    expect(node.kv.log).toEqual([`remove ${groupA}`, 'write', `remove ${groupB}`, 'write']);
    expect(node.kv.inFlight).toBe(1);

    node.kv.releaseOne();
    await both;
    expect(removed).toEqual([groupA, groupB]);
    expect(node.kv.inFlightMax).toBe(1);
    expect(node.host.allGroups()).toEqual([]);
  });
});
