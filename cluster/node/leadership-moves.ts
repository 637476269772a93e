import { RaftlogError, type NodeId } from '../../lib/index.js';
import type { RaftStatus } from '../../raft/index.js';
import type { MultiRaftHost, RaftGroup } from '../host/index.js';
import { waitForLeaderChange } from './leader-change-wait.js';
import type { NodeClock } from './node-clock.js';
import type { TransferInput } from './node-api.js';
import { controllerGroup } from './controller-replica.js';
import { notLeader } from './partition-ops.js';
import type { PartitionRouter } from './partition-router.js';

export interface LeadershipMovesDeps {
  readonly nodeId: NodeId;
  readonly host: MultiRaftHost;
  readonly router: PartitionRouter;
  readonly clock: NodeClock;
  readonly tickMs: number;
  readonly electionTimeoutTicks: number;
}

/** How long a stopping node waits for its leaderships to move. */
const handOffMsMax = 3_000;
/** Election timeouts a requested transfer may take before the call gives up. */
const transferElectionTimeouts = 3;

/** Moving leadership away from this node: one group on request, or every group before a stop. */
export class LeadershipMoves {
  constructor(private readonly deps: LeadershipMovesDeps) {}

  async transfer(input: TransferInput): Promise<{ leaderId: NodeId; term: number }> {
    const { host, router, nodeId } = this.deps;
    const group = input.controller
      ? host.group(controllerGroup)
      : router.leaderOf(input.topic, input.partition).group;
    if (group === undefined) throw new RaftlogError('INTERNAL', 'the controller group is not running');
    if (!group.isLeader()) throw notLeader(`group ${group.id}`, group.leader, router.addressOf(group.leader));
    const target = input.targetNodeId !== 0 ? input.targetNodeId : bestFollower(group.status());
    if (target === undefined)
      throw new RaftlogError('NOT_ENOUGH_REPLICAS', 'no follower to hand leadership to');
    if (target === nodeId) return { leaderId: nodeId, term: group.status().term };
    // Raft hands leadership to voters only; waiting on anything else would only end in TIMEOUT.
    if (!group.confState.voters.includes(target)) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `node ${target} is not a voting replica of group ${group.id} (voters ${group.confState.voters.join(',')})`,
      );
    }
    group.transferLeader(target);
    host.schedule();
    const timeoutMs = this.deps.tickMs * this.deps.electionTimeoutTicks * transferElectionTimeouts;
    const moved = await waitForLeaderChange(
      [group],
      this.deps.clock,
      () => group.leader === target,
      timeoutMs,
    );
    if (!moved) throw new RaftlogError('TIMEOUT', `leadership did not move to node ${target}`);
    return { leaderId: target, term: group.status().term };
  }

  /**
   * Before stopping, asks a caught-up follower of every group this node leads to take over, so a
   * rolling restart never leaves a partition without a leader for an election timeout. The process
   * calls it while it still serves, so writers get NOT_LEADER and move at once instead of finding
   * a closed port while this node still leads.
   */
  async handOff(): Promise<void> {
    const host = this.deps.host;
    const led = (): RaftGroup[] =>
      host.allGroups().filter((g) => g.isLeader() && g.confState.voters.length > 1);
    for (const g of led()) {
      const to = bestFollower(g.status());
      if (to !== undefined) g.transferLeader(to);
    }
    host.schedule();
    await waitForLeaderChange(host.allGroups(), this.deps.clock, () => led().length === 0, handOffMsMax);
  }
}

/** The voter with the longest log that is not this node. */
function bestFollower(status: RaftStatus): NodeId | undefined {
  let best: { id: NodeId; match: number } | undefined;
  for (const [id, p] of status.progress ?? []) {
    if (id === status.id || !status.confState.voters.includes(id)) continue;
    if (best === undefined || p.match > best.match) best = { id, match: p.match };
  }
  return best?.id;
}
