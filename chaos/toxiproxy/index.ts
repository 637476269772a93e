export { startToxiproxyServer, type ToxiproxyServer, type ToxiproxyServerOptions } from './server.js';
export { toxiproxyVersion } from './http-api.js';
