import type { NodeApi } from '../../../cluster/node/node-api.js';
import type { Logger } from '../../obs/index.js';
import type { ServiceLimits } from './limits.js';

/** What every handler of this folder works with. */
export interface ServiceDeps {
  readonly api: NodeApi;
  readonly limits: ServiceLimits;
  readonly logger: Logger;
}
