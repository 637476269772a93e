import { clusterLayout } from './peers.js';

/**
 * Where commands look for a cluster unless told: every node `npm start` runs. Naming all three means
 * a command still reaches the cluster while node 1 is down (tried in order, a refused one at once).
 */
export const localBootstrapDefault = clusterLayout(3, '127.0.0.1', 9091)
  .map((n) => n.address)
  .join(',');
