import type { NodeId } from '../../lib/index.js';
import type { ControllerState } from '../controller/index.js';

/**
 * The address this node dials for every other node. `--peers` is a seed list: it starts the map, and
 * every node registered with the controller is added as the node applies it, so a node started with
 * three seeds reaches a fifth node that joined later. A seed's configured address wins over the
 * registered one (it is what the operator wrote; in Kubernetes both are the pod's DNS name).
 */
export class PeerDirectory {
  private readonly byId: Map<NodeId, string>;

  constructor(
    seeds: ReadonlyMap<NodeId, string>,
    /** Called once for each node learned after start. */
    private readonly onLearned: (id: NodeId, address: string) => void,
  ) {
    this.byId = new Map(seeds);
  }

  /** Live view: the transport and the peer clients read addresses through it as they dial. */
  get addresses(): ReadonlyMap<NodeId, string> {
    return this.byId;
  }

  learn(id: NodeId, address: string): void {
    if (this.byId.has(id) || address.length === 0) return;
    this.byId.set(id, address);
    this.onLearned(id, address);
  }

  learnFrom(state: ControllerState): void {
    for (const node of state.nodes.values()) {
      if (node.membership !== 'removed') this.learn(node.id, node.peerAddress);
    }
  }
}
