// Server: asking for and checking the client's certificate, in the handshake and after it.
// RFC 8446 §4.3.2, §4.4.2, §4.4.3, §4.6.2.

import { tlsError } from '../../errors.js';
import type { HashAlgorithm } from '../../crypto/provider.js';
import type { Transcript } from '../../keyschedule/index.js';
import { ExtensionType, HandshakeType, schemeName } from '../../wire/codepoints.js';
import { encodeCertificateAuthorities, encodeOidFilters, encodeSignatureSchemeList } from '../../wire/extensions.js';
import type { Certificate, CertificateRequest, CertificateVerify, Extension, Finished } from '../../wire/types.js';
import type { VerifiedChain } from '../../x509/verify.js';
import { bytesEqual } from '../../util/bytes.js';
import { TypedState, type Handlers, type HandshakeState, type Step } from '../state.js';
import {
  CERTIFICATE_ONLY_SCHEMES,
  CERTIFICATE_VERIFY_SCHEMES,
  certificateVerifyContent,
  checkCertificateVerify,
  keyFitsScheme,
  runVerifier,
  type SignatureVerified,
} from '../signature.js';
import { verifyFinished } from '../secrets.js';
import type { HandshakeContext } from '../common.js';
import type { ClientAuthPolicy } from './types.js';

/** One certificate request in flight: in the main handshake (empty context) or after it. */
export interface ClientAuthRequest {
  readonly ctx: HandshakeContext;
  readonly policy: ClientAuthPolicy;
  /** The transcript the client's messages extend (RFC 8446 §4.4: main, or main + CertificateRequest). */
  readonly transcript: Transcript;
  readonly context: Uint8Array;
  readonly schemes: readonly number[];
  /** signature_algorithms_cert we sent: what the client's chain may be signed with. */
  readonly certSchemes: readonly number[];
  /** After Certificate (and CertificateVerify): the state that takes the client's Finished. */
  readonly next: (answer: ClientCertificateAnswer) => Step;
}

/** What the client answered: the chain as sent (empty when none) and, with a chain, its verification. */
export interface ClientCertificateAnswer {
  readonly presented: Uint8Array[];
  readonly verified?: VerifiedChain;
  /** The client's CertificateVerify checked out (RFC 8446 §4.4.3). */
  readonly proof?: SignatureVerified;
}

/** What we ask the client to sign with (signature_algorithms) and what its chain may be signed with (signature_algorithms_cert). */
export function clientAuthSchemes(hs: { readonly ctx: HandshakeContext }): { schemes: number[]; certSchemes: number[] } {
  const supported = new Set(hs.ctx.provider.verifier.schemes);
  const schemes = CERTIFICATE_VERIFY_SCHEMES.filter((s) => supported.has(s));
  // RFC 8446 §4.2.3: certificates may also be signed with PKCS#1 v1.5, which CertificateVerify may not use.
  const certSchemes = [...schemes, ...CERTIFICATE_ONLY_SCHEMES.filter((s) => supported.has(s))];
  return { schemes, certSchemes };
}

