// Peer authentication: CertificateVerify content and schemes, key/scheme fit, the verifier call.
// RFC 8446 §4.2.3, §4.4.2, §4.4.3.

import { TlsError, tlsError, certificateError } from '../errors.js';
import type { CryptoProvider, PublicKey } from '../crypto/provider.js';
import { SignatureScheme } from '../wire/codepoints.js';
import { concatBytes, utf8 } from '../util/bytes.js';
import { whenReady, type Step } from './state.js';

// RFC 8446 §4.4.3: 64 spaces, the context string, a zero byte, the transcript hash.
const SIG_PAD = new Uint8Array(64).fill(0x20);
const SERVER_CV_CONTEXT = utf8('TLS 1.3, server CertificateVerify');
const CLIENT_CV_CONTEXT = utf8('TLS 1.3, client CertificateVerify');
export function certificateVerifyContent(signer: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  return concatBytes(SIG_PAD, signer === 'server' ? SERVER_CV_CONTEXT : CLIENT_CV_CONTEXT, new Uint8Array([0]), transcriptHash);
}

/** Schemes TLS 1.3 allows in CertificateVerify (RFC 8446 §4.2.3: no PKCS#1 v1.5, no SHA-1). */
export const CERTIFICATE_VERIFY_SCHEMES: readonly number[] = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ecdsa_secp521r1_sha512,
  SignatureScheme.ed25519,
  SignatureScheme.ed448,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pss_pss_sha256,
  SignatureScheme.rsa_pss_pss_sha384,
  SignatureScheme.rsa_pss_pss_sha512,
];

/** Accepted in certificate signatures only (RFC 8446 §4.2.3). */
export const CERTIFICATE_ONLY_SCHEMES: readonly number[] = [
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

/** RFC 8446 §4.2.3: an ECDSA scheme names its curve in TLS 1.3; the key must be on it. */
export function keyFitsScheme(scheme: number, key: PublicKey): boolean {
  switch (scheme) {
    case SignatureScheme.ecdsa_secp256r1_sha256:
      return key.kind === 'ec' && key.curve === 'P-256';
    case SignatureScheme.ecdsa_secp384r1_sha384:
      return key.kind === 'ec' && key.curve === 'P-384';
    case SignatureScheme.ecdsa_secp521r1_sha512:
      return key.kind === 'ec' && key.curve === 'P-521';
    case SignatureScheme.ed25519:
      return key.kind === 'ed25519';
    case SignatureScheme.ed448:
      return key.kind === 'ed448';
    // RFC 8446 §4.2.3: rsae for rsaEncryption keys, pss for id-RSASSA-PSS keys.
    case SignatureScheme.rsa_pss_rsae_sha256:
    case SignatureScheme.rsa_pss_rsae_sha384:
    case SignatureScheme.rsa_pss_rsae_sha512:
      return key.kind === 'rsa' && !key.pss;
    case SignatureScheme.rsa_pss_pss_sha256:
    case SignatureScheme.rsa_pss_pss_sha384:
    case SignatureScheme.rsa_pss_pss_sha512:
      return key.kind === 'rsa' && key.pss === true;
    default:
      return false;
  }
}

/**
 * Run a certificate verifier (it may be async, and it may be the application's own hook):
 * anything it throws that is not already a TlsError becomes bad_certificate (check 'verifier').
 */
export function runVerifier<T>(verify: () => T | Promise<T>, next: (verified: T) => Step): Step {
  const asError = (e: unknown): TlsError =>
    e instanceof TlsError ? e : certificateError('bad_certificate', 'verifier', e instanceof Error ? e.message : String(e), e);
  let result: T | Promise<T>;
  try {
    result = verify();
  } catch (e) {
    throw asError(e);
  }
  return whenReady(result instanceof Promise ? result.catch((e: unknown) => Promise.reject(asError(e))) : result, next);
}

declare const signatureChecked: unique symbol;

/**
 * Proof that a peer's CertificateVerify signature checked out (RFC 8446 §4.4.3). Only
 * `checkCertificateVerify` makes one, so a state that needs it cannot be built without the check.
 */
export interface SignatureVerified {
  readonly [signatureChecked]: true;
  readonly scheme: number;
}

/**
 * RFC 8446 §4.4.3: check a CertificateVerify signature with the provider's handshake verifier,
 * which may answer later (a pending step). Anything but `true`, a throw or a rejection included,
 * is decrypt_error.
 */
export function checkCertificateVerify(
  provider: CryptoProvider,
  v: { scheme: number; key: PublicKey; content: Uint8Array; signature: Uint8Array; failure: string },
  next: (proof: SignatureVerified) => Step,
): Step {
  const proof = { scheme: v.scheme } as SignatureVerified;
  const verifier = provider.handshakeVerifier ?? provider.verifier;
  const bad = (cause?: unknown): TlsError =>
    tlsError('decrypt_error', v.failure, cause);
  let ok: boolean | Promise<boolean>;
  try {
    ok = verifier.verify(v.scheme, v.key, v.content, v.signature);
  } catch (e) {
    throw bad(e);
  }
  if (ok instanceof Promise) {
    const checked = ok.then(
      (r) => {
        if (r !== true) throw bad();
      },
      (e: unknown) => {
        throw e instanceof TlsError ? e : bad(e);
      },
    );
    return whenReady(checked, () => next(proof));
  }
  if (ok !== true) throw bad();
  return next(proof);
}
