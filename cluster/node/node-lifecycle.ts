import type { GroupId, NodeId, Timer } from '../../lib/index.js';
import { keepaliveGroupId, type MultiRaftHost } from '../host/index.js';
import type { NodeTransport } from '../transport/index.js';
import type { ControllerClient } from './controller-client.js';
import { controllerGroup, type ControllerReplica } from './controller-replica.js';
import type { LeadershipMoves } from './leadership-moves.js';
import type { NodeClock } from './node-clock.js';
import type { NodeDuties } from './node-duties.js';
import type { PartitionRouter } from './partition-router.js';
import type { PeerCalls } from './peer-clients.js';
import { confOf, type Reconciler } from './reconciler.js';
import type { TxnCoordinator } from './txn-coordinator.js';
import type { VoteGate } from './vote-gate.js';

export interface NodeLifecycleDeps {
  readonly nodeId: NodeId;
  /** The configured seeds: a new cluster's controller starts with them as voters. */
  readonly peers: ReadonlyMap<NodeId, string>;
  readonly joinExisting: boolean;
  readonly host: MultiRaftHost;
  readonly transport: NodeTransport;
  readonly peerClients: PeerCalls;
  readonly controller: ControllerReplica;
  readonly controllerClient: ControllerClient;
  readonly router: PartitionRouter;
  readonly reconciler: Reconciler;
  readonly duties: NodeDuties;
  readonly txnCoordinator: TxnCoordinator;
  readonly leadership: LeadershipMoves;
  readonly voteGate: VoteGate;
  readonly clock: NodeClock;
}

const dutiesIntervalMs = 500;

/** Starting a node (controller group first, then the duties) and stopping it in the reverse order. */
export class NodeLifecycle {
  private dutiesTimer: Timer | undefined;
  private stopping = false;

  constructor(private readonly deps: NodeLifecycleDeps) {}

  async start(): Promise<void> {
    const { deps } = this;
    const voters = [...deps.peers.keys()].sort((a, b) => a - b);
    const forming = !deps.joinExisting && voters.includes(deps.nodeId);
    // A joining node's controller replica starts empty: the leader adds it as a learner and sends it
    // a snapshot, so it never holds a configuration of its own making.
    const bootstrap = forming ? { confState: confOf(voters) } : undefined;
    const group = await deps.host.addGroup(controllerGroup, deps.controller, bootstrap);
    deps.reconciler.startFrom(group.storage.initialState().hardState.commit);
    deps.transport.setGroupFilter((id) => id === keepaliveGroupId || deps.host.group(id) !== undefined);
    deps.host.start();
    if (
      forming &&
      group.status().term === 0 &&
      voters[0] === deps.nodeId &&
      deps.voteGate.mayCampaign(controllerGroup)
    )
      deps.host.campaign(controllerGroup);
    this.dutiesTimer = deps.clock.after(dutiesIntervalMs, () => this.dutiesRound());
    deps.txnCoordinator.start();
    deps.controller.announce();
  }

  async stop(): Promise<void> {
    const { deps } = this;
    this.stopping = true;
    this.dutiesTimer?.cancel();
    const reconciled = deps.reconciler.stop();
    await deps.duties.stop();
    await deps.txnCoordinator.stop();
    await reconciled;
    await deps.leadership.handOff();
    deps.controllerClient.stop();
    for (const p of deps.router.local.values()) p.replica.close();
    await deps.host.stop();
    await deps.transport.close();
    deps.peerClients.close();
  }

  /** A round starts only when the previous one ended, so slow duties never pile up. */
  private dutiesRound(): void {
    if (this.stopping) return;
    const { deps } = this;
    deps.voteGate.recheck([controllerGroup, ...(deps.router.local.keys() as Iterable<GroupId>)]);
    void deps.duties.run().finally(() => {
      if (!this.stopping) this.dutiesTimer = deps.clock.after(dutiesIntervalMs, () => this.dutiesRound());
    });
  }
}
