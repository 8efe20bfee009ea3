// What every bench section shares: the minted PKIs, and per provider its signing keys and verifiers.
import { nobleProvider } from '../../src/crypto/noble/index.js';
import { nodeProvider } from '../../src/crypto/node/index.js';
import type { CryptoProvider, SigningKey } from '../../src/crypto/provider.js';
import { webCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import type { ClientCertificate } from '../../src/handshake/client/data.js';
import type { ClientCertificateVerifier } from '../../src/x509/client-verify.js';
import { chainPem, mintTestPki, type TestPki } from '../../src/testing/mint.js';
import type { ServerCertificateVerifier } from '../../src/x509/verify.js';
import type { ProviderName } from '../cli/args.js';
import { clientVerifierWith, serverVerifierWith, signingKeyWith } from '../cli/providers.js';

export const HOST = '127.0.0.1';
export const SERVER_NAME = 'localhost';

export const PROVIDERS: Record<ProviderName, CryptoProvider> = { noble: nobleProvider, node: nodeProvider, webcrypto: webCryptoProvider };

/** One minted PKI as PEM (for node:tls) and DER (for us). */
export interface Pki {
  minted: TestPki;
  rootPem: string;
  serverChainPem: string;
  serverKeyPem: string;
  clientChainPem: string;
  clientKeyPem: string;
  serverChain: Uint8Array[];
  clientChain: Uint8Array[];
}

async function pki(keyType: 'p256' | 'rsa2048'): Promise<Pki> {
  const m = await mintTestPki({ keyType, serverNames: [SERVER_NAME, HOST] });
  return {
    minted: m,
    rootPem: m.root.certPem,
    serverChainPem: chainPem(m.server, m.intermediate),
    serverKeyPem: m.server.keyPem,
    clientChainPem: chainPem(m.client, m.intermediate),
    clientKeyPem: m.client.keyPem,
    serverChain: [m.server.certDer, m.intermediate.certDer],
    clientChain: [m.client.certDer, m.intermediate.certDer],
  };
}

/** A provider's view of one PKI: its own signing keys and verifiers (each verifier caches what it verified). */
export interface Identity {
  serverKey: SigningKey;
  serverVerifier: ServerCertificateVerifier;
  clientVerifier: ClientCertificateVerifier;
  clientCertificate: ClientCertificate;
}

export interface Fixtures {
  ec: Pki;
  rsa: Pki;
  identity(provider: CryptoProvider, pki: Pki): Identity;
}

export async function fixtures(): Promise<Fixtures> {
  const [ec, rsa] = await Promise.all([pki('p256'), pki('rsa2048')]);
  const cache = new Map<string, Identity>();
  return {
    ec,
    rsa,
    identity(provider, p) {
      const key = `${provider.name}/${p === ec ? 'ec' : 'rsa'}`;
      let id = cache.get(key);
      if (id === undefined) {
        const anchors = { trustAnchors: [p.minted.root.certDer] };
        id = {
          serverKey: signingKeyWith(provider, p.minted.server.key),
          serverVerifier: serverVerifierWith(provider, anchors),
          clientVerifier: clientVerifierWith(provider, anchors),
          clientCertificate: { chain: p.clientChain, key: signingKeyWith(provider, p.minted.client.key) },
        };
        cache.set(key, id);
      }
      return id;
    },
  };
}
