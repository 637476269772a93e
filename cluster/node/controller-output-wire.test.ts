import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { groupId, nodeId, partitionId, producerId } from '../../lib/index.js';
import type { ControllerOutput } from '../controller/index.js';
import { applyAll, registerNodes } from '../controller/test-helpers.js';
import { ControllerCommandOutputSchema } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { controllerOutputFromWire, controllerOutputToWire } from './controller-output-wire.js';

const { state } = applyAll([
  ...registerNodes(3),
  { type: 'create-topic', name: 'orders', partitions: 2, replicationFactor: 3, config: {} },
]);
const orders = state.topics.get('orders');

/** Through the bytes the peer call carries, and back. */
function roundTrip(output: ControllerOutput): ControllerOutput {
  const bytes = toBinary(ControllerCommandOutputSchema, controllerOutputToWire(output));
  const wire = fromBinary(ControllerCommandOutputSchema, bytes);
  return controllerOutputFromWire(wire, (name) => state.topics.get(name));
}

describe('the forwarded controller output on the wire', () => {
  const outputs: [string, ControllerOutput][] = [
    ['done', { type: 'done' }],
    ['topic-deleted', { type: 'topic-deleted', groupIds: [groupId(4), groupId(5)] }],
    [
      'assignment with a target',
      {
        type: 'assignment',
        topic: 'orders',
        assignment: {
          partition: partitionId(1),
          groupId: groupId(2),
          replicas: [nodeId(1), nodeId(2)],
          targetReplicas: [nodeId(2), nodeId(3)],
        },
      },
    ],
    [
      'assignment without a target',
      {
        type: 'assignment',
        topic: 'orders',
        assignment: {
          partition: partitionId(0),
          groupId: groupId(1),
          replicas: [nodeId(1)],
          targetReplicas: null,
        },
      },
    ],
    ['producer-ids', { type: 'producer-ids', firstProducerId: producerId(2 ** 40), count: 7 }],
    ['producer-epoch', { type: 'producer-epoch', producerId: producerId(12), epoch: 32_767 }],
    ['expired', { type: 'expired', count: 3 }],
    ['removed', { type: 'removed', count: 0 }],
    [
      'group joined',
      { type: 'group', output: { op: 'joined', generationId: 4, memberId: 'c-9', members: ['c-9', 'c-3'] } },
    ],
    [
      'group synced',
      {
        type: 'group',
        output: { op: 'synced', generationId: 4, assignment: [{ topic: 'orders', partition: 1 }] },
      },
    ],
    ['group left', { type: 'group', output: { op: 'left', generationId: 5 } }],
    ['group committed', { type: 'group', output: { op: 'committed', count: 2 } }],
  ];

  it.each(outputs)('carries %s unchanged', (_, output) => {
    expect(roundTrip(output)).toEqual(output);
  });

  it('carries a topic by name and reads it from the local replica', () => {
    expect(orders).toBeDefined();
    if (orders === undefined) return;
    expect(roundTrip({ type: 'topic', topic: orders })).toEqual({ type: 'topic', topic: orders });
  });

  it('carries a batch create: created topics by name, failures with their code', () => {
    if (orders === undefined) throw new Error('orders was not created');
    const output: ControllerOutput = {
      type: 'topics-created',
      results: [
        { name: 'orders', ok: true, topic: orders },
        { name: 'bad/name', ok: false, code: 'INVALID_TOPIC_NAME', message: 'bad name' },
      ],
    };
    expect(roundTrip(output)).toEqual(output);
  });

  it('refuses an answer without an output', () => {
    expect(() => controllerOutputFromWire(undefined, () => undefined)).toThrow(/without an output/);
  });
});
