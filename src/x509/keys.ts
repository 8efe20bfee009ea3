// Key formats: SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 5480, RFC 8410, RFC 8017),
// PKCS#8 (RFC 5208 / RFC 5958), SEC1 ECPrivateKey (RFC 5915), PKCS#1 RSAPrivateKey (RFC 8017 §A.1.2).
// Read and written with pkijs over asn1js; input is strict DER (./asn1.ts).

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { PrivateKeyMaterial, PublicKey } from '../crypto/provider.js';
import { CertificateError, certificateError } from '../errors.js';
import {
  DerError,
  absentOrNull,
  algorithmParams,
  at,
  checkAlgorithmIdentifier,
  decodeDer,
  elements,
  encodeDer,
  explicit,
  integer,
  isTagged,
  magnitude,
  nonNegative,
  octetAligned,
  octetString,
  pkiDer,
  smallInt,
  taggedTail,
  children,
} from './asn1.js';
import { bytesEqual } from '../util/bytes.js';
import { rsaPublicKeyProblem } from '../crypto/rsa/verify.js';
import { ecPublicPoint, isValidEcPrivateKey, uncompressedPoint } from '../crypto/noble/points.js';
import { publicKeyOfMaterial } from '../crypto/noble/signing.js';
import { SignatureScheme } from '../wire/codepoints.js';
import { pemBlocks, pemEncode } from './pem.js';

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

export { KeyFormatError } from '../errors.js';
import { KeyFormatError } from '../errors.js';

// ---------------------------------------------------------------- public keys

/**
 * Parses a DER SubjectPublicKeyInfo. Malformed input → CertificateError(bad_certificate,
 * 'public-key'); a well-formed key of a type we do not support → unsupported_certificate.
 */
export function parseSpki(der: Uint8Array): PublicKey {
  return parseSpkiDetailed(der).key;
}

/**
 * parseSpki, plus the signature schemes an id-RSASSA-PSS key is restricted to (RFC 4055 §1.2:
 * only RSASSA-PSS, and only with its RSASSA-PSS-params when present; RFC 8446 §4.2.3: the
 * rsa_pss_pss_* schemes). `schemes` is undefined for every other key.
 */
export function parseSpkiDetailed(der: Uint8Array): { key: PublicKey; schemes: readonly number[] | undefined } {
  try {
    return readSpki(der);
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    throw certificateError('bad_certificate', 'public-key', (e as Error).message, e);
  }
}

function readSpki(der: Uint8Array): { key: PublicKey; schemes: readonly number[] | undefined } {
  const node = decodeDer(der, 'SubjectPublicKeyInfo');
  checkAlgorithmIdentifier(at(elements(node, 2, 2, 'SubjectPublicKeyInfo'), 0, 'SubjectPublicKeyInfo'), 'AlgorithmIdentifier');
  const info = new pkijs.PublicKeyInfo({ schema: node });
  const oid = info.algorithm.algorithmId;
  const params = algorithmParams(info.algorithm);
  const key = octetAligned(info.subjectPublicKey, 'subjectPublicKey');
  switch (oid) {
    case KeyOid.ecPublicKey: {
      // RFC 5480 §2.1.1: parameters MUST be a namedCurve for our purposes.
      if (!(params instanceof asn1js.ObjectIdentifier)) throw unsupportedKey('EC keys with explicit or implicit curve parameters');
      const curveOid = params.getValue();
      const curve = curveByOid.get(curveOid);
      if (!curve) throw unsupportedKey(`EC curve ${curveOid}`);
      return { key: { kind: 'ec', curve, point: normalizePoint(curve, key) }, schemes: undefined };
    }
    case KeyOid.ed25519:
    case KeyOid.ed448: {
      // RFC 8410 §3: parameters MUST be absent.
      if (params) throw new DerError('AlgorithmIdentifier: unexpected parameters');
      const ed = oid === KeyOid.ed25519;
      if (key.length !== (ed ? 32 : 57)) throw new DerError(`${ed ? 'Ed25519' : 'Ed448'} key has length ${key.length}`);
      return { key: ed ? { kind: 'ed25519', key: key.slice() } : { kind: 'ed448', key: key.slice() }, schemes: undefined };
    }
    case KeyOid.rsaEncryption: {
      // RFC 8017 §A.1 / RFC 3279 §2.3.1: parameters NULL (tolerate absence).
      if (!absentOrNull(info.algorithm)) throw new DerError('rsaEncryption: parameters are not NULL');
      const { n, e } = parseRsaPublicKey(key);
      return { key: { kind: 'rsa', n, e, bits: n.toString(2).length }, schemes: undefined };
    }
    case KeyOid.rsassaPss: {
      // RFC 4055 §1.2: parameters absent (any PSS use) or RSASSA-PSS-params (restrictions).
      let schemes: readonly number[] = PSS_KEY_SCHEMES;
      if (params) {
        if (!(params instanceof asn1js.Sequence)) throw new DerError('id-RSASSA-PSS: parameters are not RSASSA-PSS-params');
        const p = parseRsassaPssParams(params);
        // RFC 4055 §3.1: in a key, saltLength is the minimum; TLS uses salt = hash length.
        if (!p.known || !p.mgf1SameHash || p.trailer !== 1 || p.salt > p.known.saltLength) {
          throw unsupportedKey(`RSASSA-PSS key restricted to ${p.name}, which no TLS scheme matches`);
        }
        schemes = [p.known.pssScheme];
      }
      const { n, e } = parseRsaPublicKey(key);
      return { key: { kind: 'rsa', n, e, bits: n.toString(2).length, pss: true }, schemes };
    }
    default:
      throw unsupportedKey(`public key algorithm ${describeKeyOid(oid)}`);
  }
}

