// Server: asking for and checking the client's certificate, in the handshake and after it.
// RFC 8446 §4.3.2, §4.4.2, §4.4.3, §4.6.2.

import { tlsError } from '../../errors.js';
import type { PublicKey } from '../../crypto/provider.js';
import type { Transcript } from '../../keyschedule/index.js';
import { ExtensionType, HandshakeType, schemeName } from '../../wire/codepoints.js';
import { encodeCertificateAuthorities, encodeOidFilters, encodeSignatureSchemeList } from '../../wire/extensions.js';
import type { Certificate, CertificateRequest, CertificateVerify, Extension, Finished } from '../../wire/types.js';
import type { VerifiedChain } from '../../x509/verify.js';
import { bytesEqual } from '../../util/bytes.js';
import {
  CERTIFICATE_ONLY_SCHEMES,
  CERTIFICATE_VERIFY_SCHEMES,
  certificateVerifyContent,
  checkCertificateVerify,
  keyFitsScheme,
  verifyFinished,
  runVerifier,
  type HandshakeState,
  type Step,
} from '../common.js';
import type { ServerHandshake } from './data.js';

/** What a certificate request needs of the server handshake: the context, the clientAuth policy, the suite. */
export type ClientAuthBase = Pick<ServerHandshake, 'ctx' | 'config' | 'suite'>;

/**
 * What a post-handshake request builds on (RFC 8446 §4.6.2), kept when the handshake completes:
 * no secret, only the transcript through the client's Finished.
 */
export interface PostHandshakeAuthBase extends ClientAuthBase {
  readonly transcript: Transcript;
}

/** One certificate request in flight: in the main handshake (empty context) or after it. */
export interface ClientAuthRequest {
  readonly hs: ClientAuthBase;
  /** The transcript the client's messages extend (RFC 8446 §4.4: main, or main + CertificateRequest). */
  readonly transcript: Transcript;
  readonly context: Uint8Array;
  readonly schemes: readonly number[];
  /** signature_algorithms_cert we sent: what the client's chain may be signed with. */
  readonly certSchemes: readonly number[];
  /** After Certificate (and CertificateVerify): the state that takes the client's Finished. */
  readonly next: (request: ClientAuthRequest) => Step;
  clientKey?: PublicKey;
  verified?: VerifiedChain;
  /** The chain as the client sent it (empty when it sent none). */
  presented?: Uint8Array[];
}

/** What we ask the client to sign with (signature_algorithms) and what its chain may be signed with (signature_algorithms_cert). */
export function clientAuthSchemes(hs: Pick<ServerHandshake, 'ctx'>): { schemes: number[]; certSchemes: number[] } {
  const supported = new Set(hs.ctx.provider.verifier.schemes);
  const schemes = CERTIFICATE_VERIFY_SCHEMES.filter((s) => supported.has(s));
  // RFC 8446 §4.2.3: certificates may also be signed with PKCS#1 v1.5, which CertificateVerify may not use.
  const certSchemes = [...schemes, ...CERTIFICATE_ONLY_SCHEMES.filter((s) => supported.has(s))];
  return { schemes, certSchemes };
}

/** RFC 8446 §4.3.2: signature_algorithms (required), certificate_authorities, oid_filters. */
export function certificateRequest(
  hs: ClientAuthBase,
  context: Uint8Array,
): { message: CertificateRequest; schemes: number[]; certSchemes: number[] } {
  const auth = hs.config.clientAuth!;
  const { schemes, certSchemes } = clientAuthSchemes(hs);
  const extensions: Extension[] = [
    { type: ExtensionType.signature_algorithms, data: encodeSignatureSchemeList(schemes) },
    { type: ExtensionType.signature_algorithms_cert, data: encodeSignatureSchemeList(certSchemes) },
  ];
  const authorities = auth.sendAuthorities === false ? [] : (auth.verifier.authorities ?? []);
  if (authorities.length > 0) {
    extensions.push({ type: ExtensionType.certificate_authorities, data: encodeCertificateAuthorities([...authorities]) });
  }
  if (auth.oidFilters?.length) extensions.push({ type: ExtensionType.oid_filters, data: encodeOidFilters(auth.oidFilters) });
  return { message: { msgType: HandshakeType.certificate_request, certificateRequestContext: context, extensions }, schemes, certSchemes };
}

