// Which provider a connection uses when its config names none.
//
// The core never imports a runtime's crypto module, so it cannot pick node:crypto itself. Instead
// the choice is registered: the application calls setDefaultProvider() once (e.g. with
// `nodeProvider` from 'tls13-engine/crypto/node'), and the Node entry points ('tls13-engine/node',
// '/tls', '/bridge', the CLI) use node:crypto unless a default was set or the config names one.
import type { CryptoProvider, PrivateKeyMaterial, SigningKey } from './provider.js';
import { nobleProvider } from './noble/index.js';

let configured: CryptoProvider | undefined;

/**
 * Sets the provider for every connection whose config has no `provider` (undefined: back to
 * the built-in choice). Connections read it when they are created.
 */
export function setDefaultProvider(provider: CryptoProvider | undefined): void {
  configured = provider;
}

/** The provider set with setDefaultProvider(), if any. */
export function configuredDefaultProvider(): CryptoProvider | undefined {
  return configured;
}

/** The provider set with setDefaultProvider(), else noble (pure JavaScript, runs everywhere). */
export function defaultProvider(): CryptoProvider {
  return configured ?? nobleProvider;
}

/** `provider`'s SigningKey for `material`, or noble's when the provider has no signing code of its own. */
export function signingKeyOf(provider: CryptoProvider, material: PrivateKeyMaterial): SigningKey {
  return provider.signingKey ? provider.signingKey(material) : nobleProvider.signingKey!(material);
}