// ---------------------------------------------------------------- RSASSA-PSS parameters

const HashOid = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;
const MGF1_OID = '1.2.840.113549.1.1.8';

/** A PSS hash TLS 1.3 has schemes for (RFC 8446 §4.2.3). */
export interface PssHash {
  readonly name: 'SHA-256' | 'SHA-384' | 'SHA-512';
  readonly saltLength: number;
  readonly rsaeScheme: number;
  readonly pssScheme: number;
}

const pssByHash = new Map<string, PssHash>([
  [HashOid.sha256, { name: 'SHA-256', saltLength: 32, rsaeScheme: SignatureScheme.rsa_pss_rsae_sha256, pssScheme: SignatureScheme.rsa_pss_pss_sha256 }],
  [HashOid.sha384, { name: 'SHA-384', saltLength: 48, rsaeScheme: SignatureScheme.rsa_pss_rsae_sha384, pssScheme: SignatureScheme.rsa_pss_pss_sha384 }],
  [HashOid.sha512, { name: 'SHA-512', saltLength: 64, rsaeScheme: SignatureScheme.rsa_pss_rsae_sha512, pssScheme: SignatureScheme.rsa_pss_pss_sha512 }],
]);

/** Every rsa_pss_pss_* scheme: what an unrestricted id-RSASSA-PSS key may sign with. */
const PSS_KEY_SCHEMES: readonly number[] = [...pssByHash.values()].map((h) => h.pssScheme);

/** rsa_pss_rsae_X ↔ rsa_pss_pss_X. */
export function pssSchemeFor(rsaeScheme: number): number | undefined {
  for (const h of pssByHash.values()) if (h.rsaeScheme === rsaeScheme) return h.pssScheme;
  return undefined;
}

/** A hash AlgorithmIdentifier; NULL parameters tolerated (RFC 4055 §2.1). */
function hashOid(alg: pkijs.AlgorithmIdentifier): string {
  if (!absentOrNull(alg)) throw new DerError(`hash ${alg.algorithmId}: unexpected parameters`);
  return alg.algorithmId;
}

/**
 * RFC 4055 §3.1 RSASSA-PSS-params, strictly: fields [0]..[3] in order, each one value.
 * `known` is set for SHA-256/384/512; the caller decides what the other fields must be.
 */
