import { describe, expect, it } from 'vitest';
import type { RaftlogError } from '../../lib/index.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { listQueueGroups, partitionsByGroup } from './queue-list-groups.js';
import type { QueueStatsClient } from './queue-stats.js';

type Answer = {
  partition: number;
  queues?: string[];
  error?: { code: ErrorCode; message: string; retriable: boolean; leaderHint: string };
};

/** Three partitions led by two nodes; `answers` holds what each call answers, in turn. */
function fakeClient(answers: Answer[][]) {
  const calls: { address: string; partitions: readonly number[] }[] = [];
  const leaders = ['n1:1', 'n2:1', 'n1:1'];
  const client = {
    partitionCount: async () => 3,
    leaderAddress: async (_topic: string, p: number) => leaders[p]!,
    noteError: (_topic: string, p: number, e: RaftlogError) => {
      leaders[p] = e.leaderHint ?? leaders[p]!;
    },
    broker: (address: string) => ({
      listQueueGroups: async (r: { partitions: readonly number[] }) => {
        calls.push({ address, partitions: r.partitions });
        const answer = answers.shift()!.filter((a) => r.partitions.includes(a.partition));
        return { partitions: answer.map((a) => ({ queues: [], ...a })) };
      },
    }),
  } as unknown as QueueStatsClient;
  return { client, calls };
}

describe('listQueueGroups', () => {
  it('asks each leader for its partitions at once and follows a NOT_LEADER hint', async () => {
    const notLeader = { code: ErrorCode.NOT_LEADER, message: 'moved', retriable: true, leaderHint: 'n3:1' };
    const { client, calls } = fakeClient([
      [
        { partition: 0, queues: ['a', 'b'] },
        { partition: 2, queues: ['b'] },
      ],
      [{ partition: 1, error: notLeader }],
      [{ partition: 1, queues: [] }],
    ]);
    const listing = await listQueueGroups(client, 'jobs');
    expect(listing).toEqual([
      { partition: 0, ok: true, value: ['a', 'b'] },
      { partition: 1, ok: true, value: [] },
      { partition: 2, ok: true, value: ['b'] },
    ]);
    expect(calls).toEqual([
      { address: 'n1:1', partitions: [0, 2] },
      { address: 'n2:1', partitions: [1] },
      { address: 'n3:1', partitions: [1] },
    ]);
    expect([...partitionsByGroup(listing)]).toEqual([
      ['a', [0]],
      ['b', [0, 2]],
    ]);
  });

  it('gives a partition failing for good its error and lists the others', async () => {
    const denied = { code: ErrorCode.PARTITION_NOT_FOUND, message: 'gone', retriable: false, leaderHint: '' };
    const { client } = fakeClient([
      [
        { partition: 0, queues: ['x'] },
        { partition: 2, error: denied },
      ],
      [{ partition: 1 }],
    ]);
    const listing = await listQueueGroups(client, 'jobs');
    expect(listing[2]).toEqual({ partition: 2, ok: false, code: 'PARTITION_NOT_FOUND', message: 'gone' });
    expect([...partitionsByGroup(listing)]).toEqual([['x', [0]]]);
  });
});
