// Key formats: SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 5480, RFC 8410, RFC 8017),
// PKCS#8 (RFC 5208 / RFC 5958), SEC1 ECPrivateKey (RFC 5915), PKCS#1 RSAPrivateKey (RFC 8017 §A.1.2).

import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { PrivateKeyMaterial, PublicKey } from '../../crypto/provider.js';
import { AlertDescription, CertificateError } from '../../errors.js';
import {
  DerError,
  DerReader,
  Tag,
  ctx,
  decodeOid,
  encodeBitString,
  encodeOctetString,
  encodeOid,
  encodeNull,
  encodeSequence,
  encodeTlv,
  encodeUnsigned,
  readOctetAlignedBits,
  readOid,
  readSingle,
  readSmallInt,
  readUnsigned,
} from './der.js';
import { pemBlocks, pemEncode } from '../pem.js';

export const KeyOid = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  x25519: '1.3.101.110',
  x448: '1.3.101.111',
  dsa: '1.2.840.10040.4.1',
} as const;

export type EcCurve = 'P-256' | 'P-384' | 'P-521';

/** RFC 5480 §2.1.1.1 named curves. */
export const CurveOid: Record<EcCurve, string> = {
  'P-256': '1.2.840.10045.3.1.7',
  'P-384': '1.3.132.0.34',
  'P-521': '1.3.132.0.35',
};
const curveByOid = new Map<string, EcCurve>(Object.entries(CurveOid).map(([c, o]) => [o, c as EcCurve]));

/** Field element size in bytes. */
export const curveSize: Record<EcCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const curveImpl = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

const keyAlgName = new Map<string, string>([
  [KeyOid.rsassaPss, 'RSASSA-PSS'],
  [KeyOid.ed448, 'Ed448'],
  [KeyOid.x25519, 'X25519'],
  [KeyOid.x448, 'X448'],
  [KeyOid.dsa, 'DSA'],
  ['1.2.840.10046.2.1', 'DH'],
  ['1.2.156.10197.1.301', 'SM2'],
]);
const describeKeyOid = (oid: string): string => (keyAlgName.has(oid) ? `${keyAlgName.get(oid)!} (${oid})` : oid);

/** A private key file that cannot be used (malformed, encrypted, or of an unsupported type). */
export class KeyFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyFormatError';
  }
}

// ---------------------------------------------------------------- public keys

/**
 * Parses a DER SubjectPublicKeyInfo. Malformed input → CertificateError(bad_certificate,
 * 'public-key'); a well-formed key of a type we do not support → unsupported_certificate.
 */
export function parseSpki(der: Uint8Array): PublicKey {
  try {
    const spki = readSingle(der, Tag.SEQUENCE, 'SubjectPublicKeyInfo');
    const r = new DerReader(spki.value);
    const alg = new DerReader(r.expect(Tag.SEQUENCE, 'AlgorithmIdentifier').value);
    const oid = readOid(alg, 'algorithm');
    const key = readOctetAlignedBits(r, 'subjectPublicKey');
    r.end('SubjectPublicKeyInfo');
    switch (oid) {
      case KeyOid.ecPublicKey: {
        // RFC 5480 §2.1.1: parameters MUST be a namedCurve for our purposes.
        if (alg.peekTag() !== Tag.OID) throw unsupportedKey('EC keys with explicit or implicit curve parameters');
        const curveOid = readOid(alg, 'namedCurve');
        alg.end('ECParameters');
        const curve = curveByOid.get(curveOid);
        if (!curve) throw unsupportedKey(`EC curve ${curveOid}`);
        return { kind: 'ec', curve, point: normalizePoint(curve, key) };
      }
      case KeyOid.ed25519:
      case KeyOid.ed448: {
        // RFC 8410 §3: parameters MUST be absent.
        alg.end('AlgorithmIdentifier');
        const ed = oid === KeyOid.ed25519;
        if (key.length !== (ed ? 32 : 57)) throw new DerError(`${ed ? 'Ed25519' : 'Ed448'} key has length ${key.length}`);
        return ed ? { kind: 'ed25519', key: key.slice() } : { kind: 'ed448', key: key.slice() };
      }
      case KeyOid.rsaEncryption: {
        // RFC 8017 §A.1 / RFC 3279 §2.3.1: parameters NULL (tolerate absence).
        const p = alg.optional(Tag.NULL);
        if (p && p.value.length !== 0) throw new DerError('bad NULL');
        alg.end('AlgorithmIdentifier');
        const { n, e } = parseRsaPublicKey(key);
        return { kind: 'rsa', n, e, bits: n.toString(2).length };
      }
      default:
        throw unsupportedKey(`public key algorithm ${describeKeyOid(oid)}`);
    }
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    throw new CertificateError(AlertDescription.bad_certificate, 'public-key', (e as Error).message, { cause: e });
  }
}

function unsupportedKey(what: string): CertificateError {
  return new CertificateError(AlertDescription.unsupported_certificate, 'public-key', `unsupported ${what}`);
}

