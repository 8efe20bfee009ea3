// Certificates and keys for the CLI: PEM files in, engine objects out.

import type { CryptoProvider, SigningKey } from '../../src/crypto/provider.js';
import { signingKeyFromMaterial } from '../../src/crypto/index.js';
import { nobleProvider } from '../../src/crypto/noble/index.js';
import { parsePrivateKeyPem } from '../../src/x509/keys.js';
import { mintTestPki } from '../../src/testing/mint.js';
import { pemDecode } from '../../src/x509/pem.js';
import { WebPkiServerVerifier, type ServerCertificateVerifier } from '../../src/x509/verify.js';
import { UsageError } from './args.js';
import { signingKeyWith } from './providers.js';

export interface ServerIdentity {
  certificateChain: Uint8Array[];
  signingKey: SigningKey;
}

/** The server's chain (leaf first) and signing key from PEM text (the provider's SigningKey when it has one). */
export function loadServerIdentity(certPem: string, keyPem: string, provider: CryptoProvider = nobleProvider): ServerIdentity {
  const certificateChain = pemDecode(certPem, 'CERTIFICATE');
  if (certificateChain.length === 0) throw new UsageError('--cert: no CERTIFICATE block found');
  let signingKey: SigningKey;
  try {
    signingKey = signingKeyWith(provider, parsePrivateKeyPem(keyPem));
  } catch (err) {
    throw new UsageError(`--key: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { certificateChain, signingKey };
}

export interface DemoPki extends ServerIdentity {
  verifier: ServerCertificateVerifier;
  description: string;
}

/** A throwaway root → intermediate → server PKI for `names`, minted in memory; the client trusts the root. */
export async function mintDemoPki(names: string[]): Promise<DemoPki> {
  const pki = await mintTestPki({ serverNames: names });
  const leaf = pki.server.cert;
  return {
    certificateChain: [pki.server.certDer, pki.intermediate.certDer],
    signingKey: signingKeyFromMaterial(pki.server.key),
    verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
    description: `root "${pki.root.cert.subject.text}" → intermediate "${pki.intermediate.cert.subject.text}" → server "${leaf.subject.text}" (${names.join(', ')})`,
  };
}
