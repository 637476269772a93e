export { wireClock } from './wire-clock.js';
export {
  createServer,
  listen,
  shutdown,
  messageBytesMaxDefault,
  responseBytesPerConnectionMaxDefault,
  responseBytesPerNodeMaxDefault,
  type ServerOptions,
} from './server.js';
export {
  ResponseBudgets,
  unlimitedCallBudget,
  type CallBudget,
  type ResponseBudgetOptions,
  type ResponseHold,
  type StallPolicy,
} from './response-budget.js';
export { connectionKey } from './response-budget-interceptor.js';
export { NodeResponseBudget } from './node-response-budget.js';
export { implementService, type ImplementOptions } from './server-adapter.js';
export { createClient, type ClientOptions } from './client-adapter.js';
export { receiveWindowsDefault, widenReceiveWindows, type ReceiveWindows } from './receive-windows.js';
export { headersInterceptor, type CallHeaders } from './headers-interceptor.js';
export { createServiceDefinition, methodPath } from './service-definition.js';
export type { CallAuthContext, CallContext } from './call-context.js';
export type {
  AnyService,
  BidiCall,
  CallOptions,
  Handler,
  ServiceClient,
  ServiceImpl,
} from './service-types.js';
export {
  errorCodeHeader,
  leaderHintHeader,
  retriableHeader,
  fromServiceError,
  toServiceError,
  toStatus,
} from './status-mapping.js';
export { HealthStatusBoard, ServingStatus } from './health.js';
export { setHostAliases, parseHostAliases, dialTarget, authorityOptions } from './host-aliases.js';
export {
  clientAuthModes,
  defaultChannelCredentials,
  setDefaultChannelCredentials,
  tlsChannelCredentials,
  tlsServerCredentials,
  type ClientAuth,
  type TlsPem,
} from './tls-credentials.js';
export {
  noteRequestGroup,
  requestIdHeader,
  requestLogFields,
  runInRequestScope,
  type RequestScope,
} from './request-scope.js';
