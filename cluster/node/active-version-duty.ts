import type { Logger } from 'pino';
import type { NodeId } from '../../lib/index.js';
import { announcedVersion, raisableVersion, type ControllerCommand } from '../controller/index.js';
import type { RaftGroup } from '../host/index.js';
import type { ControllerReplica } from './controller-replica.js';
import { leaderCaughtUp } from './leader-caught-up.js';

export interface ActiveVersionDeps {
  readonly nodeId: NodeId;
  readonly controller: ControllerReplica;
  readonly controllerGroup: () => RaftGroup | undefined;
  /** What each connected peer announced in its last Hello answer (0: nothing). */
  readonly peerVersions: () => ReadonlyMap<NodeId, number>;
  readonly proposeController: (command: ControllerCommand) => Promise<unknown>;
  readonly logger: Logger;
}

/**
 * As controller leader, raises the cluster's active version once every member node announced at
 * least the new one: the last node of a rolling upgrade to come up on the new build activates it.
 * Announcements are not replicated; a new leader hears them again from its own connections.
 */
export class ActiveVersionDuty {
  constructor(private readonly deps: ActiveVersionDeps) {}

  async run(): Promise<void> {
    const { controller, nodeId } = this.deps;
    const group = this.deps.controllerGroup();
    // A leader whose state lags its log might miss a member registered by its predecessor.
    if (group === undefined || !leaderCaughtUp(group, controller.state)) return;
    const announced = new Map<NodeId, number>();
    for (const [id, wire] of this.deps.peerVersions()) announced.set(id, announcedVersion(wire));
    announced.set(nodeId, controller.logicalVersion);
    const conf = group.status().confState;
    const members = [...conf.voters, ...conf.votersOutgoing, ...conf.learners, ...conf.learnersNext];
    const version = raisableVersion(controller.state, announced, members);
    if (version === undefined) return;
    this.deps.logger.info(
      { from: controller.state.activeVersion, to: version },
      'every node announced a higher version: raising the active version',
    );
    await this.deps.proposeController({ type: 'raise-active-version', version });
  }
}