export function parseRsassaPssParams(params: asn1js.Sequence): {
  known: PssHash | undefined;
  mgf1SameHash: boolean;
  salt: number;
  trailer: number;
  name: string;
} {
  // pkijs's schema would skip anything unexpected, so the structure is checked here first.
  const fields = taggedTail(children(params, 'RSASSA-PSS-params'), 0, [0, 1, 2, 3], 'RSASSA-PSS-params');
  for (const [n, field] of fields) {
    const v = explicit(field, 'RSASSA-PSS-params');
    if (n <= 1) checkAlgorithmIdentifier(v, 'RSASSA-PSS-params');
    else smallInt(v, n === 2 ? 'saltLength' : 'trailerField');
  }
  const pss = new pkijs.RSASSAPSSParams({ schema: params });
  const hash = hashOid(pss.hashAlgorithm);
  const known = pssByHash.get(hash);
  const { saltLength: salt, trailerField: trailer } = pss;
  const mgf = pss.maskGenAlgorithm;
  if (mgf.algorithmId !== MGF1_OID) return { known, mgf1SameHash: false, salt, trailer, name: `RSASSA-PSS (mask ${mgf.algorithmId})` };
  // MGF1's parameter is the hash AlgorithmIdentifier (RFC 4055 §2.2).
  const mgfParams = algorithmParams(mgf);
  if (!mgfParams) throw new DerError('MGF1 without a hash');
  checkAlgorithmIdentifier(mgfParams, 'MGF1 hash');
  const mgfHash = hashOid(new pkijs.AlgorithmIdentifier({ schema: mgfParams }));
  return { known, mgf1SameHash: mgfHash === hash, salt, trailer, name: `RSASSA-PSS (${known?.name ?? hash}, salt ${salt})` };
}

function unsupportedKey(what: string): CertificateError {
  return certificateError('unsupported_certificate', 'public-key', `unsupported ${what}`);
}

/** RFC 8017 §A.1.1 RSAPublicKey. */
function parseRsaPublicKey(der: Uint8Array): { n: bigint; e: bigint } {
  const node = decodeDer(der, 'RSAPublicKey');
  // Signs as received: pkijs strips the modulus's sign octet (convertFromDER).
  const fields = elements(node, 2, 2, 'RSAPublicKey');
  nonNegative(at(fields, 0, 'RSAPublicKey'), 'modulus');
  nonNegative(at(fields, 1, 'RSAPublicKey'), 'publicExponent');
  const key = new pkijs.RSAPublicKey({ schema: node });
  const n = magnitude(key.modulus);
  const e = magnitude(key.publicExponent);
  if (n < 3n || (n & 1n) === 0n) throw new DerError('RSA modulus is not odd');
  if (e < 3n || (e & 1n) === 0n) throw new DerError('RSA exponent is not odd');
  // Audit finding 1: what no provider uses (e > 2^32 - 1, n outside 1024..16384 bits) is refused
  // here, at parse, so such a key never reaches a signature check (as an unsupported curve).
  const problem = rsaPublicKeyProblem({ n, e });
  if (problem !== null) throw unsupportedKey(`RSA key: ${problem}`);
  return { n, e };
}

/** Validates a SEC1 point (SEC1 §2.3.4) and returns its uncompressed form. */
function normalizePoint(curve: EcCurve, point: Uint8Array): Uint8Array {
  try {
    return uncompressedPoint(curve, point);
  } catch (e) {
    throw new DerError(`invalid ${curve} point: ${(e as Error).message}`);
  }
}

const algorithm = (algorithmId: string, params?: asn1js.BaseBlock): pkijs.AlgorithmIdentifier =>
  new pkijs.AlgorithmIdentifier(params ? { algorithmId, algorithmParams: params } : { algorithmId });
const namedCurve = (curve: EcCurve): asn1js.ObjectIdentifier => new asn1js.ObjectIdentifier({ value: CurveOid[curve] });

/** Encodes a PublicKey as a DER SubjectPublicKeyInfo. */
export function encodeSpki(key: PublicKey): Uint8Array {
  const spki = (alg: pkijs.AlgorithmIdentifier, bits: Uint8Array): Uint8Array =>
    pkiDer(new pkijs.PublicKeyInfo({ algorithm: alg, subjectPublicKey: new asn1js.BitString({ valueHex: bits }) }));
  switch (key.kind) {
    case 'ec':
      return spki(algorithm(KeyOid.ecPublicKey, namedCurve(key.curve)), key.point);
    case 'ed25519':
      return spki(algorithm(KeyOid.ed25519), key.key);
    case 'ed448':
      return spki(algorithm(KeyOid.ed448), key.key);
    case 'rsa': {
      const rsaKey = pkiDer(new pkijs.RSAPublicKey({ modulus: integer(key.n), publicExponent: integer(key.e) }));
      // id-RSASSA-PSS without parameters: no restrictions (RFC 4055 §1.2).
      return spki(key.pss ? algorithm(KeyOid.rsassaPss) : algorithm(KeyOid.rsaEncryption, new asn1js.Null()), rsaKey);
    }
  }
}

