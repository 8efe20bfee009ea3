// Signature verification by SignatureScheme (RFC 8446 §4.2.3) over @noble/curves and ../rsa.
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import { SignatureScheme } from '../../wire/codepoints.js';
import type { PublicKey, SignatureVerifier } from '../provider.js';
import { rsaPkcs1v15Verify, rsaPssVerify } from '../rsa/verify.js';
import { SHA1_DIGEST, SHA256, SHA384, SHA512, type DigestAlgorithm } from './hash.js';

/** What a signature scheme means; every provider's verifier reads this one table (one policy). */
export type SchemeSpec =
  | { readonly alg: 'ecdsa' | 'rsa-pkcs1'; readonly hash: DigestAlgorithm }
  /** `pssKey`: rsa_pss_pss_* (an id-RSASSA-PSS key) rather than rsa_pss_rsae_* (rsaEncryption). Salt length = hash length. */
  | { readonly alg: 'rsa-pss'; readonly hash: DigestAlgorithm; readonly pssKey: boolean }
  | { readonly alg: 'ed25519' }
  | { readonly alg: 'ed448' };

const S = SignatureScheme;
/** The schemes verified (RFC 8446 §4.2.3), in the order verifiers list them. */
export const SIGNATURE_SCHEMES: ReadonlyMap<number, SchemeSpec> = new Map<number, SchemeSpec>([
  [S.ecdsa_secp256r1_sha256, { alg: 'ecdsa', hash: SHA256 }],
  [S.ecdsa_secp384r1_sha384, { alg: 'ecdsa', hash: SHA384 }],
  [S.ecdsa_secp521r1_sha512, { alg: 'ecdsa', hash: SHA512 }],
  [S.ecdsa_sha1, { alg: 'ecdsa', hash: SHA1_DIGEST }],
  [S.ed25519, { alg: 'ed25519' }],
  [S.ed448, { alg: 'ed448' }],
  // RFC 8446 §4.2.3: rsa_pss_rsae_* for rsaEncryption keys, rsa_pss_pss_* for id-RSASSA-PSS
  // keys (PublicKey.pss); each only with its own kind of key.
  [S.rsa_pss_rsae_sha256, { alg: 'rsa-pss', hash: SHA256, pssKey: false }],
  [S.rsa_pss_rsae_sha384, { alg: 'rsa-pss', hash: SHA384, pssKey: false }],
  [S.rsa_pss_rsae_sha512, { alg: 'rsa-pss', hash: SHA512, pssKey: false }],
  [S.rsa_pss_pss_sha256, { alg: 'rsa-pss', hash: SHA256, pssKey: true }],
  [S.rsa_pss_pss_sha384, { alg: 'rsa-pss', hash: SHA384, pssKey: true }],
  [S.rsa_pss_pss_sha512, { alg: 'rsa-pss', hash: SHA512, pssKey: true }],
  [S.rsa_pkcs1_sha256, { alg: 'rsa-pkcs1', hash: SHA256 }],
  [S.rsa_pkcs1_sha384, { alg: 'rsa-pkcs1', hash: SHA384 }],
  [S.rsa_pkcs1_sha512, { alg: 'rsa-pkcs1', hash: SHA512 }],
  [S.rsa_pkcs1_sha1, { alg: 'rsa-pkcs1', hash: SHA1_DIGEST }],
]);

/**
 * A SignatureVerifier over SIGNATURE_SCHEMES from a check that may throw: unknown schemes, and
 * any throw, are false ("never throws on bad input").
 */
export function schemeVerifier(
  check: (spec: SchemeSpec, key: PublicKey, message: Uint8Array, signature: Uint8Array) => boolean,
): SignatureVerifier {
  return Object.freeze({
    schemes: Object.freeze([...SIGNATURE_SCHEMES.keys()]),
    verify(scheme: number, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
      const spec = SIGNATURE_SCHEMES.get(scheme);
      if (spec === undefined) return false;
      try {
        return check(spec, key, message, signature) === true;
      } catch {
        return false;
      }
    },
  });
}

export const ECDSA_CURVES: Readonly<Record<'P-256' | 'P-384' | 'P-521', ECDSA>> = {
  'P-256': p256,
  'P-384': p384,
  'P-521': p521,
};

function verifyUnchecked(spec: SchemeSpec, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  switch (spec.alg) {
    case 'ecdsa': {
      if (key.kind !== 'ec') return false;
      const curve = ECDSA_CURVES[key.curve];
      if (curve === undefined) return false;
      // The scheme's hash over whatever curve the key is on (X.509 may pair e.g. SHA-384 with
      // P-256); noble keeps the digest.s leftmost bits, as many as the order has (FIPS 186-5 ECDSA).
      // High-S signatures are valid ECDSA and other stacks produce them.
      return curve.verify(signature, spec.hash.digest(message), key.point, {
        prehash: false,
        lowS: false,
        format: 'der',
      });
    }
    case 'ed25519':
      if (key.kind !== 'ed25519' || key.key.length !== 32 || signature.length !== 64) return false;
      return ed25519.verify(signature, message, key.key, { zip215: false }); // RFC 8032 §5.1.7
    case 'ed448':
      if (key.kind !== 'ed448' || key.key.length !== 57 || signature.length !== 114) return false;
      return ed448.verify(signature, message, key.key); // RFC 8032 §5.2.7
    case 'rsa-pss':
      if (key.kind !== 'rsa' || (key.pss === true) !== spec.pssKey) return false;
      return rsaPssVerify(key, spec.hash, spec.hash.outputLen, message, signature); // RFC 8446 §4.2.3
    case 'rsa-pkcs1':
      // RFC 4055 §1.2: an id-RSASSA-PSS key never verifies PKCS#1 v1.5 signatures.
      if (key.kind !== 'rsa' || key.pss === true) return false;
      return rsaPkcs1v15Verify(key, spec.hash, message, signature);
  }
}

export const nobleVerifier: SignatureVerifier = schemeVerifier(verifyUnchecked);
