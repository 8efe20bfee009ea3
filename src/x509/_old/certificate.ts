// X.509 v3 certificate parsing (RFC 5280 §4). Strict DER via ./der.ts; the TBSCertificate
// and Name byte ranges are kept exactly as received, for signatures and name chaining.

import type { PublicKey } from '../../crypto/provider.js';
import { AlertDescription, CertificateError } from '../../errors.js';
import { bytesEqual, toHex } from '../../util/bytes.js';
import { SignatureScheme } from '../../wire/codepoints.js';
import {
  DerError,
  DerReader,
  Tag,
  type Tlv,
  children,
  ctx,
  decodeBitString,
  decodeBoolean,
  decodeDirectoryString,
  decodeIa5,
  decodeOid,
  decodeTime,
  latin1,
  readOctetAlignedBits,
  readOid,
  readSingle,
  readSmallInt,
  singleSmallInt,
} from './der.js';
import { parseSpki } from './keys.js';

/** RFC 5280 §4.2.1.3 KeyUsage bits, as flags (bit n of the BIT STRING → 1 << n). */
export const KeyUsage = {
  digitalSignature: 1 << 0,
  nonRepudiation: 1 << 1,
  keyEncipherment: 1 << 2,
  dataEncipherment: 1 << 3,
  keyAgreement: 1 << 4,
  keyCertSign: 1 << 5,
  cRLSign: 1 << 6,
  encipherOnly: 1 << 7,
  decipherOnly: 1 << 8,
} as const;

/** RFC 5280 §4.2.1.12 KeyPurposeId values. */
export const EkuOid = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

/** RFC 5280 §4.2.1 extension identifiers. */
export const ExtensionOid = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

/** Extensions this module interprets; any other critical one is reported as unhandled. */
const HANDLED_EXTENSIONS = new Set<string>([
  ExtensionOid.subjectKeyIdentifier,
  ExtensionOid.keyUsage,
  ExtensionOid.subjectAltName,
  ExtensionOid.basicConstraints,
  ExtensionOid.authorityKeyIdentifier,
  ExtensionOid.extKeyUsage,
]);

export interface NameAttribute {
  readonly oid: string;
  /** RFC 4514 short name (CN, O, …) when known. */
  readonly shortName: string | undefined;
  readonly value: string;
}

export interface DistinguishedName {
  /** The Name's DER encoding as received; compare these bytes for issuer/subject chaining. */
  readonly der: Uint8Array;
  /** Readable form, most specific RDN first as in RFC 4514: "CN=foo, O=bar". */
  readonly text: string;
  /** Attributes in encoding order (RDN sets flattened). */
  readonly attributes: readonly NameAttribute[];
}

export interface SubjectAltNames {
  readonly dns: readonly string[];
  /** 4 (IPv4) or 16 (IPv6) bytes each. */
  readonly ip: readonly Uint8Array[];
  readonly uri: readonly string[];
  readonly email: readonly string[];
}

export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** extnValue contents (the DER of the extension's own structure). */
  readonly value: Uint8Array;
}

export interface SignatureAlgorithm {
  readonly oid: string;
  readonly name: string;
  /** DER of the parameters, when present. */
  readonly parameters: Uint8Array | undefined;
}

