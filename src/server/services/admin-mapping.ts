import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ClusterStatusView, PartitionView, TopicView } from '../../../cluster/node/node-api.js';
import type { NodeMembership } from '../../../cluster/controller/index.js';
import {
  NodeMembership as NodeMembershipProto,
  type ClusterStatusResponseSchema,
  type PartitionMoveSchema,
  type PartitionStatusSchema,
  type TopicDescriptionSchema,
} from '../../../proto/gen/raftlog/v1/admin_pb.js';
import type { PartitionMoveView } from '../../../cluster/node/node-api.js';
import { errorDetail, leaderNotAvailable } from './error-detail.js';
import { int64 } from './proto-mapping.js';
import { topicConfigToProto } from './topic-config-mapping.js';

const membershipToProto: Record<NodeMembership, NodeMembershipProto> = {
  active: NodeMembershipProto.ACTIVE,
  draining: NodeMembershipProto.DRAINING,
  removed: NodeMembershipProto.REMOVED,
};

export function partitionMove(m: PartitionMoveView): MessageInitShape<typeof PartitionMoveSchema> {
  return { topic: m.topic, partition: m.partition, replicasFrom: [...m.from], replicasTo: [...m.to] };
}

export function topicDescription(topic: TopicView): MessageInitShape<typeof TopicDescriptionSchema> {
  return {
    name: topic.name,
    partitions: topic.partitions,
    replicationFactor: topic.replicationFactor,
    config: topicConfigToProto(topic.config),
    partitionStatus: topic.partitionViews.map(partitionStatus),
    createdAtMs: int64(topic.createdAtMs),
  };
}

export function partitionStatus(p: PartitionView): MessageInitShape<typeof PartitionStatusSchema> {
  return {
    topic: p.topic,
    partition: p.partition,
    groupId: int64(p.groupId),
    leaderId: p.leaderId,
    term: int64(p.term),
    replicas: [...p.replicas],
    inSync: [...p.inSync],
    learners: [...p.learners],
    targetReplicas: [...p.targetReplicas],
    commitIndex: int64(p.commitIndex),
    highWatermark: int64(p.highWatermark),
    logStartOffset: int64(p.logStartOffset),
    lastStableOffset: int64(p.lastStableOffset),
    ...(p.leaderId === 0 ? { error: errorDetail(leaderNotAvailable(p)) } : {}),
  };
}

/** `self` is the answering node, which fills in its own metrics URL. */
export function clusterStatus(
  view: ClusterStatusView,
  self?: { nodeId: number; metricsUrl: string },
): MessageInitShape<typeof ClusterStatusResponseSchema> {
  const c = view.controller;
  return {
    clusterId: view.clusterId,
    controller: {
      leaderId: c.leaderId,
      term: int64(c.term),
      commitIndex: int64(c.commitIndex),
      voters: [...c.voters],
      learners: [...c.learners],
    },
    nodes: view.nodes.map((n) => ({
      nodeId: n.nodeId,
      address: n.address,
      peerAddress: n.peerAddress,
      alive: n.alive,
      replicas: n.replicas,
      leaders: n.leaders,
      statusChangedAtMs: int64(n.statusChangedAtMs),
      membership: membershipToProto[n.membership],
      metricsUrl: n.nodeId === self?.nodeId ? self.metricsUrl : '',
      logicalVersion: n.logicalVersion,
    })),
    partitions: view.partitions.map(partitionStatus),
    activeVersion: view.activeVersion,
  };
}
