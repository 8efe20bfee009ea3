// Private keys to SigningKeys (RFC 8446 §4.2.3, §4.4.3): ECDSA (DER), Ed25519, RSA-PSS.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { TlsUsageError, tlsError } from '../../errors.js';
import { SignatureScheme } from '../../wire/codepoints.js';
import type { HashAlgorithm, PrivateKeyMaterial, PublicKey, RandomSource, Signer, SigningKey } from '../provider.js';
import { createRsaSigningKey } from '../rsa/sign.js';
import { bitLength } from '../rsa/math.js';
import { SHA256, SHA384, SHA512 } from './hash.js';
import { defaultRandom, randomBytes } from './random.js';
import { ECDSA_CURVES } from './verify.js';

export interface SigningKeyOptions {
  /** Hedging entropy for ECDSA; salts and blinding for RSA. Default: globalThis.crypto.getRandomValues. */
  random?: RandomSource;
  /** RSA only: sign with WebCrypto (asynchronously). Default: when globalThis.crypto.subtle exists. */
  useWebCrypto?: boolean;
}

/** RFC 8446 §4.2.3: in TLS 1.3 each ECDSA scheme is bound to one curve. */
const EC_SCHEME = {
  'P-256': { scheme: SignatureScheme.ecdsa_secp256r1_sha256, hash: SHA256 },
  'P-384': { scheme: SignatureScheme.ecdsa_secp384r1_sha384, hash: SHA384 },
  'P-521': { scheme: SignatureScheme.ecdsa_secp521r1_sha512, hash: SHA512 },
} as const satisfies Record<'P-256' | 'P-384' | 'P-521', { scheme: number; hash: HashAlgorithm }>;

/** A SigningKey that signs with exactly one scheme (EC keys are bound to their curve's, RFC 8446 §4.2.3). */
export function singleSchemeKey(scheme: number, sign: Signer['sign']): SigningKey {
  const signer: Signer = Object.freeze({ scheme, sign });
  return Object.freeze({
    schemes: Object.freeze([scheme]),
    signer(s: number): Signer {
      if (s !== scheme) throw tlsError('internal_error', `key cannot sign with scheme 0x${s.toString(16)}`);
      return signer;
    },
  });
}

function ecSigningKey(m: Extract<PrivateKeyMaterial, { kind: 'ec' }>, random: RandomSource): SigningKey {
  const curve = ECDSA_CURVES[m.curve];
  const { scheme, hash } = EC_SCHEME[m.curve];
  const d = bytesToNumberBE(m.d);
  if (d < 1n || d >= curve.Point.Fn.ORDER) throw new TlsUsageError(`${m.curve} private key out of range`);
  const sk = curve.Point.Fn.toBytes(d); // fixed length, whatever padding PKCS#8 used
  if (m.publicPoint !== undefined) {
    let ok = false;
    try {
      ok = curve.Point.fromBytes(m.publicPoint).equals(curve.Point.fromBytes(curve.getPublicKey(sk, false)));
    } catch {
      ok = false;
    }
    if (!ok) throw new TlsUsageError(`${m.curve} public key does not match the private key`);
  }
  // RFC 6979 nonces hedged with fresh entropy (RFC 6979 §3.6), DER output (RFC 8446 §4.2.3).
  return singleSchemeKey(scheme, (message) =>
    curve.sign(hash.digest(message), sk, {
      prehash: false,
      format: 'der',
      extraEntropy: randomBytes(random, 32),
    }),
  );
}

function ed25519SigningKey(m: Extract<PrivateKeyMaterial, { kind: 'ed25519' }>): SigningKey {
  if (m.seed.length !== 32) throw new TlsUsageError('Ed25519 private key must be a 32-byte seed');
  const seed = m.seed.slice();
  return singleSchemeKey(SignatureScheme.ed25519, (message) => ed25519.sign(message, seed));
}

/**
 * A SigningKey for parsed private key material. EC keys sign with the scheme of their curve,
 * Ed25519 with ed25519, RSA with rsa_pss_rsae_sha256/384/512 (WebCrypto when available).
 * Throws TlsUsageError for invalid or inconsistent material.
 */
export function signingKeyFromMaterial(m: PrivateKeyMaterial, opts?: SigningKeyOptions): SigningKey {
  const random = opts?.random ?? defaultRandom;
  switch (m.kind) {
    case 'ec':
      return ecSigningKey(m, random);
    case 'ed25519':
      return ed25519SigningKey(m);
    case 'rsa':
      return createRsaSigningKey(m, opts);
  }
}

/** The public half of private key material (EC points uncompressed). */
export function publicKeyOfMaterial(m: PrivateKeyMaterial): PublicKey {
  switch (m.kind) {
    case 'ec': {
      const curve = ECDSA_CURVES[m.curve];
      const sk = curve.Point.Fn.toBytes(bytesToNumberBE(m.d));
      return { kind: 'ec', curve: m.curve, point: curve.getPublicKey(sk, false) };
    }
    case 'ed25519':
      return { kind: 'ed25519', key: ed25519.getPublicKey(m.seed) };
    case 'rsa':
      return { kind: 'rsa', n: m.n, e: m.e, bits: bitLength(m.n) };
  }
}

