// Session resumption and 0-RTT anti-replay (RFC 8446 §2.2, §4.6.1, §8).
export type {
  ServerSessionState,
  TicketIssuer,
  ClientSession,
  SessionCache,
  ReplayVerdict,
  AntiReplayStore,
  ExternalPsk,
} from './types.js';
export {
  encodeServerSessionState,
  decodeServerSessionState,
  lifetimeExpired,
  MAX_TICKET_LIFETIME_SECONDS,
} from './state.js';
export {
  SelfEncryptedTickets,
  selfEncryptedTicketsFor,
  StatefulTicketStore,
  MAX_TICKET_LENGTH,
  DEFAULT_ROTATION_INTERVAL_MS,
} from './tickets.js';
export type { SelfEncryptedTicketsOptions, StatefulTicketStoreOptions } from './tickets.js';
export type { ServerAuthentication } from './types.js';
export { sessionCacheKey, MemorySessionCache } from './cache.js';
export type { MemorySessionCacheOptions } from './cache.js';
export { encodeSessionFile, decodeSessionFile, SESSION_FILE_FORMAT } from './session-file.js';
export { MemoryAntiReplay, checkTicketAge, DEFAULT_TICKET_AGE_TOLERANCE_MS } from './anti-replay.js';
export type { MemoryAntiReplayOptions, TicketAgeCheck } from './anti-replay.js';
