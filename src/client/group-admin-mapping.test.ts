import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { GroupDescriptionSchema, GroupState, OffsetResetSpec } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { toGroupDetails, toWireReset } from './group-admin-mapping.js';

describe('group admin mapping', () => {
  it('gives a description the shape `group describe --json` prints', () => {
    const wire = create(GroupDescriptionSchema, {
      groupId: 'g',
      state: GroupState.STABLE,
      generationId: 3,
      members: [
        {
          memberId: 'c-7',
          clientId: 'c',
          clientHost: '10.0.0.1',
          groupInstanceId: 'pod-0',
          assignment: [{ topic: 't', partition: 1 }],
        },
      ],
      partitions: [{ topic: 't', partition: 1, committedOffset: 5n, highWatermark: 9n, lag: 4n }],
      lag: 4n,
    });
    expect(toGroupDetails(wire)).toEqual({
      group: 'g',
      state: 'stable',
      generation: 3,
      members: [
        {
          memberId: 'c-7',
          clientId: 'c',
          clientHost: '10.0.0.1',
          instanceId: 'pod-0',
          assignment: [{ topic: 't', partition: 1 }],
        },
      ],
      partitions: [{ topic: 't', partition: 1, committed: 5, end: 9, lag: 4 }],
      lag: 4,
    });
  });

  it('maps every reset target', () => {
    const base = { group: 'g', topic: 't' };
    expect(toWireReset({ ...base, to: 'earliest' }).spec).toBe(OffsetResetSpec.EARLIEST);
    expect(toWireReset({ ...base, to: 'latest', dryRun: true })).toMatchObject({
      spec: OffsetResetSpec.LATEST,
      dryRun: true,
    });
    expect(toWireReset({ ...base, to: { offset: 12 }, partitions: [0, 2] })).toMatchObject({
      spec: OffsetResetSpec.OFFSET,
      offset: 12n,
      partitions: [0, 2],
    });
    expect(toWireReset({ ...base, to: { timestampMs: 1_700_000_000_000 } })).toMatchObject({
      spec: OffsetResetSpec.TIMESTAMP,
      timestampMs: 1_700_000_000_000n,
    });
  });
});
