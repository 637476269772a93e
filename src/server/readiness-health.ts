import type { ClusterNode } from '../../cluster/node/index.js';
import { ServingStatus, type HealthStatusBoard } from '../../rpc/index.js';

/**
 * grpc.health.v1 service that is SERVING only while this node hears from a majority of its
 * controller group's voters. `raftlog health --ready` requires it: a node cut off from the quorum
 * can answer nothing that needs the controller, so it must leave the client Service. The overall
 * service ('') stays process-local, for liveness.
 */
export const controllerQuorumHealthService = 'raftlog.v1.ControllerQuorum';

export function watchControllerQuorum(
  health: HealthStatusBoard,
  node: Pick<ClusterNode, 'reachesControllerQuorum'>,
): void {
  health.setProvider(controllerQuorumHealthService, () =>
    node.reachesControllerQuorum() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING,
  );
}
