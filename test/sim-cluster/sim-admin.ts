import type { NodeId, Prng } from '../../lib/index.js';
import type { NodeApi } from '../../cluster/node/index.js';
import type { ClientCalls } from './client-calls.js';
import type { ProcessClock } from './process-clock.js';
import type { ReplicaChecker } from './replica-checker.js';
import type { SimClient } from './sim-client.js';
import type { SimClusterStats } from './sim-cluster-stats.js';
import type { Trace } from './trace.js';

/** Chance per step that an idle operator starts an operation: about one every 2 simulated seconds. */
const operationChance = 0.003;
const replicationFactor = 3;

/**
 * The operator: one admin operation at a time, picked at random, through whatever node it reaches —
 * leadership transfers (partitions and the controller), replica moves (a replica removed and later
 * added back on three nodes; a move to another replica set on more) and topic deletion. An operation
 * may be refused or time out; the cluster must stay correct either way, and the run's checks hold it
 * to that. A node is added back to a partition only once the checker saw it hold no replica, so a
 * replica that starts over empty is never mistaken for one whose high watermark went back.
 */
export class SimAdmin {
  private busy = false;

  constructor(
    private readonly prng: Prng,
    private readonly clock: ProcessClock,
    private readonly calls: ClientCalls,
    private readonly client: SimClient,
    private readonly checker: ReplicaChecker,
    private readonly nodeIds: readonly NodeId[],
    private readonly stats: SimClusterStats,
    private readonly trace: Trace,
    /**
     * A node started on an empty disk is catching up: a careful operator shrinks no replica set
     * meanwhile, since two voters of which one may not vote yet elect no one (a group of two
     * survives no fault).
     */
    private readonly nodeRejoining: () => boolean,
  ) {}

  /** No operation is in flight. */
  get idle(): boolean {
    return !this.busy;
  }

  step(): void {
    if (this.busy || !this.prng.chance(operationChance)) return;
    const topics = [...this.client.knownTopics];
    if (topics.length === 0) return;
    const [topic, partitions] = this.prng.pick(topics);
    const partition = this.prng.intBetween(0, partitions - 1);
    const roll = this.prng.nextFloat();
    if (roll < 0.1) this.transferController();
    else if (roll < 0.45) this.transfer(topic, partition);
    else if (roll < 0.9) this.moveReplicas(topic, partition);
    else if (topics.length > 1) this.deleteTopic(topic);
  }

  /** Sent to the controller leader as some node sees it, as a client follows a NOT_LEADER hint. */
  private transferController(): void {
    const up = this.calls.cluster.upNodes();
    const seenLeader = up.length === 0 ? 0 : this.prng.pick(up).api.metadata([]).controllerId;
    const targetNodeId = this.target();
    this.stats.leadershipTransfers++;
    this.run(
      `transfer controller to ${targetNodeId}`,
      (api) => api.transferLeadership({ topic: '', partition: 0, controller: true, targetNodeId }),
      seenLeader === 0 ? undefined : seenLeader,
    );
  }

  /** A random node, or 0 (any caught-up replica), a third of the time. */
  private target(): NodeId | 0 {
    return this.prng.chance(0.33) ? 0 : this.prng.pick(this.nodeIds);
  }

  private transfer(topic: string, partition: number): void {
    const targetNodeId = this.target();
    const leader = this.calls.partitionSeen(topic, partition)?.leaderId ?? 0;
    this.stats.leadershipTransfers++;
    this.run(
      `transfer ${topic}/${partition} to ${targetNodeId}`,
      (api) => api.transferLeadership({ topic, partition, controller: false, targetNodeId }),
      leader === 0 ? undefined : (leader as NodeId),
    );
  }

  private moveReplicas(topic: string, partition: number): void {
    const seen = this.calls.partitionSeen(topic, partition);
    if (seen === undefined) return;
    const name = `${topic}/${partition}`;
    const current = seen.replicas;
    if (this.nodeRejoining() && current.length >= replicationFactor) return;
    const free = this.nodeIds.filter((id) => !current.includes(id) && this.emptyOn(id, name));
    if (current.length >= replicationFactor && this.nodeIds.length > replicationFactor) {
      // More nodes than replicas: move to another set, swapping in only nodes seen empty.
      const keep = this.prng.shuffle([...current]).slice(0, this.prng.intBetween(1, replicationFactor - 1));
      const add = this.prng.shuffle(free).slice(0, replicationFactor - keep.length);
      if (keep.length + add.length !== replicationFactor) return;
      const to = [...keep, ...add];
      this.stats.replicaMoves++;
      this.run(`move ${name} [${current.join(',')}] -> [${to.join(',')}]`, (api) =>
        api.reassignPartition(topic, partition, to),
      );
    } else if (current.length >= replicationFactor) {
      const node = this.prng.pick(current);
      this.stats.replicaMoves++;
      this.run(`remove replica ${name} on ${node}`, (api) => api.removeReplica(topic, partition, node));
    } else if (free.length > 0) {
      const node = this.prng.pick(free);
      this.stats.replicaMoves++;
      this.run(`add replica ${name} on ${node}`, (api) => api.addReplica(topic, partition, node));
    }
  }

  /** The checker's last look at this node (its current incarnation) found no replica of the partition. */
  private emptyOn(node: NodeId, partition: string): boolean {
    const api = this.calls.cluster.node(node);
    return api !== undefined && this.checker.seenEmpty(node, this.calls.cluster.incarnation(node), partition);
  }

  /** Deletes the topic (retried until the controller says it is gone); its producers stop. */
  private deleteTopic(topic: string): void {
    this.stats.topicsDeleted++;
    const attempt = (): void => {
      this.busy = true;
      void this.calls
        .call((api) => api.deleteTopic(topic))
        .then((outcome) => {
          const gone = outcome.ok || outcome.error?.code === 'TOPIC_NOT_FOUND';
          this.trace.add(`delete ${topic} ${gone ? 'ok' : (outcome.error?.code ?? 'no answer')}`);
          if (!gone) return void this.clock.after(this.prng.intBetween(50, 200), attempt);
          this.client.forgetTopic(topic);
          this.busy = false;
        });
    };
    attempt();
  }

  private run<T>(what: string, op: (api: NodeApi) => Promise<T>, target?: NodeId): void {
    this.busy = true;
    void this.calls.call(op, target).then((outcome) => {
      if (!outcome.ok) this.stats.adminRefusals++;
      this.trace.add(`${what} ${outcome.ok ? 'ok' : (outcome.error?.code ?? 'no answer')}`);
      this.busy = false;
    });
  }
}
