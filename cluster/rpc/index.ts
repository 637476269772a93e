export { createServer, listen, type ServerOptions } from './server.js';
export { implementService } from './server-adapter.js';
export { createClient, type ClientOptions } from './client-adapter.js';
export { createServiceDefinition, methodPath } from './service-definition.js';
export type { CallContext } from './call-context.js';
export type { BidiCall, CallOptions, Handler, ServiceClient, ServiceImpl } from './service-types.js';
export {
  errorCodeHeader,
  leaderHintHeader,
  retriableHeader,
  fromServiceError,
  toStatus,
} from './status-mapping.js';
