// Signature verification by SignatureScheme (RFC 8446 §4.2.3) over node:crypto, from the noble
// verifier's scheme table and with its policy: scheme bound to key kind, RSA key limits, DER
// ECDSA signatures, the scheme's hash over whatever curve the key is on, high-S accepted, never
// a throw.
import { constants, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { PublicKey, SignatureVerifier } from '../provider.js';
import { bigintToBytes } from '../rsa/math.js';
import { rsaPublicKeyProblem } from '../rsa/verify.js';
import type { DigestAlgorithm } from '../noble/hash.js';
import { schemeVerifier, type SchemeSpec } from '../noble/verify.js';
import { b64url } from './buffer.js';
import { concatBytes, fromHex } from '../../util/bytes.js';

const NODE_HASH: Record<DigestAlgorithm['name'], string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

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

function importKey(key: PublicKey): KeyObject {
  switch (key.kind) {
    case 'ec': {
      const p = key.point;
      const len = (p.length - 1) / 2;
      if (p[0] === 0x04 && Number.isInteger(len))
        return createPublicKey({ key: { kty: 'EC', crv: key.curve, x: b64url(p.subarray(1, 1 + len)), y: b64url(p.subarray(1 + len)) }, format: 'jwk' });
      // A compressed point (RFC 5480 allows it in certificates): as SubjectPublicKeyInfo.
      const body = concatBytes(fromHex(EC_ALGORITHM[key.curve]), der(0x03, Uint8Array.of(0, ...p)));
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

function verifyUnchecked(spec: SchemeSpec, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  switch (spec.alg) {
    case 'ecdsa': {
      if (key.kind !== 'ec') return false;
      const k = keyObject(key);
      return k !== null && nodeVerify(NODE_HASH[spec.hash.name], message, { key: k, dsaEncoding: 'der' }, signature);
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
        nodeVerify(NODE_HASH[spec.hash.name], message, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.hash.outputLen }, signature)
      );
    }
    case 'rsa-pkcs1': {
      // RFC 4055 §1.2: an id-RSASSA-PSS key never verifies PKCS#1 v1.5 signatures.
      if (key.kind !== 'rsa' || key.pss === true || rsaPublicKeyProblem(key) !== null) return false;
      const k = keyObject(key);
      return k !== null && nodeVerify(NODE_HASH[spec.hash.name], message, { key: k, padding: constants.RSA_PKCS1_PADDING }, signature);
    }
  }
}

export const nodeVerifier: SignatureVerifier = schemeVerifier(verifyUnchecked);
