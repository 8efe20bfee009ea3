// Client certificate verification for servers (RFC 8446 §4.4.2, §4.3.2): the same path
// validation as for servers, with extendedKeyUsage clientAuth and no name check.

import { EkuOid } from './certificate.js';
import { ChainValidator, type VerifiedChain, type WebPkiVerifierOptions } from './verify.js';

export interface ClientCertificateVerifierInput {
  /** DER certificates as sent, leaf first. */
  chain: Uint8Array[];
  now: Date;
  /** A stapled OCSP response for the leaf, DER, when the client sent one. */
  ocspResponse?: Uint8Array;
}

export interface ClientCertificateVerifier {
  verify(input: ClientCertificateVerifierInput): VerifiedChain | Promise<VerifiedChain>;
  /** DER subject names to send in certificate_authorities (RFC 8446 §4.2.4), if any. */
  readonly authorities?: readonly Uint8Array[];
}

/** Web PKI path validation to configured anchors, requiring clientAuth. */
export class WebPkiClientVerifier implements ClientCertificateVerifier {
  private readonly validator: ChainValidator;
  readonly authorities: readonly Uint8Array[];

  constructor(opts: WebPkiVerifierOptions) {
    this.validator = new ChainValidator(opts);
    this.authorities = this.validator.anchorSubjects();
  }

  verify(input: ClientCertificateVerifierInput): VerifiedChain {
    const chain = this.validator.validate(input.chain, input.now, EkuOid.clientAuth);
    return { chain, leaf: chain[0]! };
  }
}
