// Mutual TLS for the CLI: verifiers from --ca / --client-ca / --pin / --crl, the client's
// --cert/--key, and the peer identity shown on the summary line and in the server log.

import type { ClientCertificate } from '../../src/handshake/client/data.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { bytesEqual } from '../../src/util/bytes.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import type { ClientCertificateVerifier } from '../../src/x509/client-verify.js';
import { peerIdentity } from '../../src/x509/identity.js';
import { encodeSpki, parsePrivateKeyPem, publicKeyFromPrivate } from '../../src/x509/keys.js';
import { pemBlocks, pemDecode } from '../../src/x509/pem.js';
import type { ServerCertificateVerifier } from '../../src/x509/verify.js';
import { UsageError } from './args.js';
import { clientVerifierWith, serverVerifierWith, signingKeyWith, type ChainOptions } from './providers.js';

/** What the verifier flags say, files already read. */
export interface VerifierFlags {
  /** --ca / --client-ca PEM text. */
  caPem?: string;
  /** --pin (SHA-256 of SPKI). */
  pins?: Uint8Array[];
  /** --crl file contents (PEM with X509 CRL blocks, or DER). */
  crls?: Uint8Array[];
  /** client --require-ocsp */
  requireOcsp?: boolean;
  /** --provider: whose signature verifier checks the chain. */
  provider: CryptoProvider;
}

/** CRLs from a file: every "X509 CRL" PEM block, or the bytes as one DER CRL. */
export function crlsFromFile(bytes: Uint8Array, what = '--crl'): Uint8Array[] {
  const text = new TextDecoder().decode(bytes);
  if (text.includes('-----BEGIN')) {
    let blocks;
    try {
      blocks = pemBlocks(text).filter((b) => b.label === 'X509 CRL');
    } catch (e) {
      throw new UsageError(`${what}: ${(e as Error).message}`);
    }
    if (blocks.length === 0) throw new UsageError(`${what}: no X509 CRL block found`);
    return blocks.map((b) => b.der);
  }
  return [bytes];
}

function options(flags: VerifierFlags, what: string): ChainOptions {
  const trustAnchors = flags.caPem === undefined ? [] : pemDecode(flags.caPem, 'CERTIFICATE');
  if (flags.caPem !== undefined && trustAnchors.length === 0) throw new UsageError(`${what}: no CERTIFICATE block found`);
  const pinned = (flags.pins?.length ?? 0) > 0;
  return {
    trustAnchors,
    ...(pinned ? { pins: flags.pins!, pinMode: flags.caPem === undefined ? ('instead-of-ca' as const) : ('and-ca' as const) } : {}),
    ...(flags.crls?.length ? { crls: flags.crls } : {}),
    ...(flags.requireOcsp ? { requireOcsp: true } : {}),
  };
}

function build<T>(make: () => T, what: string): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${what}: ${(e as Error).message}`);
  }
}

/** The client's verifier of the server: --ca (and/or --pin: with --ca both must hold, alone the pin replaces the CA). */
export function serverVerifierFromFlags(flags: VerifierFlags): ServerCertificateVerifier {
  return build(() => serverVerifierWith(flags.provider, options(flags, '--ca')), '--ca/--pin/--crl');
}

/** The server's verifier of clients: --client-ca and/or --pin, with --crl. */
export function clientVerifierFromFlags(flags: VerifierFlags): ClientCertificateVerifier {
  return build(() => clientVerifierWith(flags.provider, options(flags, '--client-ca')), '--client-ca/--pin/--crl');
}

/** client --cert/--key: the chain (leaf first) and its key, which must be the leaf's. */
export function loadClientCertificate(certPem: string, keyPem: string, provider: CryptoProvider): ClientCertificate {
  const chain = pemDecode(certPem, 'CERTIFICATE');
  if (chain.length === 0) throw new UsageError('--cert: no CERTIFICATE block found');
  return build(() => {
    const material = parsePrivateKeyPem(keyPem);
    if (!bytesEqual(encodeSpki(publicKeyFromPrivate(material)), parseCertificate(chain[0]!).spki)) {
      throw new UsageError('--key: the key does not belong to the --cert certificate');
    }
    return { chain, key: signingKeyWith(provider, material) };
  }, '--cert/--key');
}

/** ` peer="<subject>"[ spiffe=<id>]` for a peer chain (leaf first), or '' when there is none. */
export function peerSuffix(chain: readonly Uint8Array[] | undefined): string {
  const der = chain?.[0];
  if (!der) return '';
  try {
    const id = peerIdentity(parseCertificate(der));
    return ` peer=${JSON.stringify(id.subject)}${id.spiffeId ? ` spiffe=${id.spiffeId}` : ''}`;
  } catch {
    return '';
  }
}
