import { describe, expect, it } from 'vitest';
import type { RaftlogError } from '../../lib/index.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { deleteQueueGroup } from './queue-delete-group.js';
import type { QueueStatsClient } from './queue-stats.js';

type Answer = {
  partition: number;
  error?: { code: ErrorCode; message: string; retriable: boolean; leaderHint: string };
};

/** Two partitions; `answers` holds what each call answers, in turn. */
function fakeClient(answers: Answer[][]) {
  const calls: { address: string; partitions: readonly number[] }[] = [];
  const noted: string[] = [];
  const leaders = ['n1:1', 'n2:1'];
  const client = {
    partitionCount: async () => 2,
    leaderAddress: async (_topic: string, p: number) => leaders[p]!,
    noteError: (_topic: string, p: number, e: RaftlogError) => {
      noted.push(`${p}:${e.code}`);
      leaders[p] = e.leaderHint ?? leaders[p]!;
    },
    broker: (address: string) => ({
      deleteQueueGroup: async (r: { partitions: readonly number[] }) => {
        calls.push({ address, partitions: r.partitions });
        return { partitions: answers.shift()!.filter((a) => r.partitions.includes(a.partition)) };
      },
    }),
  } as unknown as QueueStatsClient;
  return { client, calls, noted };
}

describe('deleteQueueGroup', () => {
  it('asks each leader, follows NOT_LEADER hints, and keeps a partition without the group as such', async () => {
    const notLeader = { code: ErrorCode.NOT_LEADER, message: 'moved', retriable: true, leaderHint: 'n3:1' };
    const absent = {
      code: ErrorCode.QUEUE_GROUP_NOT_FOUND,
      message: 'absent',
      retriable: false,
      leaderHint: '',
    };
    const { client, calls, noted } = fakeClient([
      [{ partition: 0 }],
      [{ partition: 1, error: notLeader }],
      [{ partition: 1, error: absent }],
    ]);
    expect(await deleteQueueGroup(client, 'jobs', 'old')).toEqual([
      { partition: 0, ok: true },
      { partition: 1, ok: false, code: 'QUEUE_GROUP_NOT_FOUND', message: 'absent' },
    ]);
    expect(calls).toEqual([
      { address: 'n1:1', partitions: [0] },
      { address: 'n2:1', partitions: [1] },
      { address: 'n3:1', partitions: [1] },
    ]);
    expect(noted).toEqual(['1:NOT_LEADER']);
  });

  it('gives a partition still failing at the deadline its last error', async () => {
    const notLeader = { code: ErrorCode.NOT_LEADER, message: 'moved', retriable: true, leaderHint: '' };
    const { client } = fakeClient(
      Array.from({ length: 100 }, () => [{ partition: 0 }, { partition: 1, error: notLeader }]),
    );
    const outcome = await deleteQueueGroup(client, 'jobs', 'old', 0);
    expect(outcome).toEqual([
      { partition: 0, ok: true },
      { partition: 1, ok: false, code: 'NOT_LEADER', message: 'moved' },
    ]);
  });
});
