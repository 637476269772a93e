import type { Server } from '@grpc/grpc-js';
import type { NodeApi } from '../../../cluster/node/node-api.js';
import type { Logger } from '../../obs/index.js';
import { registerAdminService } from './admin-service.js';
import { registerBrokerService } from './broker-service.js';
import { resolveServiceLimits, type ServiceLimits } from './limits.js';
import { StreamSlots } from './stream-slots.js';

export { defaultServiceLimits, resolveServiceLimits, type ServiceLimits } from './limits.js';
export { brokerService } from './broker-service.js';
export { adminService } from './admin-service.js';
export { writeTxnMarkersHandler } from './txn-handlers.js';

/** Registers BrokerService and AdminService for one node; throws INVALID_ARGUMENT on a bad limit. */
export function registerClientServices(
  server: Server,
  api: NodeApi,
  options: { logger: Logger; limits?: Partial<ServiceLimits> },
): void {
  const limits = resolveServiceLimits(options.limits);
  const deps = { api, logger: options.logger, limits, streams: new StreamSlots(limits) };
  // The client only learns "internal error"; the cause and the method stay in the node's log.
  const onInternalError = (error: unknown, path: string): void =>
    options.logger.error({ err: error, path }, 'a client call failed with an unexpected error');
  registerBrokerService(server, deps, onInternalError);
  registerAdminService(server, deps, onInternalError);
}
