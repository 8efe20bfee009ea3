// The CLI's crypto provider (--provider) and what depends on it: signing keys and verifiers.
import { signingKeyFromMaterial } from '../../src/crypto/index.js';
import { nobleProvider } from '../../src/crypto/noble/index.js';
import { nodeDefaultProvider, nodeProvider } from '../../src/crypto/node/index.js';
import type { CryptoProvider, PrivateKeyMaterial, SigningKey } from '../../src/crypto/provider.js';
import { webCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import { WebCryptoClientVerifier, WebCryptoServerVerifier } from '../../src/x509/webcrypto.js';
import { WebPkiClientVerifier } from '../../src/x509/client-verify.js';
import type { ClientCertificateVerifier } from '../../src/x509/client-verify.js';
import { WebPkiServerVerifier, type ServerCertificateVerifier, type WebPkiVerifierOptions } from '../../src/x509/verify.js';
import type { ProviderName } from './args.js';

/** --provider NAME; without it, node:crypto (or what setDefaultProvider() chose). */
export function cliProvider(name: ProviderName | undefined): CryptoProvider {
  switch (name) {
    case 'noble':
      return nobleProvider;
    case 'node':
      return nodeProvider;
    case 'webcrypto':
      return webCryptoProvider;
    case undefined:
      return nodeDefaultProvider();
  }
}

/** The provider's own SigningKey for the material (noble's when it has none). */
export function signingKeyWith(provider: CryptoProvider, material: PrivateKeyMaterial): SigningKey {
  return provider.signingKey ? provider.signingKey(material) : signingKeyFromMaterial(material);
}

/** Options without `verifier`: the provider's is added (webcrypto: SubtleCrypto verifies the chain). */
export type ChainOptions = Omit<WebPkiVerifierOptions, 'verifier'>;

export function serverVerifierWith(provider: CryptoProvider, options: ChainOptions): ServerCertificateVerifier {
  return provider.name === 'webcrypto'
    ? new WebCryptoServerVerifier({ ...options, verifier: provider.verifier })
    : new WebPkiServerVerifier({ ...options, verifier: provider.verifier });
}

export function clientVerifierWith(provider: CryptoProvider, options: ChainOptions): ClientCertificateVerifier {
  return provider.name === 'webcrypto'
    ? new WebCryptoClientVerifier({ ...options, verifier: provider.verifier })
    : new WebPkiClientVerifier({ ...options, verifier: provider.verifier });
}
