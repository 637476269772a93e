export { PeerTransport } from './peer-transport.js';
export type {
  GroupMessage,
  NodeTransport,
  PeerTransportOptions,
  TransportFactory,
  TransportStats,
  TransportWiring,
} from './types.js';
export {
  defaultTransportLimits,
  frameBytesMaxFor,
  refusedReconnectDelayMsMax,
  resolveLimits,
  type TransportLimits,
} from './limits.js';
export {
  entryOverheadBytes,
  frameOverheadBytes,
  messageOverheadBytes,
  snapshotChunkOverheadBytes,
} from './message-size.js';
export { toProtoMessage, fromProtoMessage } from './message-codec.js';
export { isConnectionRefused } from './connection-refused.js';
export { nodeCertificateUri, nodeIdOfCertificate, nodeUriPrefix } from './node-certificate.js';
