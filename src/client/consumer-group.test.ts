import { describe, expect, it } from 'vitest';
import { Consumer, type ConsumerOptions } from './consumer.js';
import { GroupCoordinatorSim } from './testing/group-coordinator-sim.js';
import type { ConsumerRecord } from './types.js';

const text = (r: ConsumerRecord) => new TextDecoder().decode(r.value ?? undefined);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function groupConsumer(sim: GroupCoordinatorSim, extra: Partial<ConsumerOptions> = {}): Consumer {
  return new Consumer(sim.client(), {
    groupId: 'g',
    topics: [sim.topic],
    sessionTimeoutMs: 600,
    prefetchBytesMax: 1024,
    retry: { backoffBaseMs: 5, backoffMaxMs: 20 },
    ...extra,
  });
}

describe('Consumer in group mode', () => {
  it('processes every record exactly once while a second member joins and takes half the partitions', async () => {
    const sim = new GroupCoordinatorSim('t', 6, 40);
    const total = 6 * 40;
    const processed: string[] = [];
    const revokedFromA: string[] = [];
    const a = groupConsumer(sim, {
      autoCommit: true,
      autoCommitIntervalMs: 50,
      onPartitionsRevoked: (ps) => void revokedFromA.push(...ps.map((p) => `${p.topic}/${p.partition}`)),
    });
    const b = groupConsumer(sim, { autoCommit: true, autoCommitIntervalMs: 50 });
    // Records in the middle of processing: closing waits until none is (an application closes
    // after its loop, not in the middle of a record).
    let busy = 0;
    const run = async (c: Consumer, name: string) => {
      for await (const r of c) {
        busy++;
        processed.push(`${text(r)} by ${name}`);
        await sleep(1);
        if (processed.length >= total) c.markProcessed(r);
        busy--;
        if (processed.length >= total) break;
      }
    };
    const runA = run(a, 'a');
    await until(() => processed.length >= 30);
    const runB = run(b, 'b');
    await until(() => processed.length >= total && busy === 0, 15_000);
    await Promise.all([a.close({ commit: true }), b.close({ commit: true })]);
    await Promise.all([runA, runB]);
    const values = processed.map((p) => p.split(' ')[0]!);
    expect(new Set(values).size).toBe(values.length);
    expect(values).toHaveLength(total);
    expect(processed.some((p) => p.endsWith('by b'))).toBe(true);
    expect(revokedFromA.length).toBeGreaterThanOrEqual(3);
    // A revoked partition's commit comes from a before any record of it is processed by b.
    for (const key of revokedFromA.slice(0, 3)) {
      const partition = key.split('/')[1]!;
      const firstByB = processed.findIndex((p) => p.startsWith(`p${partition}-`) && p.endsWith('by b'));
      const lastByA = processed.findLastIndex((p) => p.startsWith(`p${partition}-`) && p.endsWith('by a'));
      if (firstByB >= 0) expect(lastByA).toBeLessThan(firstByB);
    }
    expect([...sim.committed.values()]).toEqual(Array(6).fill(40));
    expect(sim.members.size).toBe(0);
  });

  it('commits only processed records: the one in hand when closing is not committed', async () => {
    const sim = new GroupCoordinatorSim('t', 1, 20);
    const c = groupConsumer(sim);
    let n = 0;
    for await (const r of c) {
      if (++n === 7) {
        expect(r.offset).toBe(6);
        break;
      }
    }
    await c.close({ commit: true });
    expect(sim.committed.get('t/0')).toBe(6);
    // The next member resumes at the record that was in hand.
    const next = groupConsumer(sim);
    for await (const r of next) {
      expect(r.offset).toBe(6);
      break;
    }
    await next.close();
    expect(sim.committed.get('t/0')).toBe(6);
  });

  it('seekToCommitted reads again from the committed offsets, and stale records are not counted', async () => {
    const sim = new GroupCoordinatorSim('t', 1, 30);
    const c = groupConsumer(sim);
    const seen: number[] = [];
    let rewound = false;
    let stale: ConsumerRecord | undefined;
    for await (const r of c) {
      seen.push(r.offset);
      if (r.offset === 4) await c.commit();
      if (r.offset === 9 && !rewound) {
        rewound = true;
        stale = r;
        await c.seekToCommitted();
      }
      if (seen.length === 16) break;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 4, 5, 6, 7, 8, 9]);
    // 4..8 were processed again after the rewind; 9 is in hand; the stale 9 counts for nothing.
    c.markProcessed(stale!);
    expect(await c.commit()).toEqual([{ topic: 't', partition: 0, offset: 9 }]);
    await c.close({ commit: true });
    expect(sim.committed.get('t/0')).toBe(9);
  });

  it('hands out batches that count as processed once the next batch is asked for', async () => {
    const sim = new GroupCoordinatorSim('t', 2, 30);
    const c = groupConsumer(sim);
    const sizes: number[] = [];
    let seen = 0;
    for await (const batch of c.batches({ maxRecords: 8, maxWaitMs: 20 })) {
      sizes.push(batch.length);
      seen += batch.length;
      if (seen >= 60) break;
      if (seen >= 20 && sim.committed.size === 0) {
        // Everything of earlier batches is processed; this batch is not yet.
        const committed = await c.commit();
        expect(committed.reduce((n, o) => n + o.offset, 0)).toBe(seen - batch.length);
      }
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
    expect(seen).toBe(60);
    await c.close({ commit: true });
    // The last batch was not asked past, so it is not committed.
    expect([...sim.committed.values()].reduce((n, o) => n + o, 0)).toBe(60 - sizes.at(-1)!);
  });

  it('a static member does not leave on close, so its restart takes its partitions back', async () => {
    const sim = new GroupCoordinatorSim('t', 2, 10);
    const c = groupConsumer(sim, { groupInstanceId: 'pod-0' });
    await c.join();
    const memberId = c.groupMetadata().memberId;
    await c.close();
    expect([...sim.members.keys()]).toEqual([memberId]);
    const again = groupConsumer(sim, { groupInstanceId: 'pod-0' });
    await again.join();
    expect(again.groupMetadata().memberId).toBe(memberId);
    await again.close();
  });

  it('starts over at autoOffsetReset when the committed offset fell behind retention', async () => {
    const sim = new GroupCoordinatorSim('t', 1, 30);
    sim.committed.set('t/0', 3);
    sim.logStart = 10;
    const c = groupConsumer(sim);
    for await (const r of c) {
      expect(r.offset).toBe(10);
      break;
    }
    await c.close();
  });

  it('refuses manual assignment and group calls outside group mode', () => {
    const sim = new GroupCoordinatorSim('t', 1, 1);
    expect(() => groupConsumer(sim).assign([{ topic: 't', partition: 0 }])).toThrow(/group mode/);
    const plain = new Consumer(sim.client());
    expect(() => plain.groupMetadata()).toThrow(/group mode/);
    expect(() => new Consumer(sim.client(), { groupId: 'g', topics: [] })).toThrow(/topics/);
  });
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(5);
  }
}
