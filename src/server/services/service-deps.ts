import type { NodeApi } from '../../../cluster/node/node-api.js';
import type { Logger } from '../../obs/index.js';
import type { ServiceLimits } from './limits.js';
import type { StreamSlots } from './stream-slots.js';

/** What every handler of this folder works with. */
export interface ServiceDeps {
  readonly api: NodeApi;
  readonly limits: ServiceLimits;
  readonly logger: Logger;
  /** The node's long-lived client streams, counted against the limits. */
  readonly streams: StreamSlots;
}
