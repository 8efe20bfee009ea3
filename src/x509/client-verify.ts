// Client certificate verification for servers (RFC 8446 §4.4.2, §4.3.2): the same path
// validation as for servers, with extendedKeyUsage clientAuth and no name check.

import { EkuOid } from './certificate.js';
import { peerIdentity } from './identity.js';
import { ChainValidator, type VerifiedChain, type WebPkiVerifierOptions } from './verify.js';

export interface ClientCertificateVerifierInput {
  /** DER certificates as sent, leaf first. */
  chain: Uint8Array[];
  now: Date;
  /** A stapled OCSP response for the leaf, DER, when the client sent one. */
  ocspResponse?: Uint8Array;
  /**
   * The schemes the server allowed for certificate signatures (its signature_algorithms_cert,
   * else signature_algorithms, in the CertificateRequest; RFC 8446 §4.2.3).
   */
  signatureAlgorithmsCert?: readonly number[];
}

export interface ClientCertificateVerifier {
  verify(input: ClientCertificateVerifierInput): VerifiedChain | Promise<VerifiedChain>;
  /** DER subject names to send in certificate_authorities (RFC 8446 §4.2.4), if any. */
  readonly authorities?: readonly Uint8Array[];
}

/**
 * Web PKI path validation to configured anchors, requiring clientAuth. The options are the
 * server verifier's: CRLs, requireOcsp, pins and pinMode work the same way.
 */
export class WebPkiClientVerifier implements ClientCertificateVerifier {
  private readonly validator: ChainValidator;
  readonly authorities: readonly Uint8Array[];

  constructor(opts: WebPkiVerifierOptions) {
    this.validator = new ChainValidator(opts);
    this.authorities = this.validator.anchorSubjects();
  }

  verify(input: ClientCertificateVerifierInput): VerifiedChain {
    const chain = this.validator.validate(input.chain, input.now, EkuOid.clientAuth, input);
    const leaf = chain[0]!;
    return { chain, leaf, identity: peerIdentity(leaf, this.validator.hashes('SHA-256')) };
  }
}
