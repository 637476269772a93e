import { controllerGroupIdValue, type ControllerState } from './controller-types.js';
import type { GroupId, NodeId, PartitionId } from '../../lib/index.js';
import type { TopicConfig } from './topic-config.js';

export interface PartitionGroupSpec {
  readonly groupId: GroupId;
  readonly topic: string;
  readonly partition: PartitionId;
  /** The voters to start the group with. */
  readonly replicas: readonly NodeId[];
  /** Set while the partition is being reassigned: the host joins as a learner when it is only here. */
  readonly targetReplicas: readonly NodeId[] | null;
  /** The group's configuration at index 0, when the controller kept it (see PartitionAssignment). */
  readonly bootstrapReplicas: readonly NodeId[] | undefined;
  readonly config: TopicConfig;
}

export interface ReconcilePlan {
  /** Groups this node should host but does not run yet, by ascending group id. */
  readonly create: readonly PartitionGroupSpec[];
  /** Groups this node runs that no topic assigns to it any more, ascending. */
  readonly remove: readonly GroupId[];
}

/**
 * Which partition groups `localNodeId` should start and stop so that it hosts exactly the groups the
 * controller assigns to it: those whose current or target replica set names it. The controller's own
 * group is never in the plan.
 */
export function reconcile(
  state: ControllerState,
  localNodeId: NodeId,
  runningGroups: Iterable<GroupId>,
): ReconcilePlan {
  const running = new Set<number>(runningGroups);
  const wanted = new Set<number>();
  const create: PartitionGroupSpec[] = [];
  for (const topic of state.topics.values()) {
    for (const p of topic.partitions) {
      const member = p.replicas.includes(localNodeId) || (p.targetReplicas?.includes(localNodeId) ?? false);
      if (!member) continue;
      wanted.add(p.groupId);
      if (!running.has(p.groupId)) {
        create.push({
          groupId: p.groupId,
          topic: topic.name,
          partition: p.partition,
          replicas: p.replicas,
          targetReplicas: p.targetReplicas,
          bootstrapReplicas: p.bootstrapReplicas,
          config: topic.config,
        });
      }
    }
  }
  const remove = [...running]
    .filter((g) => g !== controllerGroupIdValue && !wanted.has(g))
    .sort((a, b) => a - b) as GroupId[];
  create.sort((a, b) => a.groupId - b.groupId);
  return { create, remove };
}
