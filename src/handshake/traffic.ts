// After the handshake (RFC 8446 §4.6): the traffic states of both roles, and what they use.

export { ClientTraffic } from './client/traffic.js';
export { ServerTraffic } from './server/traffic.js';
export type { TrafficHooks } from './context.js';
