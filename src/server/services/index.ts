import type { Server } from '@grpc/grpc-js';
import type { NodeApi } from '../../../cluster/node/node-api.js';
import type { RequestScope } from '../../../cluster/rpc/index.js';
import type { DataPathMeter, Logger } from '../../obs/index.js';
import { registerAdminService } from './admin-service.js';
import { registerBrokerService } from './broker-service.js';
import { resolveServiceLimits, type ServiceLimits } from './limits.js';
import type { ServiceDeps } from './service-deps.js';
import { StreamSlots } from './stream-slots.js';

export { defaultServiceLimits, resolveServiceLimits, type ServiceLimits } from './limits.js';
export { brokerService } from './broker-service.js';
export { adminService } from './admin-service.js';
export { writeTxnMarkersHandler } from './txn-handlers.js';
export { groupLags } from './group-admin.js';
export type { ServiceDeps } from './service-deps.js';

export interface ClientServiceOptions {
  readonly logger: Logger;
  readonly limits?: Partial<ServiceLimits>;
  readonly meter?: DataPathMeter;
  readonly metricsUrl?: string;
}

/**
 * Registers BrokerService and AdminService for one node and returns what their handlers share;
 * throws INVALID_ARGUMENT on a bad limit.
 */
export function registerClientServices(
  server: Server,
  api: NodeApi,
  options: ClientServiceOptions,
): ServiceDeps {
  const limits = resolveServiceLimits(options.limits);
  const deps: ServiceDeps = {
    api,
    logger: options.logger,
    limits,
    streams: new StreamSlots(limits),
    ...(options.meter === undefined ? {} : { meter: options.meter }),
    ...(options.metricsUrl === undefined ? {} : { metricsUrl: options.metricsUrl }),
  };
  // The client only learns "internal error"; the cause and the method stay in the node's log.
  const onInternalError = (error: unknown, path: string): void =>
    options.logger.error({ err: error, path }, 'a client call failed with an unexpected error');
  // One line per call at debug level; the logger adds its request id, method, group and term.
  const onCallEnd = (scope: RequestScope, elapsedMs: number): void =>
    options.logger.debug(
      { code: scope.code ?? 'OK', elapsedMs: Math.round(elapsedMs * 1000) / 1000 },
      'call served',
    );
  registerBrokerService(server, deps, { onInternalError, onCallEnd });
  registerAdminService(server, deps, { onInternalError, onCallEnd });
  return deps;
}