/** A parsed certificate. Shared through a cache: treat every field as immutable. */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  /** The TBSCertificate bytes exactly as received (what the signature covers). */
  readonly tbs: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  /** The serialNumber INTEGER's contents octets (two's complement). */
  readonly serial: Uint8Array;
  readonly serialHex: string;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** The TLS SignatureScheme for this algorithm (RFC 8446 §4.2.3), or undefined when none fits. */
  readonly signatureScheme: number | undefined;
  readonly signature: Uint8Array;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The SubjectPublicKeyInfo DER (for pinning). */
  readonly spki: Uint8Array;
  readonly publicKey: PublicKey;
  readonly extensions: readonly CertificateExtension[];
  /** Empty lists when the extension is absent. */
  readonly subjectAltNames: SubjectAltNames;
  readonly basicConstraints: { readonly ca: boolean; readonly pathLen: number | undefined } | undefined;
  /** KeyUsage flags, or undefined when the extension is absent. */
  readonly keyUsage: number | undefined;
  /** KeyPurposeId OIDs, or undefined when the extension is absent. */
  readonly extKeyUsage: readonly string[] | undefined;
  readonly subjectKeyIdentifier: Uint8Array | undefined;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  /** Critical extensions this module does not process (RFC 5280 §4.2: must reject if relied on). */
  readonly unhandledCriticalExtensions: readonly string[];
  /** Subject and issuer Names are byte-identical (RFC 5280 §6.1: "self-issued"). */
  readonly selfIssued: boolean;
}

// ---------------------------------------------------------------- signature algorithms

const SigOid = {
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecdsaSha1: '1.2.840.10045.4.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
} as const;

const HashOid = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;
const MGF1_OID = '1.2.840.113549.1.1.8';

/** OID → [name, scheme, parameter rule] (RFC 4055, RFC 5758 §3.2, RFC 8410 §3). */
const simpleSigAlgs = new Map<string, [string, number, 'null-or-absent' | 'absent']>([
  [SigOid.sha1WithRSA, ['sha1WithRSAEncryption', SignatureScheme.rsa_pkcs1_sha1, 'null-or-absent']],
  [SigOid.sha256WithRSA, ['sha256WithRSAEncryption', SignatureScheme.rsa_pkcs1_sha256, 'null-or-absent']],
  [SigOid.sha384WithRSA, ['sha384WithRSAEncryption', SignatureScheme.rsa_pkcs1_sha384, 'null-or-absent']],
  [SigOid.sha512WithRSA, ['sha512WithRSAEncryption', SignatureScheme.rsa_pkcs1_sha512, 'null-or-absent']],
  [SigOid.ecdsaSha1, ['ecdsa-with-SHA1', SignatureScheme.ecdsa_sha1, 'absent']],
  [SigOid.ecdsaSha256, ['ecdsa-with-SHA256', SignatureScheme.ecdsa_secp256r1_sha256, 'absent']],
  [SigOid.ecdsaSha384, ['ecdsa-with-SHA384', SignatureScheme.ecdsa_secp384r1_sha384, 'absent']],
  [SigOid.ecdsaSha512, ['ecdsa-with-SHA512', SignatureScheme.ecdsa_secp521r1_sha512, 'absent']],
  [SigOid.ed25519, ['Ed25519', SignatureScheme.ed25519, 'absent']],
  [SigOid.ed448, ['Ed448', SignatureScheme.ed448, 'absent']],
]);

const pssByHash = new Map<string, [string, number, number]>([
  [HashOid.sha256, ['SHA-256', 32, SignatureScheme.rsa_pss_rsae_sha256]],
  [HashOid.sha384, ['SHA-384', 48, SignatureScheme.rsa_pss_rsae_sha384]],
  [HashOid.sha512, ['SHA-512', 64, SignatureScheme.rsa_pss_rsae_sha512]],
]);

/** AlgorithmIdentifier for a hash; NULL parameters tolerated (RFC 4055 §2.1). */
function readHashAlg(t: Tlv): string {
  const r = new DerReader(readSingle(t.bytes, Tag.SEQUENCE, 'HashAlgorithm').value);
  const oid = readOid(r, 'hash');
  const p = r.optional(Tag.NULL);
  if (p && p.value.length) throw new DerError('bad NULL');
  r.end('HashAlgorithm');
  return oid;
}

/**
 * RFC 4055 §3.1 RSASSA-PSS-params. A TLS scheme exists only for SHA-256/384/512 with MGF1
 * over the same hash, salt = hash length, trailer 1 (RFC 8446 §4.2.3). Certificates are
 * signed by rsaEncryption keys here (we do not accept id-RSASSA-PSS SPKIs), hence rsae.
 */