/** RFC 8446 §4.3.2: signature_algorithms (required), certificate_authorities, oid_filters. */
export function certificateRequest(
  hs: { readonly ctx: HandshakeContext },
  auth: ClientAuthPolicy,
  context: Uint8Array,
): { message: CertificateRequest; schemes: number[]; certSchemes: number[] } {
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

/** RFC 8446 §4.4.2: the client's Certificate, after our CertificateRequest. */
export class ExpectClientCertificate extends TypedState<typeof HandshakeType.certificate> {
  readonly name = 'ExpectClientCertificate';
  protected readonly handlers: Handlers<typeof HandshakeType.certificate> = {
    [HandshakeType.certificate]: (msg, raw) => this.certificate(msg, raw),
  };
  constructor(private readonly req: ClientAuthRequest) {
    super();
  }

  private certificate(msg: Certificate, raw: Uint8Array): Step {
    const req = this.req;
    // RFC 8446 §4.4.2: the context echoes the request's.
    if (!bytesEqual(msg.certificateRequestContext, req.context)) throw tlsError('illegal_parameter', 'certificate_request_context does not match');
    // RFC 8446 §4.4.2: status_request and friends only when we asked; we asked for none.
    for (const entry of msg.certificateList) {
      if (entry.extensions.length > 0) throw tlsError('unsupported_extension', 'unsolicited extension in a client CertificateEntry');
    }
    req.transcript.add(raw);
    const presented = msg.certificateList.map((e) => e.data);
    if (presented.length === 0) {
      // RFC 8446 §4.4.2.4: no certificate when one is required.
      if (req.policy.mode === 'required') throw tlsError('certificate_required', 'client sent no certificate');
      return req.next({ presented });
    }
    return runVerifier(
      () => req.policy.verifier.verify({ chain: presented, now: req.ctx.now(), signatureAlgorithmsCert: req.certSchemes }),
      (verified) => new ExpectClientCertificateVerify(req, presented, verified),
    );
  }
}

/** RFC 8446 §4.4.3: the client's CertificateVerify, over the key of the chain just verified. */
export class ExpectClientCertificateVerify extends TypedState<typeof HandshakeType.certificate_verify> {
  readonly name = 'ExpectClientCertificateVerify';
  protected readonly handlers: Handlers<typeof HandshakeType.certificate_verify> = {
    [HandshakeType.certificate_verify]: (msg, raw) => this.certificateVerify(msg, raw),
  };
  constructor(
    private readonly req: ClientAuthRequest,
    private readonly presented: Uint8Array[],
    private readonly verified: VerifiedChain,
  ) {
    super();
  }

  private certificateVerify(msg: CertificateVerify, raw: Uint8Array): Step {
    const { req, presented, verified } = this;
    const key = verified.leaf.publicKey;
    // RFC 8446 §4.4.3: a scheme we asked for, valid in CertificateVerify, fitting the key.
    if (!req.schemes.includes(msg.algorithm)) throw tlsError('illegal_parameter', `client CertificateVerify with ${schemeName(msg.algorithm)}, which was not requested`);
    if (!keyFitsScheme(msg.algorithm, key)) throw tlsError('illegal_parameter', `client CertificateVerify scheme ${schemeName(msg.algorithm)} does not fit the key`);
    const content = certificateVerifyContent('client', req.transcript.current());
    const failure = 'client CertificateVerify does not verify';
    return checkCertificateVerify(req.ctx.provider, { scheme: msg.algorithm, key, content, signature: msg.signature, failure }, (proof) => {
      req.transcript.add(raw);
      return req.next({ presented, verified, proof });
    });
  }
}

/** RFC 8446 §4.6.2: the Finished that closes a post-handshake authentication. */
export class ExpectPostHandshakeFinished implements HandshakeState {
  readonly name = 'ExpectPostHandshakeFinished';
  readonly expects = [HandshakeType.finished];
  constructor(
    private readonly transcript: Transcript,
    private readonly hash: HashAlgorithm,
    /** client_application_traffic_secret_N: the base key (RFC 8446 §4.4). */
    private readonly baseKey: Uint8Array,
    private readonly done: () => Step,
  ) {}

  handle(msg: Finished): Step {
    verifyFinished(this.hash, this.baseKey, this.transcript.current(), msg.verifyData, 'client');
    return this.done();
  }
}

/**
 * What a post-handshake request builds on (RFC 8446 §4.6.2), kept when the handshake completes:
 * no secret, only the transcript through the client's Finished.
 */
export interface PostHandshakeAuthBase {
  readonly ctx: HandshakeContext;
  readonly policy: ClientAuthPolicy;
  readonly hash: HashAlgorithm;
  readonly transcript: Transcript;
}

/**
 * RFC 8446 §4.6.2: a CertificateRequest after the handshake (the client offered
 * post_handshake_auth). Returns the state that takes the client's answer; `done` gets the
 * verified certificates (empty when the client sent none and none was required).
 */
export function requestPostHandshakeCertificate(base: PostHandshakeAuthBase, done: (presented: Uint8Array[]) => Step): HandshakeState {
  const { ctx, policy, hash } = base;
  const context = ctx.random(8);
  const { message, schemes, certSchemes } = certificateRequest(base, policy, context);
  const transcript = base.transcript.fork();
  transcript.add(ctx.send(message));
  return new ExpectClientCertificate({
    ctx,
    policy,
    transcript,
    context,
    schemes,
    certSchemes,
    next: (answer) => new ExpectPostHandshakeFinished(transcript, hash, ctx.trafficSecret('read'), () => done(answer.presented)),
  });
}
