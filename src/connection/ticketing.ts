// A server's ticketing: ticket issuer and 0-RTT replay window, one explicit object shared by
// the connections that should resume on each other (RFC 8446 §4.6.1, §8).

import type { CryptoProvider } from '../crypto/provider.js';
import { defaultProvider } from '../crypto/default.js';
import { MemoryAntiReplay } from '../resumption/anti-replay.js';
import { selfEncryptedTicketsFor } from '../resumption/tickets.js';
import type { AntiReplayStore, ServerTicketing, TicketIssuer } from '../resumption/types.js';
import type { ServerConfig } from './config.js';

export interface ServerTicketingOptions {
  /** Default: self-encrypted tickets (SelfEncryptedTickets) sealed with the provider's AES-256-GCM. */
  issuer?: TicketIssuer;
  /** Default: an in-memory replay window (MemoryAntiReplay). Share one across processes. */
  antiReplay?: AntiReplayStore;
  /** Seals the default issuer's tickets. Default: the default provider. */
  provider?: CryptoProvider;
  /** The default issuer's clock (key rotation, expiry). Default: the system clock. */
  now?: () => Date;
}

/** Ticket keys and a replay window for one server (or a cluster, with a shared issuer and store). */
export function createServerTicketing(options: ServerTicketingOptions = {}): ServerTicketing {
  const { now } = options;
  const issuer =
    options.issuer ?? selfEncryptedTicketsFor(options.provider ?? defaultProvider(), now ? { now: () => now().getTime() } : {});
  return Object.freeze({ issuer, antiReplay: options.antiReplay ?? new MemoryAntiReplay() });
}

/**
 * The config's ticketing. A config without one gets it here, on its first connection: a
 * `createServerTicketing()` with the config's `tickets.issuer`, provider and clock, set as
 * `config.ticketing`, so that the connections of one config object (and copies made later)
 * share ticket keys and the replay window. A frozen config without one gets a ticketing of
 * its own per connection (its tickets then resume on no other connection).
 */
export function ticketingOf(config: ServerConfig, provider: CryptoProvider): ServerTicketing {
  if (config.ticketing) return config.ticketing;
  const now = config.now;
  const ticketing = createServerTicketing({ provider, ...(config.tickets?.issuer ? { issuer: config.tickets.issuer } : {}), ...(now ? { now } : {}) });
  if (Object.isExtensible(config)) config.ticketing = ticketing;
  return ticketing;
}
