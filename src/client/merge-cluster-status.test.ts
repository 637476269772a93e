import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ClusterStatusResponseSchema, PartitionStatusSchema } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { mergeClusterStatus } from './merge-cluster-status.js';

const part = (partition: number, leaderId: number, term: number, inSync: number[]) =>
  create(PartitionStatusSchema, { topic: 't', partition, leaderId, term: BigInt(term), inSync });

describe('merging the status answers of every node', () => {
  it('takes each partition from its own leader, the highest term winning', () => {
    const base = create(ClusterStatusResponseSchema, { partitions: [part(0, 2, 3, []), part(1, 3, 1, [])] });
    const merged = mergeClusterStatus(base, [
      { nodeId: 2, status: create(ClusterStatusResponseSchema, { partitions: [part(0, 2, 3, [1, 2, 3])] }) },
      { nodeId: 3, status: create(ClusterStatusResponseSchema, { partitions: [part(1, 3, 1, [3])] }) },
      { nodeId: 1, status: create(ClusterStatusResponseSchema, { partitions: [part(1, 1, 4, [1, 2])] }) },
    ]);
    expect(merged.partitions.map((p) => [p.leaderId, Number(p.term), p.inSync])).toEqual([
      [2, 3, [1, 2, 3]],
      [1, 4, [1, 2]],
    ]);
  });

  it('keeps the first answer where no leader answered', () => {
    const base = create(ClusterStatusResponseSchema, { partitions: [part(0, 2, 3, [])] });
    expect(mergeClusterStatus(base, []).partitions[0]?.leaderId).toBe(2);
  });
});