/** RFC 8017 §A.1.1 RSAPublicKey. */
function parseRsaPublicKey(der: Uint8Array): { n: bigint; e: bigint } {
  const r = new DerReader(readSingle(der, Tag.SEQUENCE, 'RSAPublicKey').value);
  const n = readUnsigned(r, 'modulus');
  const e = readUnsigned(r, 'publicExponent');
  r.end('RSAPublicKey');
  if (n < 3n || (n & 1n) === 0n) throw new DerError('RSA modulus is not odd');
  if (e < 3n || (e & 1n) === 0n) throw new DerError('RSA exponent is not odd');
  return { n, e };
}

/** Validates a SEC1 point (SEC1 §2.3.4) and returns its uncompressed form. */
function normalizePoint(curve: EcCurve, point: Uint8Array): Uint8Array {
  try {
    return curveImpl[curve].Point.fromBytes(point).toBytes(false);
  } catch (e) {
    throw new DerError(`invalid ${curve} point: ${(e as Error).message}`);
  }
}

/** Encodes a PublicKey as a DER SubjectPublicKeyInfo. */
export function encodeSpki(key: PublicKey): Uint8Array {
  switch (key.kind) {
    case 'ec':
      return encodeSequence(encodeSequence(encodeOid(KeyOid.ecPublicKey), encodeOid(CurveOid[key.curve])), encodeBitString(key.point));
    case 'ed25519':
      return encodeSequence(encodeSequence(encodeOid(KeyOid.ed25519)), encodeBitString(key.key));
    case 'ed448':
      return encodeSequence(encodeSequence(encodeOid(KeyOid.ed448)), encodeBitString(key.key));
    case 'rsa':
      return encodeSequence(
        encodeSequence(encodeOid(KeyOid.rsaEncryption), encodeNull()),
        encodeBitString(encodeSequence(encodeUnsigned(key.n), encodeUnsigned(key.e))),
      );
  }
}

/** The public half of a private key. */
export function publicKeyFromPrivate(key: PrivateKeyMaterial): PublicKey {
  switch (key.kind) {
    case 'ec':
      return { kind: 'ec', curve: key.curve, point: key.publicPoint ?? curveImpl[key.curve].getPublicKey(key.d, false) };
    case 'ed25519':
      return { kind: 'ed25519', key: ed25519.getPublicKey(key.seed) };
    case 'rsa':
      return { kind: 'rsa', n: key.n, e: key.e, bits: key.n.toString(2).length };
  }
}

// ---------------------------------------------------------------- private keys

/**
 * Parses the first private key in a PEM file: PKCS#8 "PRIVATE KEY" (EC P-256/384/521,
 * Ed25519, RSA), SEC1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY". Throws KeyFormatError.
 */
export function parsePrivateKeyPem(pem: string): PrivateKeyMaterial {
  let blocks;
  try {
    blocks = pemBlocks(pem);
  } catch (e) {
    throw new KeyFormatError((e as Error).message, { cause: e });
  }
  for (const b of blocks) {
    switch (b.label) {
      case 'PRIVATE KEY':
        return parsePkcs8PrivateKey(b.der);
      case 'EC PRIVATE KEY':
        return wrap('EC PRIVATE KEY', () => parseEcPrivateKey(b.der, undefined));
      case 'RSA PRIVATE KEY':
        return wrap('RSA PRIVATE KEY', () => parseRsaPrivateKey(b.der));
      case 'ENCRYPTED PRIVATE KEY':
        throw new KeyFormatError('encrypted private keys are not supported; decrypt it first (openssl pkey -in key.pem -out plain.pem)');
      default:
        continue; // e.g. "EC PARAMETERS" written by `openssl ecparam -genkey`, or certificates
    }
  }
  throw new KeyFormatError('no PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block found');
}

function wrap<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof KeyFormatError) throw e;
    throw new KeyFormatError(`${what}: ${(e as Error).message}`, { cause: e });
  }
}

/** RFC 5958 OneAsymmetricKey (PKCS#8 PrivateKeyInfo). */
export function parsePkcs8PrivateKey(der: Uint8Array): PrivateKeyMaterial {
  return wrap('PKCS#8', () => {
    const r = new DerReader(readSingle(der, Tag.SEQUENCE, 'PrivateKeyInfo').value);
    const version = readSmallInt(r, 'version');
    if (version > 1) throw new DerError(`unknown version ${version}`);
    const alg = new DerReader(r.expect(Tag.SEQUENCE, 'privateKeyAlgorithm').value);
    const oid = readOid(alg, 'algorithm');
    const priv = r.expect(Tag.OCTET_STRING, 'privateKey').value;
    r.optional(ctx(0, true)); // attributes
    r.optional(ctx(1, false)); // publicKey (v2)
    r.end('PrivateKeyInfo');
    switch (oid) {
      case KeyOid.ecPublicKey: {
        const curveOid = readOid(alg, 'namedCurve');
        const curve = curveByOid.get(curveOid);
        if (!curve) throw new KeyFormatError(`unsupported EC curve ${curveOid}`);
        return parseEcPrivateKey(priv, curve);
      }
      case KeyOid.ed25519: {
        alg.end('AlgorithmIdentifier');
        // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, itself inside privateKey.
        const seed = readSingle(priv, Tag.OCTET_STRING, 'CurvePrivateKey').value;
        if (seed.length !== 32) throw new DerError('Ed25519 private key must be 32 bytes');
        return { kind: 'ed25519', seed: seed.slice() };
      }
      case KeyOid.rsaEncryption:
        return parseRsaPrivateKey(priv);
      default:
        throw new KeyFormatError(`unsupported private key algorithm ${describeKeyOid(oid)}`);
    }
  });
}

