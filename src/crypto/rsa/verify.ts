// RSA signature verification (RFC 8017 §8.1.2 RSASSA-PSS, §8.2.2 RSASSA-PKCS1-v1_5).
import { bytesEqual, concatBytes, fromHex } from '../../util/bytes.js';
import type { DigestAlgorithm } from '../noble/hash.js';
import { bitLength, i2osp, modPow, os2ip } from './math.js';

export interface RsaPublicKey {
  readonly n: bigint;
  readonly e: bigint;
}

/**
 * Moduli outside [MIN, MAX] bits are refused (MAX bounds the cost of peer-chosen keys). These are
 * the hard limits of every provider; certificate verifiers narrow them (2048..8192 by default).
 */
export const RSA_MIN_MODULUS_BITS = 1024;
export const RSA_MAX_MODULUS_BITS = 16384;
/**
 * The largest public exponent used: 2^32 - 1. RSAVP1 costs one squaring per bit of e, and a
 * peer picks e (audit finding 1: e of 16 kbit cost seconds per key). Go allows 2^31 - 1.
 */
export const RSA_MAX_PUBLIC_EXPONENT = (1n << 32n) - 1n;

/** Why a public key is unacceptable, or null when it is acceptable. */
export function rsaPublicKeyProblem(key: RsaPublicKey): string | null {
  // The exponent first: it alone bounds the modPow, whatever the modulus.
  if (key.e > RSA_MAX_PUBLIC_EXPONENT) return 'public exponent over 2^32 - 1';
  const bits = bitLength(key.n);
  if (bits < RSA_MIN_MODULUS_BITS) return `modulus of ${bits} bits is under ${RSA_MIN_MODULUS_BITS}`;
  if (bits > RSA_MAX_MODULUS_BITS) return `modulus of ${bits} bits is over ${RSA_MAX_MODULUS_BITS}`;
  if ((key.n & 1n) === 0n) return 'modulus is even';
  if (key.e < 3n || (key.e & 1n) === 0n) return 'public exponent must be odd and at least 3';
  if (key.e >= key.n) return 'public exponent must be less than the modulus';
  return null;
}

/** MGF1 (RFC 8017 §B.2.1). */
export function mgf1(hash: DigestAlgorithm, seed: Uint8Array, maskLen: number): Uint8Array {
  const out = new Uint8Array(maskLen);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  for (let counter = 0, off = 0; off < maskLen; counter++) {
    input[seed.length] = counter >>> 24;
    input[seed.length + 1] = (counter >>> 16) & 0xff;
    input[seed.length + 2] = (counter >>> 8) & 0xff;
    input[seed.length + 3] = counter & 0xff;
    const block = hash.digest(input);
    const take = Math.min(block.length, maskLen - off);
    out.set(block.subarray(0, take), off);
    off += take;
  }
  return out;
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with a given salt; null when emLen is too small. */
export function emsaPssEncode(
  hash: DigestAlgorithm,
  message: Uint8Array,
  salt: Uint8Array,
  emBits: number,
): Uint8Array | null {
  const hLen = hash.outputLen;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + salt.length + 2) return null;
  const mHash = hash.digest(message);
  const h = hash.digest(concatBytes(new Uint8Array(8), mHash, salt));
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const dbMask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = db[i]! ^ dbMask[i]!;
  db[0] = db[0]! & (0xff >> (8 * emLen - emBits));
  const em = new Uint8Array(emLen);
  em.set(db);
  em.set(h, db.length);
  em[emLen - 1] = 0xbc;
  return em;
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2). */
function emsaPssVerify(hash: DigestAlgorithm, message: Uint8Array, em: Uint8Array, emBits: number, sLen: number): boolean {
  const hLen = hash.outputLen;
  const emLen = em.length;
  if (emLen < hLen + sLen + 2) return false;
  if (em[emLen - 1] !== 0xbc) return false;
  const dbLen = emLen - hLen - 1;
  const maskedDb = em.subarray(0, dbLen);
  const h = em.subarray(dbLen, dbLen + hLen);
  const topMask = 0xff >> (8 * emLen - emBits);
  if ((maskedDb[0]! & ~topMask & 0xff) !== 0) return false;
  const db = mgf1(hash, h, dbLen);
  for (let i = 0; i < dbLen; i++) db[i] = db[i]! ^ maskedDb[i]!;
  db[0] = db[0]! & topMask;
  const psLen = emLen - hLen - sLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(dbLen - sLen);
  const hPrime = hash.digest(concatBytes(new Uint8Array(8), hash.digest(message), salt));
  return bytesEqual(h, hPrime);
}

