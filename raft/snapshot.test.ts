import { describe, expect, it } from 'vitest';
import type { LogIndex } from '../lib/index.js';
import { TestNetwork } from './testing/index.js';

function compactLeader(net: TestNetwork, id: number, data: Uint8Array): void {
  const { storage, raw } = net.node(id);
  const status = raw.status();
  storage.createSnapshot(status.applied, status.confState, data);
  storage.compact(status.applied);
}

describe('snapshots', () => {
  it('sends a lagging follower a chunked snapshot, then replicates to it (R9)', () => {
    const net = TestNetwork.of(3, { snapshotChunkBytesMax: 100 });
    net.campaign(1);
    net.isolate(3);
    for (let i = 0; i < 101; i++) net.propose(1, `e${i}`);
    const state = new Uint8Array(1000).map((_, i) => i % 251);
    compactLeader(net, 1, state);
    expect(net.node(1).storage.firstIndex()).toBe(103);
    net.heal();
    net.tickAll(3);
    net.propose(1, 'after');
    const chunks = net.delivered.filter((m) => m.type === 'snapshot' && m.to === 3);
    expect(chunks.length).toBe(10);
    expect(chunks.every((m) => (m.snapshotChunk?.data.byteLength ?? 0) <= 100)).toBe(true);
    const s3 = net.node(3).storage;
    expect(s3.snapshot().metadata.index).toBe(102);
    expect(Array.from(s3.snapshot().data)).toEqual(Array.from(state));
    expect(net.status(3)).toMatchObject({ commit: 103, lastIndex: 103 });
  });

  it('sends no appends to a follower while its snapshot is pending', () => {
    const net = TestNetwork.of(3, { snapshotChunkBytesMax: 10 });
    net.campaign(1);
    net.isolate(3);
    for (let i = 0; i < 5; i++) net.propose(1, `e${i}`);
    compactLeader(net, 1, new Uint8Array(100));
    net.heal();
    // Hold back every chunk after the first: the snapshot stays pending.
    let seen = 0;
    net.drop = (m) => m.type === 'snapshot' && m.to === 3 && ++seen > 1;
    net.tickAll(2);
    for (let i = 0; i < 3; i++) net.propose(1, `late${i}`);
    const appendsTo3 = net.delivered.filter((m) => m.type === 'append' && m.to === 3 && m.entries.length > 0);
    const beforeHeal = appendsTo3.filter((m) => m.index >= 6);
    expect(beforeHeal).toHaveLength(0);
    // The stalled snapshot returns the follower to probing after E ticks, and it is retried.
    net.drop = () => false;
    net.tickAll(25);
    expect(net.status(3).lastIndex).toBe(net.status(1).lastIndex);
  });

  it('ignores a snapshot at or below its commit index', () => {
    const net = TestNetwork.of(2);
    net.campaign(1);
    net.propose(1, 'a');
    const before = net.status(2);
    const { raw } = net.node(2);
    raw.step({
      ...net.delivered.find((m) => m.type === 'append')!,
      type: 'snapshot',
      entries: [],
      snapshotChunk: {
        metadata: { index: 1 as LogIndex, term: before.term, confState: before.confState },
        offset: 0,
        totalBytes: 0,
        data: new Uint8Array(),
        done: true,
      },
    });
    net.settle();
    expect(net.status(2)).toMatchObject({ commit: before.commit, lastIndex: before.lastIndex });
    expect(net.node(2).storage.snapshot().metadata.index).toBe(0);
  });
});