/** RFC 5915 ECPrivateKey; `curve` comes from PKCS#8, else from the [0] parameters. */
function parseEcPrivateKey(der: Uint8Array, curve: EcCurve | undefined): PrivateKeyMaterial {
  const r = new DerReader(readSingle(der, Tag.SEQUENCE, 'ECPrivateKey').value);
  if (readSmallInt(r, 'version') !== 1) throw new DerError('ECPrivateKey version must be 1');
  const d = r.expect(Tag.OCTET_STRING, 'privateKey').value;
  const params = r.optional(ctx(0, true));
  const pub = r.optional(ctx(1, true));
  r.end('ECPrivateKey');
  let c = curve;
  if (params) {
    // RFC 5915 §3: parameters [0] ECParameters, a namedCurve OID here.
    const named = curveByOid.get(decodeOid(readSingle(params.value, Tag.OID, 'namedCurve').value));
    if (!named) throw new KeyFormatError('unsupported EC curve parameters');
    if (c && c !== named) throw new DerError('curve mismatch between PKCS#8 and ECPrivateKey');
    c = named;
  }
  if (!c) throw new KeyFormatError('EC private key without curve parameters');
  const size = curveSize[c];
  if (d.length === 0 || d.length > size) throw new DerError(`bad ${c} private key length ${d.length}`);
  // Some encoders drop leading zero bytes; SEC1 §2.3.7 wants the full field size.
  const dFull = new Uint8Array(size);
  dFull.set(d, size - d.length);
  if (!curveImpl[c].utils.isValidSecretKey(dFull)) throw new DerError(`invalid ${c} private key`);
  const derived = curveImpl[c].getPublicKey(dFull, false);
  if (pub) {
    const point = normalizePoint(c, readOctetAlignedBits(new DerReader(pub.value), 'publicKey'));
    if (point.length !== derived.length || point.some((b, i) => b !== derived[i])) throw new DerError('public key does not match private key');
  }
  return { kind: 'ec', curve: c, d: dFull, publicPoint: derived };
}

/** RFC 8017 §A.1.2 RSAPrivateKey (two-prime only). */
function parseRsaPrivateKey(der: Uint8Array): PrivateKeyMaterial {
  const r = new DerReader(readSingle(der, Tag.SEQUENCE, 'RSAPrivateKey').value);
  const version = readSmallInt(r, 'version');
  if (version !== 0) throw new KeyFormatError('multi-prime RSA keys are not supported');
  const [n, e, d, p, q, dp, dq, qi] = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'].map((f) => readUnsigned(r, f)) as [
    bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint,
  ];
  r.end('RSAPrivateKey');
  if (p * q !== n) throw new DerError('RSA p*q != n');
  return { kind: 'rsa', n, e, d, p, q, dp, dq, qi };
}

/** Encodes a private key as PKCS#8 PrivateKeyInfo (version 0), the form OpenSSL writes. */
export function encodePkcs8PrivateKey(key: PrivateKeyMaterial): Uint8Array {
  const v0 = encodeUnsigned(0n);
  switch (key.kind) {
    case 'ec': {
      const point = key.publicPoint ?? curveImpl[key.curve].getPublicKey(key.d, false);
      const ecKey = encodeSequence(
        encodeUnsigned(1n),
        encodeOctetString(key.d),
        encodeTlv(ctx(1, true), encodeBitString(point)),
      );
      return encodeSequence(v0, encodeSequence(encodeOid(KeyOid.ecPublicKey), encodeOid(CurveOid[key.curve])), encodeOctetString(ecKey));
    }
    case 'ed25519':
      return encodeSequence(v0, encodeSequence(encodeOid(KeyOid.ed25519)), encodeOctetString(encodeOctetString(key.seed)));
    case 'rsa': {
      const rsaKey = encodeSequence(...[0n, key.n, key.e, key.d, key.p, key.q, key.dp, key.dq, key.qi].map(encodeUnsigned));
      return encodeSequence(v0, encodeSequence(encodeOid(KeyOid.rsaEncryption), encodeNull()), encodeOctetString(rsaKey));
    }
  }
}

/** PKCS#8 "PRIVATE KEY" PEM. */
export function privateKeyToPem(key: PrivateKeyMaterial): string {
  return pemEncode(encodePkcs8PrivateKey(key), 'PRIVATE KEY');
}
