import type { NodeApi } from '../../../cluster/node/node-api.js';
import type { DataPathMeter, Logger } from '../../obs/index.js';
import type { ServiceLimits } from './limits.js';
import type { StreamSlots } from './stream-slots.js';

/** What every handler of this folder works with. */
export interface ServiceDeps {
  readonly api: NodeApi;
  readonly limits: ServiceLimits;
  readonly logger: Logger;
  /** The node's long-lived client streams, counted against the limits. */
  readonly streams: StreamSlots;
  /** Counts produce and fetch per client API (src/obs); none in tests that do not look. */
  readonly meter?: DataPathMeter;
  /** This node's metrics URL, reported for itself in ClusterStatus (nodes[].metrics_url). */
  readonly metricsUrl?: string;
}