/** RSAVP1 (RFC 8017 §5.2.2) on a k-byte signature; null when out of range or the key is refused. */
function rsavp1(key: RsaPublicKey, signature: Uint8Array): { m: bigint; k: number; modBits: number } | null {
  if (rsaPublicKeyProblem(key) !== null) return null;
  const modBits = bitLength(key.n);
  const k = Math.ceil(modBits / 8);
  if (signature.length !== k) return null;
  const s = os2ip(signature);
  if (s >= key.n) return null;
  return { m: modPow(s, key.e, key.n), k, modBits };
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2), MGF1 with the same hash. Never throws on bad input. */
export function rsaPssVerify(
  key: RsaPublicKey,
  hash: DigestAlgorithm,
  saltLength: number,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    if (!Number.isInteger(saltLength) || saltLength < 0) return false;
    const v = rsavp1(key, signature);
    if (v === null) return false;
    const emBits = v.modBits - 1;
    const em = i2osp(v.m, Math.ceil(emBits / 8));
    if (em === null) return false;
    return emsaPssVerify(hash, message, em, emBits, saltLength);
  } catch {
    return false;
  }
}

/**
 * DigestInfo prefixes (RFC 8017 §9.2 note 1), with NULL parameters and, as RFC 8017 §B.1
 * requires verifiers to accept, with absent parameters. Each is an exact encoding.
 */
const DIGEST_INFO_PREFIXES: Record<DigestAlgorithm['name'], readonly Uint8Array[]> = {
  'SHA-1': [fromHex('3021300906052b0e03021a05000414'), fromHex('301f300706052b0e03021a0414')],
  'SHA-256': [fromHex('3031300d060960864801650304020105000420'), fromHex('302f300b0609608648016503040201' + '0420')],
  'SHA-384': [fromHex('3041300d060960864801650304020205000430'), fromHex('303f300b0609608648016503040202' + '0430')],
  'SHA-512': [fromHex('3051300d060960864801650304020305000440'), fromHex('304f300b0609608648016503040203' + '0440')],
};

/** EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2) for a given DigestInfo prefix; null when emLen is too small. */
export function emsaPkcs1v15Encode(prefix: Uint8Array, digest: Uint8Array, emLen: number): Uint8Array | null {
  const tLen = prefix.length + digest.length;
  if (emLen < tLen + 11) return null;
  const em = new Uint8Array(emLen);
  em[1] = 0x01;
  em.fill(0xff, 2, emLen - tLen - 1);
  em.set(prefix, emLen - tLen);
  em.set(digest, emLen - digest.length);
  return em;
}

/** RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 §8.2.2): compares the whole encoding. Never throws on bad input. */
export function rsaPkcs1v15Verify(
  key: RsaPublicKey,
  hash: DigestAlgorithm,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const prefixes = DIGEST_INFO_PREFIXES[hash.name];
    if (prefixes === undefined) return false;
    const v = rsavp1(key, signature);
    if (v === null) return false;
    const em = i2osp(v.m, v.k);
    if (em === null) return false;
    const digest = hash.digest(message);
    for (const prefix of prefixes) {
      const expected = emsaPkcs1v15Encode(prefix, digest, v.k);
      if (expected !== null && bytesEqual(em, expected)) return true;
    }
    return false;
  } catch {
    return false;
  }
}
