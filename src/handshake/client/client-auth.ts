// Client: answering a CertificateRequest, in the handshake or after it.
// RFC 8446 §4.3.2, §4.4.2, §4.4.3, §4.6.2.

import type { Transcript } from '../../keyschedule/index.js';
import { ExtensionType, HandshakeType } from '../../wire/codepoints.js';
import { decodeCertificateAuthorities, decodeSignatureSchemeList, findExtension } from '../../wire/extensions.js';
import type { CertificateRequest } from '../../wire/types.js';
import { parseCertificate } from '../../x509/certificate.js';
import { bytesEqual } from '../../util/bytes.js';
import { whenReady, type Step } from '../state.js';
import { CERTIFICATE_VERIFY_SCHEMES, certificateVerifyContent } from '../signature.js';
import type { HandshakeContext } from '../common.js';
import type { CertificateRequestInfo, ClientCertificate } from './types.js';

export type { CertificateRequestInfo } from './types.js';
import { tlsError } from '../../errors.js';

export function readCertificateRequest(msg: CertificateRequest): CertificateRequestInfo {
  // RFC 8446 §4.3.2: signature_algorithms must be there.
  const sigs = findExtension(msg.extensions, ExtensionType.signature_algorithms);
  if (!sigs) throw tlsError('missing_extension', 'CertificateRequest without signature_algorithms');
  const cas = findExtension(msg.extensions, ExtensionType.certificate_authorities);
  return {
    context: msg.certificateRequestContext,
    schemes: decodeSignatureSchemeList(sigs.data),
    authorities: cas ? decodeCertificateAuthorities(cas.data) : [],
  };
}

/** The first configured certificate that fits: a scheme the server takes, a chain through one of its CAs. */
function chooseClientCertificate(
  certificates: readonly ClientCertificate[],
  req: CertificateRequestInfo,
): { certificate: ClientCertificate; scheme: number } | undefined {
  for (const certificate of certificates) {
    const scheme = certificate.key.schemes.find((s) => req.schemes.includes(s) && CERTIFICATE_VERIFY_SCHEMES.includes(s));
    if (scheme === undefined || certificate.chain.length === 0) continue;
    if (req.authorities.length > 0) {
      const names = certificate.chain.flatMap((der) => {
        const c = parseCertificate(der);
        return [c.issuer.der, c.subject.der];
      });
      if (!names.some((n) => req.authorities.some((a) => bytesEqual(a, n)))) continue;
    }
    return { certificate, scheme };
  }
  return undefined;
}

/**
 * Send Certificate and (with a certificate) CertificateVerify on the current write keys, adding
 * them to `transcript`; then `next()`. The signature may be asynchronous.
 */
export function sendClientCertificate(
  ctx: HandshakeContext,
  transcript: Transcript,
  req: CertificateRequestInfo,
  certificates: readonly ClientCertificate[],
  next: () => Step,
): Step {
  const pick = chooseClientCertificate(certificates, req);
  transcript.add(
    ctx.send({
      msgType: HandshakeType.certificate,
      certificateRequestContext: req.context,
      certificateList: (pick?.certificate.chain ?? []).map((data) => ({ data, extensions: [] })),
    }),
  );
  if (!pick) return next();
  const content = certificateVerifyContent('client', transcript.current());
  return whenReady(pick.certificate.key.signer(pick.scheme).sign(content), (signature) => {
    transcript.add(ctx.send({ msgType: HandshakeType.certificate_verify, algorithm: pick.scheme, signature }));
    return next();
  });
}
