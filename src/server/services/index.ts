import type { Server } from '@grpc/grpc-js';
import type { NodeApi } from '../../../cluster/node/node-api.js';
import type { RequestScope } from '../../../rpc/index.js';
import type { DataPathMeter, Logger } from '../../obs/index.js';
import { implementService } from '../../../rpc/index.js';
import { AdminService } from '../../../proto/gen/raftlog/v1/admin_pb.js';
import { BrokerService } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { SecurityService } from '../../../proto/gen/raftlog/v1/security_pb.js';
import { adminAccess, brokerAccess, securityAccess } from '../auth/access-policy.js';
import { AuthGuard } from '../auth/auth-guard.js';
import { secureService } from '../auth/secure-service.js';
import { adminService } from './admin-service.js';
import { brokerService } from './broker-service.js';
import { securityService } from './security-service.js';
import { resolveServiceLimits, type ServiceLimits } from './limits.js';
import type { ServiceDeps } from './service-deps.js';
import { StreamSlots } from './stream-slots.js';

export { defaultServiceLimits, resolveServiceLimits, type ServiceLimits } from './limits.js';
export { brokerService } from './broker-service.js';
export { adminService } from './admin-service.js';
export { writeTxnMarkersHandler } from './txn-handlers.js';
export { groupLags } from './group-admin.js';
export { securityService } from './security-service.js';
export type { ServiceDeps } from './service-deps.js';

export interface ClientServiceOptions {
  readonly logger: Logger;
  readonly limits?: Partial<ServiceLimits>;
  readonly meter?: DataPathMeter;
  readonly metricsUrl?: string;
  readonly auth?: AuthGuard;
  /** Each call in its request scope (ImplementOptions.requestScopes); off when absent. */
  readonly requestScopes?: boolean;
}

/**
 * Registers BrokerService, AdminService and SecurityService for one node and returns what their
 * handlers share; throws INVALID_ARGUMENT on a bad limit. With auth required every Broker and Admin
 * handler runs inside the guard (secure-service.ts); with auth off they are registered as they are.
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
  const guard =
    options.auth ??
    new AuthGuard(api.security, { mode: 'none', superusers: [], tokenTtlMs: 0 }, api.nodeId, Date.now);
  const broker = brokerService(deps);
  const admin = adminService(deps);
  const hooks = { onInternalError, onCallEnd, requestScopes: options.requestScopes ?? false };
  implementService(
    server,
    BrokerService,
    guard.required ? secureService(BrokerService, broker, guard, brokerAccess) : broker,
    hooks,
  );
  implementService(
    server,
    AdminService,
    guard.required ? secureService(AdminService, admin, guard, adminAccess) : admin,
    hooks,
  );
  const security = securityService(api.security, guard);
  implementService(
    server,
    SecurityService,
    secureService(SecurityService, security, guard, securityAccess),
    hooks,
  );
  return deps;
}
