// Signature verification by SignatureScheme (RFC 8446 §4.2.3) over node:crypto, with the same
// policy as the noble verifier: scheme bound to key kind, RSA key limits, DER ECDSA signatures,
// the scheme's hash over whatever curve the key is on, high-S accepted, never a throw.
import { constants, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { SignatureScheme } from '../../wire/codepoints.js';
import type { PublicKey, SignatureVerifier } from '../provider.js';
import { bigintToBytes } from '../rsa/math.js';
import { rsaPublicKeyProblem } from '../rsa/verify.js';

type NodeHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

type SchemeSpec =
  | { readonly alg: 'ecdsa' | 'rsa-pkcs1'; readonly hash: NodeHash }
  | { readonly alg: 'rsa-pss'; readonly hash: NodeHash; readonly saltLength: number; readonly pssKey: boolean }
  | { readonly alg: 'ed25519' | 'ed448' };

const S = SignatureScheme;
const SCHEMES: ReadonlyMap<number, SchemeSpec> = new Map<number, SchemeSpec>([
  [S.ecdsa_secp256r1_sha256, { alg: 'ecdsa', hash: 'sha256' }],
  [S.ecdsa_secp384r1_sha384, { alg: 'ecdsa', hash: 'sha384' }],
  [S.ecdsa_secp521r1_sha512, { alg: 'ecdsa', hash: 'sha512' }],
  [S.ecdsa_sha1, { alg: 'ecdsa', hash: 'sha1' }],
  [S.ed25519, { alg: 'ed25519' }],
  [S.ed448, { alg: 'ed448' }],
  // RFC 8446 §4.2.3: salt length = hash length; rsae for rsaEncryption keys, pss for id-RSASSA-PSS keys.
  [S.rsa_pss_rsae_sha256, { alg: 'rsa-pss', hash: 'sha256', saltLength: 32, pssKey: false }],
  [S.rsa_pss_rsae_sha384, { alg: 'rsa-pss', hash: 'sha384', saltLength: 48, pssKey: false }],
  [S.rsa_pss_rsae_sha512, { alg: 'rsa-pss', hash: 'sha512', saltLength: 64, pssKey: false }],
  [S.rsa_pss_pss_sha256, { alg: 'rsa-pss', hash: 'sha256', saltLength: 32, pssKey: true }],
  [S.rsa_pss_pss_sha384, { alg: 'rsa-pss', hash: 'sha384', saltLength: 48, pssKey: true }],
  [S.rsa_pss_pss_sha512, { alg: 'rsa-pss', hash: 'sha512', saltLength: 64, pssKey: true }],
  [S.rsa_pkcs1_sha256, { alg: 'rsa-pkcs1', hash: 'sha256' }],
  [S.rsa_pkcs1_sha384, { alg: 'rsa-pkcs1', hash: 'sha384' }],
  [S.rsa_pkcs1_sha512, { alg: 'rsa-pkcs1', hash: 'sha512' }],
  [S.rsa_pkcs1_sha1, { alg: 'rsa-pkcs1', hash: 'sha1' }],
]);

const b64url = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');

/** DER: tag, definite length, content. */
function der(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

const EC_ALGORITHM: Record<'P-256' | 'P-384' | 'P-521', string> = {
  // SEQUENCE { id-ecPublicKey, namedCurve } (RFC 5480 §2.1.1)
  'P-256': '301306072a8648ce3d020106082a8648ce3d030107',
  'P-384': '301006072a8648ce3d020106052b81040022',
  'P-521': '301006072a8648ce3d020106052b81040023',
};

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

function importKey(key: PublicKey): KeyObject {
  switch (key.kind) {
    case 'ec': {
      const p = key.point;
      const len = (p.length - 1) / 2;
      if (p[0] === 0x04 && Number.isInteger(len))
        return createPublicKey({ key: { kty: 'EC', crv: key.curve, x: b64url(p.subarray(1, 1 + len)), y: b64url(p.subarray(1 + len)) }, format: 'jwk' });
      // A compressed point (RFC 5480 allows it in certificates): as SubjectPublicKeyInfo.
      const alg = hex(EC_ALGORITHM[key.curve]);
      const bits = der(0x03, Uint8Array.of(0, ...p));
      const body = new Uint8Array(alg.length + bits.length);
      body.set(alg);
      body.set(bits, alg.length);
      return createPublicKey({ key: Buffer.from(der(0x30, body)), format: 'der', type: 'spki' });
    }
    case 'ed25519':
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(key.key) }, format: 'jwk' });
    case 'ed448':
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed448', x: b64url(key.key) }, format: 'jwk' });
    case 'rsa':
      return createPublicKey({ key: { kty: 'RSA', n: b64url(bigintToBytes(key.n)), e: b64url(bigintToBytes(key.e)) }, format: 'jwk' });
  }
}

/**
 * KeyObjects by the engine's PublicKey objects: parsed certificates are cached by their bytes
 * (x509/certificate.ts), so a certificate seen again reuses its imported key.
 */
const keyCache = new WeakMap<PublicKey, KeyObject | null>();

function keyObject(key: PublicKey): KeyObject | null {
  let k = keyCache.get(key);
  if (k === undefined) {
    try {
      k = importKey(key);
    } catch {
      k = null; // not a valid key: every verification fails
    }
    keyCache.set(key, k);
  }
  return k;
}

function verifyUnchecked(scheme: number, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  const spec = SCHEMES.get(scheme);
  if (spec === undefined) return false;
  switch (spec.alg) {
    case 'ecdsa': {
      if (key.kind !== 'ec') return false;
      const k = keyObject(key);
      return k !== null && nodeVerify(spec.hash, message, { key: k, dsaEncoding: 'der' }, signature);
    }
    case 'ed25519': {
      if (key.kind !== 'ed25519' || key.key.length !== 32 || signature.length !== 64) return false;
      const k = keyObject(key);
      return k !== null && nodeVerify(null, message, k, signature); // RFC 8032 §5.1.7
    }
    case 'ed448': {
      if (key.kind !== 'ed448' || key.key.length !== 57 || signature.length !== 114) return false;
      const k = keyObject(key);
      return k !== null && nodeVerify(null, message, k, signature); // RFC 8032 §5.2.7
    }
    case 'rsa-pss': {
      if (key.kind !== 'rsa' || (key.pss === true) !== spec.pssKey || rsaPublicKeyProblem(key) !== null) return false;
      const k = keyObject(key);
      return (
        k !== null &&
        nodeVerify(spec.hash, message, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.saltLength }, signature)
      );
    }
    case 'rsa-pkcs1': {
      // RFC 4055 §1.2: an id-RSASSA-PSS key never verifies PKCS#1 v1.5 signatures.
      if (key.kind !== 'rsa' || key.pss === true || rsaPublicKeyProblem(key) !== null) return false;
      const k = keyObject(key);
      return k !== null && nodeVerify(spec.hash, message, { key: k, padding: constants.RSA_PKCS1_PADDING }, signature);
    }
  }
}

export const nodeVerifier: SignatureVerifier = Object.freeze({
  schemes: Object.freeze([...SCHEMES.keys()]),
  verify(scheme: number, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
    try {
      return verifyUnchecked(scheme, key, message, signature) === true;
    } catch {
      return false;
    }
  },
});
