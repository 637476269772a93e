import { create } from '@bufbuild/protobuf';
import { groupId, nodeId, partitionId, producerId, RaftlogError, type NodeId } from '../../lib/index.js';
import type { ControllerOutput, GroupOutput, TopicCreateResult, TopicInfo } from '../controller/index.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { errorFromDetail } from './txn-proto.js';
import {
  ControllerAssignmentSchema,
  ControllerCommandOutputSchema,
  ControllerDoneSchema,
  ControllerGroupJoinedSchema,
  ControllerGroupOutputSchema,
  ControllerGroupSyncedSchema,
  ControllerProducerEpochSchema,
  ControllerProducerIdsSchema,
  ControllerTopicDeletedSchema,
  ControllerTopicsCreatedSchema,
  type ControllerTopicsCreated,
  type ControllerCommandOutput,
  type ControllerGroupOutput,
  type ControllerReplicaSet,
} from '../../proto/gen/raftlog/v1/peer_pb.js';

/** A controller command's output as the forwarding call carries it (peer.proto, the contract). */
export function controllerOutputToWire(output: ControllerOutput): ControllerCommandOutput {
  return create(ControllerCommandOutputSchema, { kind: wireKind(output) });
}

function wireKind(output: ControllerOutput): ControllerCommandOutput['kind'] {
  switch (output.type) {
    case 'done':
      return { case: 'done', value: create(ControllerDoneSchema) };
    case 'topic':
      return { case: 'topic', value: output.topic.name };
    case 'topic-deleted':
      return {
        case: 'topicDeleted',
        value: create(ControllerTopicDeletedSchema, { groupIds: [...output.groupIds] }),
      };
    case 'assignment': {
      const a = output.assignment;
      const value = create(ControllerAssignmentSchema, {
        topic: output.topic,
        partition: a.partition,
        groupId: a.groupId,
        replicas: [...a.replicas],
        ...(a.targetReplicas === null ? {} : { targetReplicas: { nodeIds: [...a.targetReplicas] } }),
      });
      return { case: 'assignment', value };
    }
    case 'producer-ids':
      return {
        case: 'producerIds',
        value: create(ControllerProducerIdsSchema, {
          firstProducerId: BigInt(output.firstProducerId),
          count: output.count,
        }),
      };
    case 'producer-epoch':
      return {
        case: 'producerEpoch',
        value: create(ControllerProducerEpochSchema, {
          producerId: BigInt(output.producerId),
          epoch: output.epoch,
        }),
      };
    case 'expired':
      return { case: 'expired', value: output.count };
    case 'group':
      return {
        case: 'group',
        value: create(ControllerGroupOutputSchema, { op: wireGroupOp(output.output) }),
      };
    case 'removed':
      return { case: 'removed', value: output.count };
    case 'topics-created':
      return { case: 'topicsCreated', value: topicsCreatedToWire(output.results) };
  }
}

function topicsCreatedToWire(results: readonly TopicCreateResult[]): ControllerTopicsCreated {
  return create(ControllerTopicsCreatedSchema, {
    results: results.map((r) => ({
      name: r.name,
      ...(r.ok ? {} : { error: { code: ErrorCode[r.code], message: r.message } }),
    })),
  });
}

function topicsCreatedFromWire(
  wire: ControllerTopicsCreated,
  topicOf: (name: string) => TopicInfo | undefined,
): TopicCreateResult[] {
  return wire.results.map((r): TopicCreateResult => {
    if (r.error !== undefined && r.error.code !== ErrorCode.UNSPECIFIED) {
      const error = errorFromDetail(r.error);
      return { name: r.name, ok: false, code: error.code, message: error.message };
    }
    const topic = topicOf(r.name);
    if (topic === undefined) {
      // Deleted again between the apply and this read: reported as CreateTopic's read would be.
      return {
        name: r.name,
        ok: false,
        code: 'TOPIC_NOT_FOUND',
        message: `topic '${r.name}' does not exist`,
      };
    }
    return { name: r.name, ok: true, topic };
  });
}

function wireGroupOp(output: GroupOutput): ControllerGroupOutput['op'] {
  switch (output.op) {
    case 'joined':
      return {
        case: 'joined',
        value: create(ControllerGroupJoinedSchema, {
          generationId: output.generationId,
          memberId: output.memberId,
          members: [...output.members],
        }),
      };
    case 'synced':
      return {
        case: 'synced',
        value: create(ControllerGroupSyncedSchema, {
          generationId: output.generationId,
          assignment: output.assignment.map((r) => ({ topic: r.topic, partition: r.partition })),
        }),
      };
    case 'left':
      return { case: 'leftGenerationId', value: output.generationId };
    case 'committed':
      return { case: 'committedCount', value: output.count };
  }
}

/**
 * Reads a forwarded command's output back. A topic travels by name: `topicOf` looks it up in this
 * node's replica, which has applied the command by the time this runs.
 */
export function controllerOutputFromWire(
  wire: ControllerCommandOutput | undefined,
  topicOf: (name: string) => TopicInfo | undefined,
): ControllerOutput {
  const kind = wire?.kind ?? { case: undefined };
  switch (kind.case) {
    case 'done':
      return { type: 'done' };
    case 'topic': {
      const topic = topicOf(kind.value);
      if (topic === undefined)
        throw new RaftlogError('TOPIC_NOT_FOUND', `topic ${JSON.stringify(kind.value)} does not exist`);
      return { type: 'topic', topic };
    }
    case 'topicsCreated':
      return { type: 'topics-created', results: topicsCreatedFromWire(kind.value, topicOf) };
    case 'topicDeleted':
      return { type: 'topic-deleted', groupIds: kind.value.groupIds.map(groupId) };
    case 'assignment': {
      const a = kind.value;
      return {
        type: 'assignment',
        topic: a.topic,
        assignment: {
          partition: partitionId(a.partition),
          groupId: groupId(a.groupId),
          replicas: a.replicas.map(nodeId),
          targetReplicas: nodesOf(a.targetReplicas),
        },
      };
    }
    case 'producerIds':
      return {
        type: 'producer-ids',
        firstProducerId: producerId(Number(kind.value.firstProducerId)),
        count: kind.value.count,
      };
    case 'producerEpoch':
      return {
        type: 'producer-epoch',
        producerId: producerId(Number(kind.value.producerId)),
        epoch: kind.value.epoch,
      };
    case 'expired':
      return { type: 'expired', count: kind.value };
    case 'group':
      return { type: 'group', output: groupOpFromWire(kind.value) };
    case 'removed':
      return { type: 'removed', count: kind.value };
    case undefined:
      throw new RaftlogError('INTERNAL', 'the controller leader answered without an output');
  }
}

function groupOpFromWire(wire: ControllerGroupOutput): GroupOutput {
  const op = wire.op;
  switch (op.case) {
    case 'joined':
      return {
        op: 'joined',
        generationId: op.value.generationId,
        memberId: op.value.memberId,
        members: [...op.value.members],
      };
    case 'synced':
      return {
        op: 'synced',
        generationId: op.value.generationId,
        assignment: op.value.assignment.map((r) => ({ topic: r.topic, partition: r.partition })),
      };
    case 'leftGenerationId':
      return { op: 'left', generationId: op.value };
    case 'committedCount':
      return { op: 'committed', count: op.value };
    case undefined:
      throw new RaftlogError('INTERNAL', 'the controller leader answered a group command without its output');
  }
}

function nodesOf(set: ControllerReplicaSet | undefined): readonly NodeId[] | null {
  return set === undefined ? null : set.nodeIds.map(nodeId);
}