/** The public half of a private key. */
export function publicKeyFromPrivate(key: PrivateKeyMaterial): PublicKey {
  switch (key.kind) {
    case 'ec':
      if (key.publicPoint) return { kind: 'ec', curve: key.curve, point: key.publicPoint };
  }
  return publicKeyOfMaterial(key);
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
    const node = decodeDer(der, 'PrivateKeyInfo');
    const fields = elements(node, 3, 5, 'PrivateKeyInfo');
    checkAlgorithmIdentifier(at(fields, 1, 'PrivateKeyInfo'), 'privateKeyAlgorithm');
    // attributes [0] and publicKey [1]: ignored. pkijs's schema stops at [0] and fails on an
    // RFC 5958 v2 publicKey, so it is given the elements it models.
    const tagged = taggedTail(fields, 3, [0, 1], 'PrivateKeyInfo');
    const modelled = tagged.has(1) ? new asn1js.Sequence({ value: fields.filter((f) => !isTagged(f, 1)) }) : node;
    const info = new pkijs.PrivateKeyInfo({ schema: modelled });
    if (info.version !== 0 && info.version !== 1) throw new DerError(`unknown version ${info.version}`);
    const alg = info.privateKeyAlgorithm;
    const oid = alg.algorithmId;
    const params = algorithmParams(alg);
    const priv = octetString(info.privateKey, 'privateKey');
    switch (oid) {
      case KeyOid.ecPublicKey: {
        if (!(params instanceof asn1js.ObjectIdentifier)) throw new KeyFormatError('unsupported EC curve parameters');
        const curveOid = params.getValue();
        const curve = curveByOid.get(curveOid);
        if (!curve) throw new KeyFormatError(`unsupported EC curve ${curveOid}`);
        return parseEcPrivateKey(priv, curve);
      }
      case KeyOid.ed25519: {
        if (params) throw new DerError('AlgorithmIdentifier: unexpected parameters');
        // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, itself inside privateKey.
        const seed = octetString(decodeDer(priv, 'CurvePrivateKey'), 'CurvePrivateKey');
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

/**
 * RFC 5915 ECPrivateKey; `curve` comes from PKCS#8, else from the [0] parameters. pkijs reads
 * the [1] publicKey through its ECPublicKey, which takes only uncompressed points.
 */
function parseEcPrivateKey(der: Uint8Array, curve: EcCurve | undefined): PrivateKeyMaterial {
  const node = decodeDer(der, 'ECPrivateKey');
  const fields = elements(node, 2, 4, 'ECPrivateKey');
  // parameters [0] (RFC 5915 §3: a namedCurve OID here), publicKey [1] (a BIT STRING).
  const tagged = taggedTail(fields, 2, [0, 1], 'ECPrivateKey');
  const params = tagged.get(0);
  if (params && !(explicit(params, 'parameters') instanceof asn1js.ObjectIdentifier)) throw new KeyFormatError('unsupported EC curve parameters');
  const pub = tagged.get(1);
  if (pub) octetAligned(explicit(pub, 'publicKey'), 'publicKey');
  const key = new pkijs.ECPrivateKey(curve ? { schema: node, namedCurve: CurveOid[curve] } : { schema: node });
  if (key.version !== 1) throw new DerError('ECPrivateKey version must be 1');
  // With [0] present, key.namedCurve is its value (pkijs overwrites the PKCS#8 one).
  const named = key.namedCurve === undefined ? undefined : curveByOid.get(key.namedCurve);
  if (key.namedCurve !== undefined && !named) throw new KeyFormatError('unsupported EC curve parameters');
  if (curve && named !== curve) throw new DerError('curve mismatch between PKCS#8 and ECPrivateKey');
  if (!named) throw new KeyFormatError('EC private key without curve parameters');
  const c = named;
  const d = octetString(key.privateKey, 'privateKey');
  const size = curveSize[c];
  if (d.length === 0 || d.length > size) throw new DerError(`bad ${c} private key length ${d.length}`);
  // Some encoders drop leading zero bytes; SEC1 §2.3.7 wants the full field size.
  const dFull = new Uint8Array(size);
  dFull.set(d, size - d.length);
  if (!isValidEcPrivateKey(c, dFull)) throw new DerError(`invalid ${c} private key`);
  const derived = ecPublicPoint(c, dFull);
  if (key.publicKey) {
    const { x, y } = key.publicKey;
    const point = normalizePoint(c, Uint8Array.of(4, ...new Uint8Array(x), ...new Uint8Array(y)));
    if (!bytesEqual(point, derived)) throw new DerError('public key does not match private key');
  }
  return { kind: 'ec', curve: c, d: dFull, publicPoint: derived };
}

/** RFC 8017 §A.1.2 RSAPrivateKey (two-prime only). */
function parseRsaPrivateKey(der: Uint8Array): PrivateKeyMaterial {
  const node = decodeDer(der, 'RSAPrivateKey');
  const key = new pkijs.RSAPrivateKey({ schema: node });
  if (key.version !== 0) throw new KeyFormatError('multi-prime RSA keys are not supported');
  // Signs as received: pkijs strips the sign octets (convertFromDER).
  const names = ['version', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'];
  for (const [i, f] of elements(node, 9, 9, 'RSAPrivateKey').entries()) nonNegative(f, names[i]!);
  const m = magnitude;
  const [n, p, q] = [m(key.modulus), m(key.prime1), m(key.prime2)];
  if (p * q !== n) throw new DerError('RSA p*q != n');
  return {
    kind: 'rsa',
    n,
    e: m(key.publicExponent),
    d: m(key.privateExponent),
    p,
    q,
    dp: m(key.exponent1),
    dq: m(key.exponent2),
    qi: m(key.coefficient),
  };
}

/** Encodes a private key as PKCS#8 PrivateKeyInfo (version 0), the form OpenSSL writes. */
export function encodePkcs8PrivateKey(key: PrivateKeyMaterial): Uint8Array {
  const pkcs8 = (alg: pkijs.AlgorithmIdentifier, privateKey: Uint8Array): Uint8Array =>
    pkiDer(new pkijs.PrivateKeyInfo({ version: 0, privateKeyAlgorithm: alg, privateKey: new asn1js.OctetString({ valueHex: privateKey }) }));
  switch (key.kind) {
    case 'ec': {
      const point = key.publicPoint ?? ecPublicPoint(key.curve, key.d);
      const size = curveSize[key.curve];
      // The curve is in the AlgorithmIdentifier, so no [0] parameters (RFC 5915 §3).
      const ecKey = new pkijs.ECPrivateKey({
        version: 1,
        privateKey: new asn1js.OctetString({ valueHex: key.d }),
        publicKey: new pkijs.ECPublicKey({ namedCurve: CurveOid[key.curve], x: point.slice(1, 1 + size).buffer, y: point.slice(1 + size).buffer }),
      });
      return pkcs8(algorithm(KeyOid.ecPublicKey, namedCurve(key.curve)), pkiDer(ecKey));
    }
    case 'ed25519':
      return pkcs8(algorithm(KeyOid.ed25519), encodeDer(new asn1js.OctetString({ valueHex: key.seed })));
    case 'rsa': {
      const rsaKey = new pkijs.RSAPrivateKey({
        version: 0,
        modulus: integer(key.n),
        publicExponent: integer(key.e),
        privateExponent: integer(key.d),
        prime1: integer(key.p),
        prime2: integer(key.q),
        exponent1: integer(key.dp),
        exponent2: integer(key.dq),
        coefficient: integer(key.qi),
      });
      return pkcs8(algorithm(KeyOid.rsaEncryption, new asn1js.Null()), pkiDer(rsaKey));
    }
  }
}

/** PKCS#8 "PRIVATE KEY" PEM. */
export function privateKeyToPem(key: PrivateKeyMaterial): string {
  return pemEncode(encodePkcs8PrivateKey(key), 'PRIVATE KEY');
}
