import type { NodeId } from '../../lib/index.js';
import { announcedVersion } from '../controller/index.js';
import type { MultiRaftHost } from '../host/index.js';
import { controllerGroup, type ControllerReplica } from './controller-replica.js';
import type { ClusterStatusView, MetadataView, TopicView } from './node-api.js';
import type { PartitionRouter } from './partition-router.js';

export interface NodeStatusDeps {
  readonly nodeId: NodeId;
  readonly clusterId: string;
  readonly controller: ControllerReplica;
  readonly host: MultiRaftHost;
  readonly router: PartitionRouter;
  /** What each connected peer announced in its last Hello answer (0: nothing). */
  readonly peerVersions: () => ReadonlyMap<NodeId, number>;
}

/** Read-only views of the cluster as this node sees it: metadata, topics, cluster status. */
export class NodeStatus {
  constructor(private readonly deps: NodeStatusDeps) {}

  metadata(topics: readonly string[]): MetadataView {
    const { controller, host, router } = this.deps;
    const state = controller.state;
    const names = topics.length > 0 ? topics : [...state.topics.keys()].sort();
    return {
      clusterId: this.deps.clusterId,
      brokers: router.brokers(),
      controllerId: host.group(controllerGroup)?.leader ?? 0,
      topics: names.map((name) =>
        state.topics.has(name) ? router.topicView(name) : { name, missing: true as const },
      ),
    };
  }

  listTopics(): readonly TopicView[] {
    return [...this.deps.controller.state.topics.keys()].sort().map((n) => this.deps.router.topicView(n));
  }

  describeTopic(name: string): TopicView {
    return this.deps.router.topicView(name);
  }

  clusterStatus(options: { omitPartitions: boolean }): ClusterStatusView {
    const { controller, host, router } = this.deps;
    const state = controller.state;
    const status = host.group(controllerGroup)?.status();
    const partitions = options.omitPartitions
      ? []
      : [...state.topics.keys()].sort().flatMap((n) => router.topicView(n).partitionViews);
    // Counted from the assignments and each group's leader, not from the views: a status that omits
    // partitions (a quick check of a large cluster) still says who leads how many.
    const replicas = new Map<number, number>();
    const leaders = new Map<number, number>();
    for (const t of state.topics.values()) {
      for (const p of t.partitions) {
        for (const r of p.replicas) replicas.set(r, (replicas.get(r) ?? 0) + 1);
        const leader = router.leaderSeen(p);
        if (leader !== 0) leaders.set(leader, (leaders.get(leader) ?? 0) + 1);
      }
    }
    const changedAt = (id: NodeId): number => state.nodes.get(id)?.statusChangedAtMs ?? 0;
    const versionOf = this.versionsHeard();
    return {
      clusterId: this.deps.clusterId,
      controller: {
        leaderId: status?.leader ?? 0,
        term: status?.term ?? 0,
        commitIndex: status?.commit ?? 0,
        voters: status?.confState.voters ?? [],
        learners: status?.confState.learners ?? [],
      },
      nodes: router.brokers().map((b) => ({
        ...b,
        replicas: replicas.get(b.nodeId) ?? 0,
        leaders: leaders.get(b.nodeId) ?? 0,
        statusChangedAtMs: changedAt(b.nodeId),
        membership: state.nodes.get(b.nodeId)?.membership ?? 'active',
        logicalVersion: versionOf(b.nodeId),
      })),
      partitions,
      activeVersion: state.activeVersion,
    };
  }

  private versionsHeard(): (id: NodeId) => number {
    const { controller, peerVersions, nodeId } = this.deps;
    const heard = peerVersions();
    return (id) => {
      if (id === nodeId) return controller.logicalVersion;
      const wire = heard.get(id);
      return wire === undefined ? 0 : announcedVersion(wire);
    };
  }
}