function pssScheme(params: Uint8Array | undefined): { scheme: number | undefined; name: string } {
  if (!params) throw new DerError('RSASSA-PSS without parameters');
  const r = new DerReader(readSingle(params, Tag.SEQUENCE, 'RSASSA-PSS-params').value);
  let hash: string = HashOid.sha1;
  let mgfHash: string = HashOid.sha1;
  let salt = 20;
  let trailer = 1;
  const h = r.optional(ctx(0, true));
  if (h) hash = readHashAlg(readSingle(h.value, Tag.SEQUENCE, 'hashAlgorithm'));
  const m = r.optional(ctx(1, true));
  if (m) {
    const mr = new DerReader(readSingle(m.value, Tag.SEQUENCE, 'maskGenAlgorithm').value);
    const mgf = readOid(mr, 'mgf');
    if (mgf !== MGF1_OID) return { scheme: undefined, name: `RSASSA-PSS (mask ${mgf})` };
    mgfHash = readHashAlg(mr.expect(Tag.SEQUENCE, 'MGF1 hash'));
    mr.end('maskGenAlgorithm');
  }
  const s = r.optional(ctx(2, true));
  if (s) salt = singleSmallInt(s.value, 'saltLength');
  const tf = r.optional(ctx(3, true));
  if (tf) trailer = singleSmallInt(tf.value, 'trailerField');
  r.end('RSASSA-PSS-params');
  const known = pssByHash.get(hash);
  const name = `RSASSA-PSS (${known?.[0] ?? hash}, salt ${salt})`;
  if (!known || mgfHash !== hash || salt !== known[1] || trailer !== 1) return { scheme: undefined, name };
  return { scheme: known[2], name };
}

function parseSignatureAlgorithm(t: Tlv): { alg: SignatureAlgorithm; scheme: number | undefined } {
  const r = new DerReader(t.value);
  const oid = readOid(r, 'signatureAlgorithm');
  const paramsTlv = r.done ? undefined : r.read();
  r.end('AlgorithmIdentifier');
  const parameters = paramsTlv?.bytes.slice();
  const simple = simpleSigAlgs.get(oid);
  if (simple) {
    const [name, scheme, rule] = simple;
    const ok = paramsTlv === undefined || (rule === 'null-or-absent' && paramsTlv.tag === Tag.NULL && paramsTlv.value.length === 0);
    if (!ok) throw new DerError(`${name}: unexpected parameters`);
    return { alg: { oid, name, parameters }, scheme };
  }
  if (oid === SigOid.rsassaPss) {
    const { scheme, name } = pssScheme(parameters);
    return { alg: { oid, name, parameters }, scheme };
  }
  return { alg: { oid, name: oid, parameters }, scheme: undefined };
}

// ---------------------------------------------------------------- names

