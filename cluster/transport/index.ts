export { PeerTransport } from './peer-transport.js';
export type { GroupMessage, PeerTransportOptions } from './types.js';
export { defaultTransportLimits, refusedReconnectDelayMsMax, type TransportLimits } from './limits.js';
export { toProtoMessage, fromProtoMessage } from './message-codec.js';
export { isConnectionRefused } from './connection-refused.js';
