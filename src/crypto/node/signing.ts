// Private keys to SigningKeys (RFC 8446 §4.2.3, §4.4.3) over node:crypto, synchronously:
// ECDSA (DER, the curve's scheme), Ed25519, RSA-PSS (rsa_pss_rsae_*, salt = hash length).
// OpenSSL draws ECDSA nonces and PSS salts from its own generator.
import { constants, createECDH, createPrivateKey, ECDH, sign as nodeSign, type KeyObject } from 'node:crypto';
import { TlsUsageError, tlsError } from '../../errors.js';
import { SignatureScheme } from '../../wire/codepoints.js';
import type { PrivateKeyMaterial, Signer, SigningKey } from '../provider.js';
import { bigintToBytes, bitLength } from '../rsa/math.js';
import { rsaPrivateKeyProblem } from '../rsa/sign.js';
import { singleSchemeKey } from '../noble/signing.js';
import { b64url, view } from './buffer.js';

const b64urlInt = (x: bigint): string => b64url(bigintToBytes(x));

const EC = {
  'P-256': { scheme: SignatureScheme.ecdsa_secp256r1_sha256, hash: 'sha256', nodeName: 'prime256v1', bytes: 32 },
  'P-384': { scheme: SignatureScheme.ecdsa_secp384r1_sha384, hash: 'sha384', nodeName: 'secp384r1', bytes: 48 },
  'P-521': { scheme: SignatureScheme.ecdsa_secp521r1_sha512, hash: 'sha512', nodeName: 'secp521r1', bytes: 66 },
} as const;

function leftPad(b: Uint8Array, len: number): Uint8Array {
  if (b.length > len) throw new TlsUsageError('EC private key is too long for its curve');
  const out = new Uint8Array(len);
  out.set(b, len - b.length);
  return out;
}

function ecSigningKey(m: Extract<PrivateKeyMaterial, { kind: 'ec' }>): SigningKey {
  const c = EC[m.curve];
  // Strip DER/PKCS#8 padding, then pad to the curve's size.
  let i = 0;
  while (i < m.d.length - 1 && m.d[i] === 0) i++;
  const d = leftPad(m.d.subarray(i), c.bytes);
  const ecdh = createECDH(c.nodeName);
  let point: Uint8Array;
  try {
    ecdh.setPrivateKey(d); // refuses 0 and scalars >= n
    point = view(ecdh.getPublicKey());
  } catch {
    throw new TlsUsageError(`${m.curve} private key out of range`);
  }
  if (m.publicPoint !== undefined) {
    // The stated public point must be the private key's (compared as points: either encoding).
    let ok = false;
    try {
      const stated = ECDH.convertKey(m.publicPoint, c.nodeName, undefined, undefined, 'uncompressed');
      ok = typeof stated !== 'string' && Buffer.compare(stated, point) === 0;
    } catch {
      ok = false;
    }
    if (!ok) throw new TlsUsageError(`${m.curve} public key does not match the private key`);
  }
  const len = c.bytes;
  const key = createPrivateKey({
    key: { kty: 'EC', crv: m.curve, d: b64url(d), x: b64url(point.subarray(1, 1 + len)), y: b64url(point.subarray(1 + len)) },
    format: 'jwk',
  });
  d.fill(0);
  return singleSchemeKey(c.scheme, (message) => view(nodeSign(c.hash, message, { key, dsaEncoding: 'der' })));
}

/** RFC 8410 §7: PKCS#8 for an Ed25519 seed (fixed prefix). */
const ED25519_PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);

function ed25519SigningKey(m: Extract<PrivateKeyMaterial, { kind: 'ed25519' }>): SigningKey {
  if (m.seed.length !== 32) throw new TlsUsageError('Ed25519 private key must be a 32-byte seed');
  const der = Buffer.alloc(ED25519_PKCS8_PREFIX.length + 32);
  der.set(ED25519_PKCS8_PREFIX);
  der.set(m.seed, ED25519_PKCS8_PREFIX.length);
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  return singleSchemeKey(SignatureScheme.ed25519, (message) => view(nodeSign(null, message, key)));
}

const PSS = [
  [SignatureScheme.rsa_pss_rsae_sha256, 'sha256', 32],
  [SignatureScheme.rsa_pss_rsae_sha384, 'sha384', 48],
  [SignatureScheme.rsa_pss_rsae_sha512, 'sha512', 64],
] as const;

function rsaSigningKey(m: Extract<PrivateKeyMaterial, { kind: 'rsa' }>): SigningKey {
  const problem = rsaPrivateKeyProblem(m);
  if (problem !== null) throw new TlsUsageError(`RSA private key: ${problem}`);
  const jwk = {
    kty: 'RSA',
    n: b64urlInt(m.n),
    e: b64urlInt(m.e),
    d: b64urlInt(m.d),
    p: b64urlInt(m.p),
    q: b64urlInt(m.q),
    dp: b64urlInt(m.dp),
    dq: b64urlInt(m.dq),
    qi: b64urlInt(m.qi),
  };
  const key: KeyObject = createPrivateKey({ key: jwk, format: 'jwk' });
  // RFC 8017 §9.1.1: emLen >= hLen + sLen + 2 with sLen = hLen (RFC 8446 §4.2.3).
  const emLen = Math.ceil((bitLength(m.n) - 1) / 8);
  const usable = PSS.filter(([, , hLen]) => emLen >= 2 * hLen + 2);
  // No self-check here, unlike the bigint and WebCrypto paths: OpenSSL's CRT exponentiation
  // verifies its own result (and recomputes without CRT on a fault) before it returns.
  const signers = new Map<number, Signer>(
    usable.map(([scheme, hash, saltLength]) => {
      const opts = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
      return [scheme, Object.freeze({ scheme, sign: (message: Uint8Array): Uint8Array => view(nodeSign(hash, message, opts)) })];
    }),
  );
  return Object.freeze({
    schemes: Object.freeze([...signers.keys()]),
    signer(scheme: number): Signer {
      const s = signers.get(scheme);
      if (s === undefined) throw tlsError('internal_error', `RSA key cannot sign with scheme 0x${scheme.toString(16)}`);
      return s;
    },
  });
}

/**
 * A synchronous node:crypto SigningKey for parsed private key material: EC keys sign with the
 * scheme of their curve, Ed25519 with ed25519, RSA with rsa_pss_rsae_sha256/384/512.
 * Throws TlsUsageError for invalid or inconsistent material.
 */
export function nodeSigningKeyFromMaterial(m: PrivateKeyMaterial): SigningKey {
  switch (m.kind) {
    case 'ec':
      return ecSigningKey(m);
    case 'ed25519':
      return ed25519SigningKey(m);
    case 'rsa':
      return rsaSigningKey(m);
  }
}