const shortNames = new Map<string, string>([
  ['2.5.4.3', 'CN'],
  ['2.5.4.5', 'serialNumber'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.9', 'STREET'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['1.2.840.113549.1.9.1', 'emailAddress'],
]);

/** RFC 4514 §2.4 escaping, for display only. */
function escapeRdnValue(v: string): string {
  let s = v.replace(/[\\,+"<>;=]/g, (c) => '\\' + c);
  if (s.startsWith(' ') || s.startsWith('#')) s = '\\' + s;
  if (s.endsWith(' ') && s.length > 1) s = s.slice(0, -1) + '\\ ';
  return s;
}

/** RFC 5280 §4.1.2.4 Name ::= SEQUENCE OF SET OF AttributeTypeAndValue. */
function parseName(t: Tlv): DistinguishedName {
  const attributes: NameAttribute[] = [];
  const rdnTexts: string[] = [];
  for (const rdn of children(t)) {
    if (rdn.tag !== Tag.SET) throw new DerError('RDN is not a SET');
    const parts: string[] = [];
    const atvs = children(rdn);
    if (atvs.length === 0) throw new DerError('empty RDN');
    for (const atv of atvs) {
      if (atv.tag !== Tag.SEQUENCE) throw new DerError('AttributeTypeAndValue is not a SEQUENCE');
      const r = new DerReader(atv.value);
      const oid = readOid(r, 'attribute type');
      const value = decodeDirectoryString(r.read());
      r.end('AttributeTypeAndValue');
      const shortName = shortNames.get(oid);
      attributes.push({ oid, shortName, value });
      parts.push(`${shortName ?? oid}=${escapeRdnValue(value)}`);
    }
    rdnTexts.push(parts.join('+'));
  }
  return { der: t.bytes.slice(), text: rdnTexts.reverse().join(', '), attributes };
}

// ---------------------------------------------------------------- extensions

interface MutableExtensions {
  san: SubjectAltNames;
  basicConstraints: { ca: boolean; pathLen: number | undefined } | undefined;
  keyUsage: number | undefined;
  extKeyUsage: string[] | undefined;
  ski: Uint8Array | undefined;
  aki: Uint8Array | undefined;
}

/** RFC 5280 §4.2.1.6 GeneralNames; only the name forms TLS uses are kept. */
function parseSan(value: Uint8Array): SubjectAltNames {
  const dns: string[] = [];
  const ip: Uint8Array[] = [];
  const uri: string[] = [];
  const email: string[] = [];
  for (const gn of children(readSingle(value, Tag.SEQUENCE, 'GeneralNames'))) {
    switch (gn.tag) {
      case ctx(1, false):
        email.push(decodeIa5(gn.value));
        break;
      case ctx(2, false):
        dns.push(decodeIa5(gn.value));
        break;
      case ctx(6, false):
        uri.push(decodeIa5(gn.value));
        break;
      case ctx(7, false):
        // RFC 5280 §4.2.1.6: four octets for IPv4, sixteen for IPv6.
        if (gn.value.length !== 4 && gn.value.length !== 16) throw new DerError(`iPAddress of length ${gn.value.length}`);
        ip.push(gn.value.slice());
        break;
      default:
        if ((gn.tag & 0xc0) !== 0x80) throw new DerError('GeneralName is not context-tagged');
        break; // otherName, x400Address, directoryName, ediPartyName, registeredID
    }
  }
  return { dns, ip, uri, email };
}

/** RFC 5280 §4.2.1.9 BasicConstraints. */
function parseBasicConstraints(value: Uint8Array): { ca: boolean; pathLen: number | undefined } {
  const r = new DerReader(readSingle(value, Tag.SEQUENCE, 'BasicConstraints').value);
  const caTlv = r.optional(Tag.BOOLEAN);
  const ca = caTlv ? decodeBoolean(caTlv.value) : false;
  const pathLen = r.peekTag() === Tag.INTEGER ? readSmallInt(r, 'pathLenConstraint') : undefined;
  r.end('BasicConstraints');
  return { ca, pathLen };
}

/** RFC 5280 §4.2.1.3 KeyUsage BIT STRING → flags. */
function parseKeyUsage(value: Uint8Array): number {
  const { bytes } = decodeBitString(readSingle(value, Tag.BIT_STRING, 'KeyUsage').value);
  let flags = 0;
  for (let bit = 0; bit < 9 && bit < bytes.length * 8; bit++) {
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) flags |= 1 << bit;
  }
  return flags;
}

/** RFC 5280 §4.2.1.12 ExtKeyUsageSyntax. */
function parseExtKeyUsage(value: Uint8Array): string[] {
  const oids = children(readSingle(value, Tag.SEQUENCE, 'ExtKeyUsageSyntax')).map((t) => {
    if (t.tag !== Tag.OID) throw new DerError('KeyPurposeId is not an OID');
    return decodeOid(t.value);
  });
  if (oids.length === 0) throw new DerError('empty ExtKeyUsageSyntax');
  return oids;
}

/** RFC 5280 §4.2.1.1 AuthorityKeyIdentifier: only keyIdentifier [0] is used. */
function parseAki(value: Uint8Array): Uint8Array | undefined {
  const r = new DerReader(readSingle(value, Tag.SEQUENCE, 'AuthorityKeyIdentifier').value);
  const kid = r.optional(ctx(0, false));
  r.optional(ctx(1, true)); // authorityCertIssuer
  r.optional(ctx(2, false)); // authorityCertSerialNumber
  r.end('AuthorityKeyIdentifier');
  return kid?.value.slice();
}

function applyExtension(ext: CertificateExtension, out: MutableExtensions): void {
  switch (ext.oid) {
    case ExtensionOid.subjectAltName:
      out.san = parseSan(ext.value);
      break;
    case ExtensionOid.basicConstraints:
      out.basicConstraints = parseBasicConstraints(ext.value);
      break;
    case ExtensionOid.keyUsage:
      out.keyUsage = parseKeyUsage(ext.value);
      break;
    case ExtensionOid.extKeyUsage:
      out.extKeyUsage = parseExtKeyUsage(ext.value);
      break;
    case ExtensionOid.subjectKeyIdentifier:
      out.ski = readSingle(ext.value, Tag.OCTET_STRING, 'SubjectKeyIdentifier').value.slice();
      break;
    case ExtensionOid.authorityKeyIdentifier:
      out.aki = parseAki(ext.value);
      break;
  }
}

// ---------------------------------------------------------------- certificate

function parseUncached(input: Uint8Array): ParsedCertificate {
  const der = input.slice();
  const cert = readSingle(der, Tag.SEQUENCE, 'Certificate');
  const cr = new DerReader(cert.value);
  const tbs = cr.expect(Tag.SEQUENCE, 'tbsCertificate');
  const outerAlg = cr.expect(Tag.SEQUENCE, 'signatureAlgorithm');
  const signature = readOctetAlignedBits(cr, 'signatureValue');
  cr.end('Certificate');

  const r = new DerReader(tbs.value);
  let version = 1;
  const v = r.optional(ctx(0, true));
  if (v) {
    version = singleSmallInt(v.value, 'version') + 1;
    if (version > 3) throw new DerError(`unknown version ${version}`);
  }
  const serialTlv = r.expect(Tag.INTEGER, 'serialNumber');
  if (serialTlv.value.length === 0) throw new DerError('empty serialNumber');
  const innerAlg = r.expect(Tag.SEQUENCE, 'signature');
  // RFC 5280 §4.1.1.2: signatureAlgorithm MUST equal the TBSCertificate's signature field.
  if (!bytesEqual(innerAlg.bytes, outerAlg.bytes)) throw new DerError('signatureAlgorithm differs from tbsCertificate.signature');
  const issuer = parseName(r.expect(Tag.SEQUENCE, 'issuer'));
  const validity = new DerReader(r.expect(Tag.SEQUENCE, 'validity').value);
  const notBefore = decodeTime(validity.read());
  const notAfter = decodeTime(validity.read());
  validity.end('validity');
  const subject = parseName(r.expect(Tag.SEQUENCE, 'subject'));
  const spkiTlv = r.expect(Tag.SEQUENCE, 'subjectPublicKeyInfo');
  // issuerUniqueID [1], subjectUniqueID [2]: v2/v3 only, ignored (RFC 5280 §4.1.2.8).
  for (const n of [1, 2]) if (r.optional(ctx(n, false)) && version < 2) throw new DerError('unique identifier in a v1 certificate');
  const extsTlv = r.optional(ctx(3, true));
  r.end('tbsCertificate');

  const extensions: CertificateExtension[] = [];
  const unhandledCriticalExtensions: string[] = [];
  const parsed: MutableExtensions = {
    san: { dns: [], ip: [], uri: [], email: [] },
    basicConstraints: undefined,
    keyUsage: undefined,
    extKeyUsage: undefined,
    ski: undefined,
    aki: undefined,
  };
  if (extsTlv) {
    if (version !== 3) throw new DerError('extensions in a non-v3 certificate');
    const list = children(readSingle(extsTlv.value, Tag.SEQUENCE, 'Extensions'));
    if (list.length === 0) throw new DerError('empty Extensions');
    const seen = new Set<string>();
    for (const e of list) {
      if (e.tag !== Tag.SEQUENCE) throw new DerError('Extension is not a SEQUENCE');
      const er = new DerReader(e.value);
      const oid = readOid(er, 'extnID');
      const critTlv = er.optional(Tag.BOOLEAN);
      const critical = critTlv ? decodeBoolean(critTlv.value) : false;
      const value = er.expect(Tag.OCTET_STRING, 'extnValue').value.slice();
      er.end('Extension');
      // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
      if (seen.has(oid)) throw new DerError(`duplicate extension ${oid}`);
      seen.add(oid);
      const ext: CertificateExtension = { oid, critical, value };
      extensions.push(ext);
      applyExtension(ext, parsed);
      if (critical && !HANDLED_EXTENSIONS.has(oid)) unhandledCriticalExtensions.push(oid);
    }
  }

  const { alg, scheme } = parseSignatureAlgorithm(outerAlg);
  const spki = spkiTlv.bytes.slice();
  let publicKey: PublicKey;
  try {
    publicKey = parseSpki(spki);
  } catch (e) {
    // Keep unsupported_certificate from parseSpki; malformed keys are parse failures.
    if (e instanceof CertificateError && e.alert !== AlertDescription.bad_certificate) throw e;
    throw new DerError(`subjectPublicKeyInfo: ${(e as Error).message}`);
  }
  return {
    der,
    tbs: tbs.bytes,
    version,
    serial: serialTlv.value.slice(),
    serialHex: toHex(serialTlv.value),
    signatureAlgorithm: alg,
    signatureScheme: scheme,
    signature: signature.slice(),
    issuer,
    subject,
    notBefore,
    notAfter,
    spki,
    publicKey,
    extensions,
    subjectAltNames: parsed.san,
    basicConstraints: parsed.basicConstraints,
    keyUsage: parsed.keyUsage,
    extKeyUsage: parsed.extKeyUsage,
    subjectKeyIdentifier: parsed.ski,
    authorityKeyIdentifier: parsed.aki,
    unhandledCriticalExtensions,
    selfIssued: bytesEqual(subject.der, issuer.der),
  };
}

// Handshakes repeat the same chains: a small LRU keyed by the DER bytes.
const CACHE_MAX = 256;
const cache = new Map<string, ParsedCertificate>();

/**
 * Parses a DER certificate. Malformed input → CertificateError(bad_certificate, 'parse');
 * an unsupported public key type → CertificateError(unsupported_certificate, 'public-key').
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const key = latin1(der);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  let cert: ParsedCertificate;
  try {
    cert = parseUncached(der);
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    throw new CertificateError(AlertDescription.bad_certificate, 'parse', (e as Error).message, { cause: e });
  }
  cache.set(key, cert);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  return cert;
}

/** Empties the parse cache (tests, memory pressure). */
export function clearCertificateCache(): void {
  cache.clear();
}

/** The subject's last CN attribute, for display and logging (never for name matching: RFC 6125 §6.4.4). */
export function commonName(name: DistinguishedName): string | undefined {
  for (let i = name.attributes.length - 1; i >= 0; i--) if (name.attributes[i]!.oid === '2.5.4.3') return name.attributes[i]!.value;
  return undefined;
}
