// Certificates and keys for the CLI: PEM files in, engine objects out.

import type { SigningKey } from '../crypto/provider.js';
import { signingKeyFromMaterial } from '../crypto/index.js';
import { nobleProvider } from '../crypto/noble/index.js';
import { parsePrivateKeyPem } from '../x509/keys.js';
import { pemDecode } from '../x509/pem.js';
import { WebPkiServerVerifier, type ServerCertificateVerifier } from '../x509/verify.js';
import { UsageError } from './args.js';

export interface ServerIdentity {
  certificateChain: Uint8Array[];
  signingKey: SigningKey;
}

/** The server's chain (leaf first) and signing key from PEM text. */
export function loadServerIdentity(certPem: string, keyPem: string): ServerIdentity {
  const certificateChain = pemDecode(certPem, 'CERTIFICATE');
  if (certificateChain.length === 0) throw new UsageError('--cert: no CERTIFICATE block found');
  let signingKey: SigningKey;
  try {
    signingKey = signingKeyFromMaterial(parsePrivateKeyPem(keyPem));
  } catch (err) {
    throw new UsageError(`--key: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { certificateChain, signingKey };
}

/** A WebPKI verifier trusting the certificates in `caPem`. */
export function verifierFromCaPem(caPem: string): ServerCertificateVerifier {
  const trustAnchors = pemDecode(caPem, 'CERTIFICATE');
  if (trustAnchors.length === 0) throw new UsageError('--ca: no CERTIFICATE block found');
  return new WebPkiServerVerifier({ trustAnchors, verifier: nobleProvider.verifier });
}

export interface DemoPki extends ServerIdentity {
  verifier: ServerCertificateVerifier;
  description: string;
}

/** A throwaway root CA and server certificate for `names`, minted in memory. */
export function mintDemoPki(names: string[]): DemoPki {
  throw new Error(`mintTestPki is not available yet (${names.join(', ')})`);
}
