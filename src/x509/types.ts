// What certificate verifiers take and return (RFC 8446 §4.4.2), and the PathChecker hook
// (RFC 5280 §6): the types verify.ts, name-constraints.ts and the verifiers share.
import type { ParsedCertificate } from './certificate.js';
import type { PeerIdentity } from './identity.js';

export interface CertificateVerifierInput {
  /** DER certificates as sent, leaf first (RFC 8446 §4.4.2). */
  chain: Uint8Array[];
  /** The name the client asked for (SNI); checked against the leaf's SANs when given. */
  serverName?: string;
  now: Date;
  /** A stapled OCSP response for the leaf (RFC 8446 §4.4.2.1), DER, when the server sent one. */
  ocspResponse?: Uint8Array;
  /**
   * The schemes the verifying side allowed for signatures in certificates: what it sent in
   * signature_algorithms_cert, else in signature_algorithms (RFC 8446 §4.2.3). When given,
   * every signature on the path must use one of them (the anchor's own is not checked);
   * otherwise unsupported_certificate (RFC 8446 §4.4.2.2), check 'signature-algorithms-cert'.
   */
  signatureAlgorithmsCert?: readonly number[];
}

export interface VerifiedChain {
  /** Leaf … trust anchor (just the leaf when it is pinned by key or is an anchor itself). */
  chain: ParsedCertificate[];
  leaf: ParsedCertificate;
  /** The leaf's identity (subject, SANs, SPIFFE ID); the WebPki verifiers always set it. */
  identity?: PeerIdentity;
}

export interface ServerCertificateVerifier {
  verify(input: CertificateVerifierInput): VerifiedChain | Promise<VerifiedChain>;
}

/**
 * An extra check over a complete candidate path (leaf first, anchor last): name constraints,
 * revocation, policy. Throw a CertificateError to reject the path (another may still be tried).
 */
export interface PathChecker {
  /** Critical extension OIDs this checker processes (so they no longer count as unknown). */
  readonly handlesExtensions?: readonly string[];
  check(path: readonly ParsedCertificate[], now: Date): void;
}
