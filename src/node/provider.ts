// The Node entry points' provider choice for server configs; ticketing stays the config's.
import type { ServerConfig } from '../connection/config.js';
import { nodeDefaultProvider } from '../crypto/node/index.js';
import { ticketingOf } from '../connection/ticketing.js';

/**
 * `config` itself when it names a provider; otherwise an object that reads through to it (so
 * CertificateStore getters stay live) and adds node's provider (or the one given to
 * setDefaultProvider()). Ticket keys and the 0-RTT replay window are `config.ticketing`, made
 * here on first use with that provider (the engine's default would seal with the config's).
 */
export function withNodeProvider(config: ServerConfig): ServerConfig {
  if (config.provider !== undefined) return config;
  const provider = nodeDefaultProvider();
  ticketingOf(config, provider); // sets config.ticketing unless the config has one (or is frozen)
  return Object.create(config, { provider: { value: provider, enumerable: true } }) as ServerConfig;
}
