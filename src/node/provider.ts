// The Node entry points' provider choice for server configs, keeping config identity.
import type { ServerConfig } from '../connection/config.js';
import { nodeDefaultProvider } from '../crypto/node/index.js';
import { selfEncryptedTicketsFor } from '../resumption/tickets.js';

const derived = new WeakMap<ServerConfig, ServerConfig>();

/**
 * `config` itself when it names a provider and a ticket issuer; otherwise one object per
 * `config` (cached) that reads through to it and adds node's provider (or the one given to
 * setDefaultProvider()) and self-encrypted tickets sealed by that provider (the engine's default
 * issuer seals with noble). A copy would not do: the engine shares ticket keys and the 0-RTT
 * replay window per config object, and CertificateStore configs are getters. Both are chosen
 * when the derived object is made (the first connection of that config).
 */
export function withNodeProvider(config: ServerConfig): ServerConfig {
  if (config.provider !== undefined && config.tickets?.issuer !== undefined) return config;
  let d = derived.get(config);
  if (d === undefined) {
    const provider = config.provider ?? nodeDefaultProvider();
    const now = (): number => (config.now ? config.now() : new Date()).getTime();
    const tickets = { ...config.tickets, issuer: config.tickets?.issuer ?? selfEncryptedTicketsFor(provider, { now }) };
    d = Object.create(config, {
      provider: { value: provider, enumerable: true },
      tickets: { value: tickets, enumerable: true },
    }) as ServerConfig;
    derived.set(config, d);
  }
  return d;
}
