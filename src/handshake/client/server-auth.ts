// Client: the server's authentication: CertificateRequest, Certificate, CertificateVerify.
// RFC 8446 §4.3.2, §4.4.2, §4.4.3.

import { tlsError, certificateError } from '../../errors.js';
import { ExtensionType, HandshakeType, schemeName } from '../../wire/codepoints.js';
import { decodeCertificateStatus, findExtension } from '../../wire/extensions.js';
import type { Certificate, CertificateRequest, CertificateVerify } from '../../wire/types.js';
import { parseCertificate } from '../../x509/certificate.js';
import { TypedState, type Handlers, type Step } from '../state.js';
import { CERTIFICATE_VERIFY_SCHEMES, certificateVerifyContent, checkCertificateVerify, keyFitsScheme, runVerifier } from '../signature.js';
import { checkSolicited, type AfterCertificate, type AfterCertificateRequest, type AfterEncryptedExtensions } from './data.js';
import { readCertificateRequest } from './client-auth.js';
import { ExpectFinished } from './finished.js';

type CertificateOrRequest = typeof HandshakeType.certificate | typeof HandshakeType.certificate_request;

export class ExpectCertificateOrRequest extends TypedState<CertificateOrRequest> {
  readonly name = 'ExpectCertificateOrCertificateRequest';
  protected readonly handlers: Handlers<CertificateOrRequest> = {
    [HandshakeType.certificate]: (msg, raw) => new ExpectCertificate({ ...this.hs, certificateRequest: undefined }).handle(msg, raw),
    [HandshakeType.certificate_request]: (msg, raw) => this.certificateRequest(msg, raw),
  };
  constructor(private readonly hs: AfterEncryptedExtensions) {
    super();
  }

  private certificateRequest(msg: CertificateRequest, raw: Uint8Array): Step {
    // RFC 8446 §4.3.2: the context is zero length in the handshake (only post-handshake requests carry one).
    if (msg.certificateRequestContext.length !== 0) throw tlsError('illegal_parameter', 'CertificateRequest in the handshake with a request context');
    // RFC 8446 §4.3.2: remember the request; we answer after the server's Finished.
    const certificateRequest = readCertificateRequest(msg);
    this.hs.transcript.add(raw);
    return new ExpectCertificate({ ...this.hs, certificateRequest });
  }
}

export class ExpectCertificate extends TypedState<typeof HandshakeType.certificate> {
  readonly name = 'ExpectCertificate';
  protected readonly handlers: Handlers<typeof HandshakeType.certificate> = {
    [HandshakeType.certificate]: (msg, raw) => this.certificate(msg, raw),
  };
  constructor(private readonly hs: AfterCertificateRequest) {
    super();
  }

  private certificate(msg: Certificate, raw: Uint8Array): Step {
    const hs = this.hs;
    // RFC 8446 §4.4.2: for server authentication the context is empty.
    if (msg.certificateRequestContext.length !== 0) throw tlsError('illegal_parameter', 'server Certificate with a request context');
    // RFC 8446 §4.4.2.4: an empty server Certificate is decode_error.
    const leaf = msg.certificateList[0];
    if (!leaf) throw tlsError('decode_error', 'server sent no certificate');
    for (const entry of msg.certificateList) checkSolicited(hs.sentExtensions, entry.extensions, 'CertificateEntry');
    hs.transcript.add(raw);
    const chain = msg.certificateList.map((e) => e.data);
    // RFC 8446 §4.4.2.1: a stapled OCSP response rides on the leaf's entry.
    const status = findExtension(leaf.extensions, ExtensionType.status_request);
    const ocspResponse = status ? decodeCertificateStatus(status.data).ocspResponse : undefined;
    hs.ctx.negotiated({ peerCertificates: chain });

    const verifier = hs.config.verifier;
    // A PSK-only client has nothing to check a certificate against.
    if (!verifier) throw certificateError('certificate_unknown', 'verifier', 'no certificate verifier configured');
    if (verifier === 'insecure') {
      // Explicit opt-out (insecureSkipVerify): only the leaf's key is taken.
      return new ExpectCertificateVerify({ ...hs, serverPublicKey: parseCertificate(leaf.data).publicKey });
    }
    return runVerifier(
      () =>
        verifier.verify({
          chain,
          now: hs.ctx.now(),
          // RFC 8446 §4.2.3: certificate signatures must use schemes we offered.
          signatureAlgorithmsCert: hs.config.signatureSchemes,
          // RFC 9525: the name, unless the client opted out (verifyServerName: false).
          ...(hs.config.verifyServerName && hs.config.serverName !== undefined ? { serverName: hs.config.serverName } : {}),
          ...(ocspResponse ? { ocspResponse } : {}),
        }),
      (verified) => new ExpectCertificateVerify({ ...hs, serverPublicKey: verified.leaf.publicKey }),
    );
  }
}

export class ExpectCertificateVerify extends TypedState<typeof HandshakeType.certificate_verify> {
  readonly name = 'ExpectCertificateVerify';
  protected readonly handlers: Handlers<typeof HandshakeType.certificate_verify> = {
    [HandshakeType.certificate_verify]: (msg, raw) => this.certificateVerify(msg, raw),
  };
  constructor(private readonly hs: AfterCertificate) {
    super();
  }

  private certificateVerify(msg: CertificateVerify, raw: Uint8Array): Step {
    const { serverPublicKey: key, ...hs } = this.hs;
    // RFC 8446 §4.4.3: a scheme we offered, valid in CertificateVerify, matching the key.
    if (!hs.config.signatureSchemes.includes(msg.algorithm) || !CERTIFICATE_VERIFY_SCHEMES.includes(msg.algorithm)) {
      throw tlsError('illegal_parameter', `CertificateVerify with ${schemeName(msg.algorithm)}, which was not offered`);
    }
    if (!keyFitsScheme(msg.algorithm, key)) {
      throw tlsError('illegal_parameter', `CertificateVerify scheme ${schemeName(msg.algorithm)} does not fit the certificate key`);
    }
    const content = certificateVerifyContent('server', hs.transcript.current());
    const failure = 'CertificateVerify signature does not verify';
    return checkCertificateVerify(hs.ctx.provider, { scheme: msg.algorithm, key, content, signature: msg.signature, failure }, (proof) => {
      hs.transcript.add(raw);
      hs.ctx.negotiated({ signatureScheme: msg.algorithm, signatureSchemeName: schemeName(msg.algorithm) });
      return new ExpectFinished({ ...hs, serverAuth: { by: 'certificate', proof } });
    });
  }
}

