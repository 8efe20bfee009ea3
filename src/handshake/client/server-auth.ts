// Client: the server's encrypted flight. RFC 8446 §4.3 and §4.4.

import { tlsError, certificateError } from '../../errors.js';
import { finishedVerifyData } from '../../keyschedule/index.js';
import { ExtensionType, HandshakeType, schemeName } from '../../wire/codepoints.js';
import { decodeAlpnList, decodeCertificateStatus, decodeRecordSizeLimit, findExtension } from '../../wire/extensions.js';
import type {
  Certificate,
  CertificateRequest,
  CertificateVerify,
  EncryptedExtensions,
  Finished,
} from '../../wire/types.js';
import { parseCertificate } from '../../x509/certificate.js';
import { bytesEqual, nameToString } from '../../util/bytes.js';
import { TypedState, type Handlers, type Step } from '../state.js';
import { CERTIFICATE_VERIFY_SCHEMES, certificateVerifyContent, checkCertificateVerify, keyFitsScheme, runVerifier } from '../signature.js';
import { deriveApplicationSecrets, verifyFinished } from '../secrets.js';
import { ClientTraffic } from '../traffic.js';
import {
  checkSolicited,
  installHandshakeWriteKeys,
  type AfterCertificate,
  type AfterCertificateRequest,
  type AfterEncryptedExtensions,
  type AfterServerHello,
  type BeforeServerFinished,
} from './data.js';
import { readCertificateRequest, sendClientCertificate } from './client-auth.js';
import { postHandshakeAuth } from './post-handshake.js';

/** RFC 8446 §4.3.1 */
export class ExpectEncryptedExtensions extends TypedState<typeof HandshakeType.encrypted_extensions> {
  readonly name = 'ExpectEncryptedExtensions';
  protected readonly handlers: Handlers<typeof HandshakeType.encrypted_extensions> = {
    [HandshakeType.encrypted_extensions]: (msg, raw) => this.encryptedExtensions(msg, raw),
  };
  constructor(private readonly hs: AfterServerHello) {
    super();
  }

  private encryptedExtensions(msg: EncryptedExtensions, raw: Uint8Array): Step {
    const hs = this.hs;
    checkSolicited(hs.sentExtensions, msg.extensions, 'EncryptedExtensions');
    const alpn = findExtension(msg.extensions, ExtensionType.application_layer_protocol_negotiation);
    if (alpn) {
      // RFC 7301 §3.1: exactly one protocol, one that we offered.
      const list = decodeAlpnList(alpn.data);
      const chosen = list[0];
      if (list.length !== 1 || !chosen) throw tlsError('illegal_parameter', 'ALPN response must name exactly one protocol');
      if (!hs.config.alpn.some((p) => bytesEqual(p, chosen))) throw tlsError('illegal_parameter', 'server chose an ALPN protocol we did not offer');
      hs.ctx.negotiated({ alpn: nameToString(chosen) });
    }
    const rsl = findExtension(msg.extensions, ExtensionType.record_size_limit);
    if (rsl) hs.ctx.peerRecordSizeLimit(decodeRecordSizeLimit(rsl.data));
    if (findExtension(msg.extensions, ExtensionType.server_name)) hs.ctx.negotiated({ serverName: hs.config.sniHostName });
    const earlyDataExt = findExtension(msg.extensions, ExtensionType.early_data);
    // RFC 8446 §4.2.10, §4.2.11: our 0-RTT data went with the first PSK only; early_data for
    // another PSK, for none, or after a HelloRetryRequest (no 0-RTT then) is illegal_parameter.
    if (earlyDataExt && (hs.earlyData !== 'sent' || hs.psk === undefined || hs.psk !== hs.offeredPsks[0])) {
      // The server reads no 0-RTT from us: the alert goes under the handshake key.
      installHandshakeWriteKeys(hs);
      throw tlsError('illegal_parameter', 'early_data in EncryptedExtensions, but the server did not select the PSK our 0-RTT data went with');
    }
    // RFC 8446 §4.2.10: early_data here means our 0-RTT data was accepted.
    let { earlyData, handshakeWriteKeys } = hs;
    if (earlyData === 'sent') {
      earlyData = earlyDataExt !== undefined ? 'accepted' : 'rejected';
      hs.ctx.negotiated({ earlyData });
      if (earlyData === 'rejected') handshakeWriteKeys = installHandshakeWriteKeys(hs);
    }
    hs.transcript.add(raw);
    const next: AfterEncryptedExtensions = {
      ctx: hs.ctx,
      config: hs.config,
      transcript: hs.transcript,
      sentExtensions: hs.sentExtensions,
      suite: hs.suite,
      handshakeSecrets: hs.handshakeSecrets,
      clientHandshakeSecret: hs.clientHandshakeSecret,
      serverHandshakeSecret: hs.serverHandshakeSecret,
      psk: hs.psk,
      earlyData,
      handshakeWriteKeys,
    };
    // RFC 8446 §2.2: with a PSK the server does not authenticate with a certificate.
    if (hs.psk) return new ExpectFinished({ ...next, certificateRequest: undefined, serverAuth: { by: 'psk', psk: hs.psk } });
    return new ExpectCertificateOrRequest(next);
  }
}

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

export class ExpectFinished extends TypedState<typeof HandshakeType.finished> {
  readonly name = 'ExpectFinished';
  protected readonly handlers: Handlers<typeof HandshakeType.finished> = {
    [HandshakeType.finished]: (msg, raw) => this.finished(msg, raw),
  };
  constructor(private readonly hs: BeforeServerFinished) {
    super();
  }

  private finished(msg: Finished, raw: Uint8Array): Step {
    const hs = this.hs;
    const { suite } = hs;
    const hash = suite.hash;
    verifyFinished(hash, hs.serverHandshakeSecret, hs.transcript.current(), msg.verifyData, 'server');
    hs.transcript.add(raw);
    const { master, client: cats, server: sats, exporter: ems } = deriveApplicationSecrets(hs.ctx, hs.handshakeSecrets, hs.transcript.current());
    hs.ctx.setReadKeys('application', sats, suite);

    // RFC 8446 §4.5: after accepted 0-RTT data, EndOfEarlyData closes it under the early key.
    if (hs.earlyData === 'accepted') {
      hs.transcript.add(hs.ctx.send({ msgType: HandshakeType.end_of_early_data }));
    }
    installHandshakeWriteKeys(hs);
    const chts = hs.clientHandshakeSecret;
    const finish = (): Step => {
      const fin = hs.ctx.send({ msgType: HandshakeType.finished, verifyData: finishedVerifyData(hash, chts, hs.transcript.current()) });
      hs.transcript.add(fin);
      const rms = master.resumptionMasterSecret(hs.transcript.current());
      hs.ctx.setWriteKeys('application', cats, suite);
      hs.ctx.handshakeDone({
        suite,
        clientTrafficSecret: cats,
        serverTrafficSecret: sats,
        exporterMasterSecret: ems,
        resumptionMasterSecret: rms,
      });
      return new ClientTraffic(hs.ctx, postHandshakeAuth({ ctx: hs.ctx, config: hs.config, transcript: hs.transcript, suite }));
    };
    // RFC 8446 §4.4.2: answer a CertificateRequest (an empty Certificate when nothing fits).
    const req = hs.certificateRequest;
    return req ? sendClientCertificate(hs.ctx, hs.transcript, req, hs.config.clientCertificates, finish) : finish();
  }
}
