// Rotation without a restart: a ServerIdentityStore holds the server's chain and key (and the
// trust anchors for client certificates) and the application swaps them while running.
//
// A connection reads its ServerConfig once, when it is created. CertificateStore
// (connection/rotation.ts, which adds `serverConfig(base)`) turns the store into one config whose
// certificateChain, signingKey and ocspResponse are getters over the store: every new connection
// takes the identity current at that moment; connections already open keep the one they started
// with. Client verification goes through a RotatingVerifier, read at each verification, so that a
// post-handshake request (RFC 8446 §4.6.2) on an open connection also uses the current anchors.

import { defaultProvider, signingKeyOf } from '../crypto/default.js';
import type { CryptoProvider, SigningKey } from '../crypto/provider.js';
import { bytesEqual } from '../util/bytes.js';
import { parseCertificate } from './certificate.js';
import { WebPkiClientVerifier, type ClientCertificateVerifier, type ClientCertificateVerifierInput } from './client-verify.js';
import { encodeSpki, parsePrivateKeyPem, publicKeyFromPrivate } from './keys.js';
import { pemDecode } from './pem.js';
import type { CertificateVerifierInput, ServerCertificateVerifier, VerifiedChain, WebPkiVerifierOptions } from './verify.js';

/** What a server authenticates with. */
export interface ServerIdentity {
  /** DER certificates, leaf first. */
  chain: Uint8Array[];
  key: SigningKey;
  /** A DER OCSP response for the leaf, stapled when asked (RFC 8446 §4.4.2.1). */
  ocspResponse?: Uint8Array;
}

/**
 * A ServerIdentity from PEM text: the chain file (leaf first) and its private key, made a
 * SigningKey by `extra.provider` (default: defaultProvider(); noble's signing when the provider
 * has none). Throws when the key is not the leaf's (the mistake a rotation script is most likely to make).
 */
export function identityFromPem(chainPem: string, keyPem: string, extra: { ocspResponse?: Uint8Array; provider?: CryptoProvider } = {}): ServerIdentity {
  const chain = pemDecode(chainPem, 'CERTIFICATE');
  if (chain.length === 0) throw new TypeError('no CERTIFICATE in the chain PEM');
  const material = parsePrivateKeyPem(keyPem);
  const leaf = parseCertificate(chain[0]!);
  if (!bytesEqual(encodeSpki(publicKeyFromPrivate(material)), leaf.spki)) {
    throw new TypeError(`the private key does not belong to the leaf certificate "${leaf.subject.text}"`);
  }
  const { provider = defaultProvider(), ...rest } = extra;
  return { chain, key: signingKeyOf(provider, material), ...rest };
}

/** A verifier that delegates to whichever verifier is current; swap it with `set`. */
export class RotatingVerifier implements ServerCertificateVerifier, ClientCertificateVerifier {
  constructor(private inner: ServerCertificateVerifier | ClientCertificateVerifier) {}

  get current(): ServerCertificateVerifier | ClientCertificateVerifier {
    return this.inner;
  }

  set(verifier: ServerCertificateVerifier | ClientCertificateVerifier): void {
    this.inner = verifier;
  }

  /** certificate_authorities of the current verifier (read at each CertificateRequest). */
  get authorities(): readonly Uint8Array[] | undefined {
    return 'authorities' in this.inner ? this.inner.authorities : undefined;
  }

  verify(input: CertificateVerifierInput | ClientCertificateVerifierInput): VerifiedChain | Promise<VerifiedChain> {
    return (this.inner as ServerCertificateVerifier).verify(input);
  }
}

export interface CertificateStoreOptions {
  identity: ServerIdentity;
  /** Verifies client certificates (see setTrustAnchors / setClientVerifier). */
  clientVerifier?: ClientCertificateVerifier;
}

/** The server's current identity and client verifier; CertificateStore (connection/rotation.ts) adds the ServerConfig. */
export class ServerIdentityStore {
  private current: ServerIdentity;
  private gen = 0;
  private readonly listeners = new Set<(identity: ServerIdentity, generation: number) => void>();
  /** Client certificate verification, always through the current verifier. */
  readonly clientVerifier: RotatingVerifier | undefined;

  constructor(opts: CertificateStoreOptions) {
    this.current = checkIdentity(opts.identity);
    this.clientVerifier = opts.clientVerifier ? new RotatingVerifier(opts.clientVerifier) : undefined;
  }

  get identity(): ServerIdentity {
    return this.current;
  }

  /** Increases with every change (identity or trust anchors). */
  get generation(): number {
    return this.gen;
  }

  /** New connections use `identity` from now on; open ones keep theirs. */
  setIdentity(identity: ServerIdentity): void {
    this.current = checkIdentity(identity);
    this.changed();
  }

  /** Replaces the client-certificate verifier (needs one at construction). */
  setClientVerifier(verifier: ClientCertificateVerifier): void {
    if (!this.clientVerifier) throw new TypeError('CertificateStore: no client verifier configured at construction');
    this.clientVerifier.set(verifier);
    this.changed();
  }

  /** Replaces the trust anchors for client certificates with a new WebPkiClientVerifier. */
  setTrustAnchors(trustAnchors: Uint8Array[], options: Omit<WebPkiVerifierOptions, 'trustAnchors'>): void {
    this.setClientVerifier(new WebPkiClientVerifier({ ...options, trustAnchors }));
  }

  onChange(listener: (identity: ServerIdentity, generation: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.gen++;
    for (const l of [...this.listeners]) l(this.current, this.gen);
  }
}

function checkIdentity(id: ServerIdentity): ServerIdentity {
  if (id.chain.length === 0) throw new TypeError('CertificateStore: an empty certificate chain');
  parseCertificate(id.chain[0]!); // throws on a malformed leaf
  return { ...id, chain: [...id.chain] };
}
