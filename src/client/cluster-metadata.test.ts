import { describe, expect, it } from 'vitest';
import { leaderAddressOf, mergeClusterMetadata, type ClusterMetadata } from './cluster-metadata.js';

const brokers = new Map([
  [1, 'n1:1'],
  [2, 'n2:1'],
  [3, 'n3:1'],
]);

function answer(leaderId: number, leaderTerm: number, extra: Partial<ClusterMetadata> = {}): ClusterMetadata {
  const partition = { partition: 0, leaderId, leaderTerm, replicas: [1, 2, 3], inSyncReplicas: [] };
  return {
    clusterId: 'c',
    controllerId: 1,
    brokers,
    topics: new Map([['t', { name: 't', partitions: [partition] }]]),
    fetchedAtMs: 0,
    ...extra,
  };
}

describe('mergeClusterMetadata', () => {
  it('takes the newest term that names a leader, whichever node answered first', () => {
    // The cut-off old leader still says "me, term 4"; a follower that voted says "node 2, term 5".
    const merged = mergeClusterMetadata([answer(1, 4), answer(2, 5), answer(0, 5)]);
    expect(leaderAddressOf(merged, 't', 0)).toBe('n2:1');
  });

  it('prefers a named leader over a newer term without one (an election in progress)', () => {
    const merged = mergeClusterMetadata([answer(0, 6), answer(2, 5)]);
    expect(merged.topics.get('t')?.partitions[0]).toMatchObject({ leaderId: 2, leaderTerm: 5 });
  });

  it('unions brokers and topics across answers', () => {
    const other = answer(2, 5, {
      brokers: new Map([[4, 'n4:1']]),
      topics: new Map([['u', { name: 'u', partitions: [] }]]),
    });
    const merged = mergeClusterMetadata([answer(1, 4), other]);
    expect([...merged.brokers.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect([...merged.topics.keys()].sort()).toEqual(['t', 'u']);
  });
});