export class ExpectClientCertificate implements HandshakeState {
  readonly name = 'ExpectClientCertificate';
  readonly expects = [HandshakeType.certificate];
  constructor(private readonly req: ClientAuthRequest) {}

  handle(msg: Certificate, raw: Uint8Array): Step {
    const { hs, transcript } = this.req;
    // RFC 8446 §4.4.2: the context echoes the request's.
    if (!bytesEqual(msg.certificateRequestContext, this.req.context)) throw tlsError('illegal_parameter', 'certificate_request_context does not match');
    // RFC 8446 §4.4.2: status_request and friends only when we asked; we asked for none.
    for (const entry of msg.certificateList) {
      if (entry.extensions.length > 0) throw tlsError('unsupported_extension', 'unsolicited extension in a client CertificateEntry');
    }
    transcript.add(raw);
    this.req.presented = msg.certificateList.map((e) => e.data);
    if (msg.certificateList.length === 0) {
      // RFC 8446 §4.4.2.4: no certificate when one is required.
      if (hs.config.clientAuth!.mode === 'required') throw tlsError('certificate_required', 'client sent no certificate');
      return this.req.next(this.req);
    }
    const chain = msg.certificateList.map((e) => e.data);
    return runVerifier(
      () => hs.config.clientAuth!.verifier.verify({ chain, now: hs.ctx.now(), signatureAlgorithmsCert: this.req.certSchemes }),
      (verified) => {
        this.req.verified = verified;
        this.req.clientKey = verified.leaf.publicKey;
        return new ExpectClientCertificateVerify(this.req);
      },
    );
  }
}

export class ExpectClientCertificateVerify implements HandshakeState {
  readonly name = 'ExpectClientCertificateVerify';
  readonly expects = [HandshakeType.certificate_verify];
  constructor(private readonly req: ClientAuthRequest) {}

  handle(msg: CertificateVerify, raw: Uint8Array): Step {
    const { hs, transcript } = this.req;
    const key = this.req.clientKey!;
    // RFC 8446 §4.4.3: a scheme we asked for, valid in CertificateVerify, fitting the key.
    if (!this.req.schemes.includes(msg.algorithm)) throw tlsError('illegal_parameter', `client CertificateVerify with ${schemeName(msg.algorithm)}, which was not requested`);
    if (!keyFitsScheme(msg.algorithm, key)) throw tlsError('illegal_parameter', `client CertificateVerify scheme ${schemeName(msg.algorithm)} does not fit the key`);
    const content = certificateVerifyContent('client', transcript.current());
    const failure = 'client CertificateVerify does not verify';
    return checkCertificateVerify(hs.ctx.provider, { scheme: msg.algorithm, key, content, signature: msg.signature, failure }, () => {
      transcript.add(raw);
      return this.req.next(this.req);
    });
  }
}

/** RFC 8446 §4.6.2: the Finished that closes a post-handshake authentication. */
export class ExpectPostHandshakeFinished implements HandshakeState {
  readonly name = 'ExpectPostHandshakeFinished';
  readonly expects = [HandshakeType.finished];
  constructor(
    private readonly req: ClientAuthRequest,
    /** client_application_traffic_secret_N: the base key (RFC 8446 §4.4). */
    private readonly baseKey: Uint8Array,
    private readonly done: (req: ClientAuthRequest) => Step,
  ) {}

  handle(msg: Finished): Step {
    const hash = this.req.hs.suite!.hash;
    verifyFinished(hash, this.baseKey, this.req.transcript.current(), msg.verifyData, 'client');
    return this.done(this.req);
  }
}

/**
 * RFC 8446 §4.6.2: a CertificateRequest after the handshake (the client offered
 * post_handshake_auth). Returns the state that takes the client's answer; `done` gets the
 * verified certificates (empty when the client sent none and none was required).
 */
export function requestPostHandshakeCertificate(base: PostHandshakeAuthBase, done: (presented: Uint8Array[]) => Step): HandshakeState {
  const { ctx } = base;
  const context = ctx.random(8);
  const { message, schemes, certSchemes } = certificateRequest(base, context);
  const transcript = base.transcript.fork();
  transcript.add(ctx.send(message));
  return new ExpectClientCertificate({
    hs: base,
    transcript,
    context,
    schemes,
    certSchemes,
    next: (req) => new ExpectPostHandshakeFinished(req, ctx.trafficSecret('read'), (r) => done(r.presented ?? [])),
  });
}
