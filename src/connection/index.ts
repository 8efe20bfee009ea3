export { createClientConnection, ClientConnection } from './client.js';
export { createServerConnection, ServerConnection } from './server.js';
export { createServerTicketing } from './ticketing.js';
export type { ServerTicketingOptions } from './ticketing.js';
export type { ClientConfig, ServerConfig, CommonConfig } from './config.js';
export type { Connection, ConnectionEvent, NegotiatedParameters, KeyLogger, EventListener, Side } from './types.js';
