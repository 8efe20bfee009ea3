// X.509 v3 certificate parsing (RFC 5280 §4) with pkijs over asn1js, strict DER (./asn1.ts).
// The TBSCertificate and Name byte ranges are kept exactly as received, for signatures and
// name chaining.

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { PublicKey } from '../crypto/provider.js';
import { AlertDescription, CertificateError, certificateError } from '../errors.js';
import { bytesEqual, fromUtf8, toHex } from '../util/bytes.js';
import { SignatureScheme } from '../wire/codepoints.js';
import {
  DerError,
  algorithmParams,
  at,
  checkAlgorithmIdentifier,
  children,
  decodeDer,
  elements,
  explicit,
  isTagged,
  latin1,
  octetAligned,
  octetString,
  smallInt,
  taggedTail,
} from './asn1.js';
import { readGeneralNames } from './general-names.js';
import { parseRsassaPssParams, parseSpkiDetailed } from './keys.js';


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
  freshestCrl: '2.5.29.46',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  subjectInfoAccess: '1.3.6.1.5.5.7.1.11',
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

/** subjectAltName entries of the forms SubjectAltNames leaves out, for name constraints (RFC 5280 §4.2.1.10). */
export interface OtherAltNames {
  readonly directoryNames: readonly DistinguishedName[];
  /** GeneralName tags of the forms present that we do not interpret: 0 otherName, 3 x400Address, 5 ediPartyName, 8 registeredID. */
  readonly forms: readonly number[];
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

/** A parsed certificate. Shared through a CertificateCache: treat every field as immutable. */
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
  /**
   * For an id-RSASSA-PSS key, the only schemes it may sign with (rsa_pss_pss_*, narrowed by its
   * RSASSA-PSS-params; RFC 4055 §1.2, RFC 8446 §4.2.3). Undefined for other keys.
   */
  readonly keySchemes: readonly number[] | undefined;
  readonly extensions: readonly CertificateExtension[];
  /** Empty lists when the extension is absent. */
  readonly subjectAltNames: SubjectAltNames;
  readonly otherAltNames: OtherAltNames;
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

/**
 * RFC 4055 §3.1 RSASSA-PSS-params. A TLS scheme exists only for SHA-256/384/512 with MGF1
 * over the same hash, salt = hash length, trailer 1 (RFC 8446 §4.2.3). The scheme given is
 * rsa_pss_rsae_*; the verifier maps it to rsa_pss_pss_* when the issuer's key is id-RSASSA-PSS.
 */
function pssScheme(params: asn1js.BaseBlock | undefined): { scheme: number | undefined; name: string } {
  if (!(params instanceof asn1js.Sequence)) throw new DerError('RSASSA-PSS without parameters');
  const p = parseRsassaPssParams(params);
  if (!p.known || !p.mgf1SameHash || p.salt !== p.known.saltLength || p.trailer !== 1) return { scheme: undefined, name: p.name };
  return { scheme: p.known.rsaeScheme, name: p.name };
}

/** A signature AlgorithmIdentifier (certificates, CRLs, OCSP responses) and its TLS scheme, if any. */
export function parseSignatureAlgorithm(alg: pkijs.AlgorithmIdentifier): { alg: SignatureAlgorithm; scheme: number | undefined } {
  const oid = alg.algorithmId;
  const params = algorithmParams(alg);
  const parameters = params?.valueBeforeDecodeView.slice();
  const simple = simpleSigAlgs.get(oid);
  if (simple) {
    const [name, scheme, rule] = simple;
    const ok = params === undefined || (rule === 'null-or-absent' && params instanceof asn1js.Null);
    if (!ok) throw new DerError(`${name}: unexpected parameters`);
    return { alg: { oid, name, parameters }, scheme };
  }
  if (oid === SigOid.rsassaPss) {
    const { scheme, name } = pssScheme(params);
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

/** Directory string types seen in Names (RFC 5280 §4.1.2.4); best effort for display. */
function directoryString(value: unknown): string {
  // pkijs types the value as a string block; it is whatever asn1js parsed.
  if (!(value instanceof asn1js.BaseBlock)) throw new DerError('AttributeValue is not an ASN.1 value');
  if (value instanceof asn1js.BaseStringBlock && value.idBlock.tagClass === 1) {
    const text = value.valueBlock.value;
    const bytes = value.valueBlock.valueHexView;
    switch (value.idBlock.tagNumber) {
      case 12: // UTF8String: asn1js falls back to raw bytes on bad UTF-8; we reject it.
        return fromUtf8(bytes);
      case 19: // PrintableString
      case 20: // TeletexString
      case 22: // IA5String
        return text;
      case 30: // BMPString (UTF-16BE)
        if (bytes.length % 2 !== 0) throw new DerError('invalid BMPString');
        return text;
      case 28: {
        // UniversalString (UTF-32BE): asn1js keeps only 16 bits per character, so decode here.
        if (bytes.length % 4 !== 0) throw new DerError('invalid UniversalString');
        let s = '';
        for (let i = 0; i < bytes.length; i += 4) {
          const cp = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
          if (cp > 0x10ffff) throw new DerError('invalid UniversalString');
          s += String.fromCodePoint(cp);
        }
        return s;
      }
    }
  }
  // Unknown attribute syntax: show it as #hex (RFC 4514 §2.4).
  return '#' + toHex(value.valueBeforeDecodeView);
}

/**
 * RFC 5280 §4.1.2.4 Name ::= SEQUENCE OF SET OF AttributeTypeAndValue. pkijs flattens the
 * RDNs into one list; the SET boundaries (joined with "+" in the text) come from the node.
 */
export function parseName(name: pkijs.RelativeDistinguishedNames, node: asn1js.BaseBlock): DistinguishedName {
  const attributes: NameAttribute[] = [];
  const rdnTexts: string[] = [];
  let k = 0;
  for (const rdn of children(node, 'Name')) {
    const atvs = children(rdn, 'RelativeDistinguishedName');
    if (atvs.length === 0) throw new DerError('empty RDN');
    const parts: string[] = [];
    for (const atvNode of atvs) {
      elements(atvNode, 2, 2, 'AttributeTypeAndValue');
      const atv = name.typesAndValues[k++];
      if (!atv) throw new DerError('Name: attributes do not match');
      const oid = atv.type;
      const value = directoryString(atv.value);
      const shortName = shortNames.get(oid);
      attributes.push({ oid, shortName, value });
      parts.push(`${shortName ?? oid}=${escapeRdnValue(value)}`);
    }
    rdnTexts.push(parts.join('+'));
  }
  if (k !== name.typesAndValues.length) throw new DerError('Name: attributes do not match');
  return { der: node.valueBeforeDecodeView.slice(), text: rdnTexts.reverse().join(', '), attributes };
}

// ---------------------------------------------------------------- validity

/**
 * RFC 5280 §4.1.2.5 (certificates), §5.1.2.4 (CRLs), RFC 6960 §4.2.1 (OCSP, GeneralizedTime
 * only): UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ. asn1js matches the digits
 * anywhere in the string and Date.UTC rolls over out-of-range fields, so both are checked here.
 */
export function derTime(node: asn1js.BaseBlock, what: string, generalizedOnly = false): Date {
  if (!(node instanceof asn1js.UTCTime) || node.idBlock.tagClass !== 1) throw new DerError(`${what}: not a Time`);
  const generalized = node instanceof asn1js.GeneralizedTime;
  if (generalizedOnly && !generalized) throw new DerError(`${what}: not a GeneralizedTime`);
  const s = latin1(node.valueBlock.valueHexView);
  if (!(generalized ? /^\d{14}Z$/ : /^\d{12}Z$/).test(s)) throw new DerError(`${what}: invalid ${generalized ? 'GeneralizedTime' : 'UTCTime'} "${s}"`);
  const d = new Date(Date.UTC(node.year, node.month - 1, node.day, node.hour, node.minute, node.second));
  const fields = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  const expected = [node.year, node.month, node.day, node.hour, node.minute, node.second];
  if (fields.some((f, i) => f !== expected[i])) throw new DerError(`${what}: invalid time "${s}"`);
  return d;
}

// ---------------------------------------------------------------- extensions

interface MutableExtensions {
  san: SubjectAltNames;
  otherSan: OtherAltNames;
  basicConstraints: { ca: boolean; pathLen: number | undefined } | undefined;
  keyUsage: number | undefined;
  extKeyUsage: string[] | undefined;
  ski: Uint8Array | undefined;
  aki: Uint8Array | undefined;
}

/** RFC 5280 §4.2.1.6 GeneralNames, framed by ./general-names.ts (linear in the number of names). */
function parseSan(value: Uint8Array): { san: SubjectAltNames; other: OtherAltNames } {
  const dns: string[] = [];
  const ip: Uint8Array[] = [];
  const uri: string[] = [];
  const email: string[] = [];
  const directoryNames: DistinguishedName[] = [];
  const otherForms: number[] = [];
  const names = readGeneralNames(value);
  if (names.length === 0) throw new DerError('GeneralNames: empty'); // RFC 5280 §4.2.1.6: SIZE (1..MAX)
  for (const gn of names) {
    switch (gn.form) {
      case 'email':
        email.push(gn.value);
        break;
      case 'dns':
        dns.push(gn.value);
        break;
      case 'uri':
        uri.push(gn.value);
        break;
      case 'ip':
        // RFC 5280 §4.2.1.6: four octets for IPv4, sixteen for IPv6.
        if (gn.bytes.length !== 4 && gn.bytes.length !== 16) throw new DerError(`iPAddress of length ${gn.bytes.length}`);
        ip.push(gn.bytes);
        break;
      case 'dn': {
        const node = decodeDer(gn.der, 'directoryName');
        directoryNames.push(parseName(new pkijs.RelativeDistinguishedNames({ schema: node }), node));
        break;
      }
      case 'other':
        if (!otherForms.includes(gn.tag)) otherForms.push(gn.tag);
        break;
    }
  }
  return { san: { dns, ip, uri, email }, other: { directoryNames, forms: otherForms } };
}

/** RFC 5280 §4.2.1.9 BasicConstraints. */
function parseBasicConstraints(value: Uint8Array): { ca: boolean; pathLen: number | undefined } {
  const node = decodeDer(value, 'BasicConstraints');
  // cA BOOLEAN, then pathLenConstraint INTEGER, both optional, nothing else.
  const list = elements(node, 0, 2, 'BasicConstraints');
  let i = 0;
  if (list[i] instanceof asn1js.Boolean) i++;
  if (list[i] instanceof asn1js.Integer) i++;
  if (i !== list.length) throw new DerError('BasicConstraints: unexpected element');
  const bc = new pkijs.BasicConstraints({ schema: node });
  const p = bc.pathLenConstraint;
  const pathLen = p === undefined ? undefined : typeof p === 'number' ? p : smallInt(p, 'pathLenConstraint');
  if (pathLen !== undefined && !(Number.isSafeInteger(pathLen) && pathLen >= 0 && pathLen <= 0xffffffff)) throw new DerError('pathLenConstraint out of range');
  return { ca: bc.cA, pathLen };
}

/** RFC 5280 §4.2.1.3 KeyUsage BIT STRING → flags. */
function parseKeyUsage(value: Uint8Array): number {
  const node = decodeDer(value, 'KeyUsage');
  if (!(node instanceof asn1js.BitString)) throw new DerError('KeyUsage: not a BIT STRING');
  const bytes = node.valueBlock.valueHexView;
  let flags = 0;
  for (let bit = 0; bit < 9 && bit < bytes.length * 8; bit++) {
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) flags |= 1 << bit;
  }
  // RFC 5280 §4.2.1.3: when present, at least one of the bits MUST be set.
  if (flags === 0) throw new DerError('KeyUsage: no bit set');
  return flags;
}

/** RFC 5280 §4.2.1.12 ExtKeyUsageSyntax. */
function parseExtKeyUsage(value: Uint8Array): string[] {
  const eku = new pkijs.ExtKeyUsage({ schema: decodeDer(value, 'ExtKeyUsageSyntax') });
  if (eku.keyPurposes.length === 0) throw new DerError('empty ExtKeyUsageSyntax');
  return eku.keyPurposes;
}

/**
 * RFC 5280 §4.2.1.1 AuthorityKeyIdentifier: keyIdentifier [0], authorityCertIssuer [1],
 * authorityCertSerialNumber [2]. Only keyIdentifier is used for path building; which fields are
 * present is for the profile checks (src/x509/profile.ts).
 */
export function parseAuthorityKeyIdentifier(value: Uint8Array): { keyIdentifier: Uint8Array | undefined; certIssuer: boolean; certSerial: boolean } {
  const node = decodeDer(value, 'AuthorityKeyIdentifier');
  const fields = taggedTail(children(node, 'AuthorityKeyIdentifier'), 0, [0, 1, 2], 'AuthorityKeyIdentifier');
  const issuer = fields.get(1);
  if (issuer) checkGeneralNames(issuer, 'authorityCertIssuer');
  const aki = new pkijs.AuthorityKeyIdentifier({ schema: node });
  return { keyIdentifier: aki.keyIdentifier?.valueBlock.valueHexView.slice(), certIssuer: issuer !== undefined, certSerial: fields.has(2) };
}

// ---------------------------------------------------------------- extensions parsed for their syntax only
// RFC 5280 §4.2: what we decode must decode. These are not used for validation (so a critical one
// still counts as unhandled), but a malformed one makes the certificate malformed.

/** RFC 5280 §4.2.1.6 GeneralName: a context tag [0]..[8] of the right form. */
function checkGeneralName(gn: asn1js.BaseBlock, what: string): void {
  const { tagClass, tagNumber, isConstructed } = gn.idBlock;
  if (tagClass !== 3 || tagNumber > 8) throw new DerError(`${what}: not a GeneralName`);
  switch (tagNumber) {
    case 0: {
      // otherName [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
      const [type, v] = elements(gn, 2, 2, `${what} otherName`);
      if (!(type instanceof asn1js.ObjectIdentifier) || !isTagged(v, 0)) throw new DerError(`${what}: malformed otherName`);
      explicit(v!, `${what} otherName`);
      break;
    }
    case 1:
    case 2:
    case 6: {
      // rfc822Name, dNSName, uniformResourceIdentifier: IMPLICIT IA5String.
      if (isConstructed) throw new DerError(`${what}: constructed IA5String`);
      if (gn.valueBeforeDecodeView.subarray(gn.idBlock.blockLength + gn.lenBlock.blockLength).some((b) => b > 0x7f)) throw new DerError(`${what}: non-ASCII IA5String`);
      break;
    }
    case 3:
    case 5:
      if (!isConstructed) throw new DerError(`${what}: malformed GeneralName`); // x400Address, ediPartyName: SEQUENCEs
      break;
    case 4: {
      // directoryName [4] EXPLICIT Name.
      const name = explicit(gn, `${what} directoryName`);
      for (const rdn of children(name, `${what} directoryName`)) {
        if (!(rdn instanceof asn1js.Set) || children(rdn, 'RelativeDistinguishedName').length === 0) throw new DerError(`${what}: malformed directoryName`);
      }
      break;
    }
    case 7:
      if (isConstructed) throw new DerError(`${what}: constructed iPAddress`);
      break;
    case 8:
      if (isConstructed || gn.lenBlock.length === 0) throw new DerError(`${what}: malformed registeredID`);
      break;
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName (also as an IMPLICIT [n] SEQUENCE). */
function checkGeneralNames(node: asn1js.BaseBlock, what: string): void {
  const list = children(node, what);
  if (list.length === 0) throw new DerError(`${what}: empty GeneralNames`);
  for (const gn of list) checkGeneralName(gn, what);
}

/** A SEQUENCE SIZE (1..MAX) OF …: its elements. */
function nonEmptySequence(value: Uint8Array, what: string): asn1js.BaseBlock[] {
  const node = decodeDer(value, what);
  if (!(node instanceof asn1js.Sequence)) throw new DerError(`${what}: not a SEQUENCE`);
  const list = children(node, what);
  if (list.length === 0) throw new DerError(`${what}: empty`);
  return list;
}

/** RFC 5280 §4.2.2.1 / §4.2.2.2 AuthorityInfoAccessSyntax, SubjectInfoAccessSyntax. */
function checkInfoAccess(value: Uint8Array, what: string): void {
  for (const desc of nonEmptySequence(value, what)) {
    if (!(desc instanceof asn1js.Sequence)) throw new DerError(`${what}: AccessDescription is not a SEQUENCE`);
    const [method, location] = elements(desc, 2, 2, 'AccessDescription');
    if (!(method instanceof asn1js.ObjectIdentifier)) throw new DerError(`${what}: accessMethod is not an OID`);
    checkGeneralName(location!, `${what} accessLocation`);
  }
}

/** RFC 5280 §4.2.1.13 CRLDistributionPoints (and §5.2.6 FreshestCRL, the same syntax). */
function checkDistributionPoints(value: Uint8Array, what: string): void {
  for (const dp of nonEmptySequence(value, what)) {
    if (!(dp instanceof asn1js.Sequence)) throw new DerError(`${what}: DistributionPoint is not a SEQUENCE`);
    // distributionPoint [0], reasons [1], cRLIssuer [2]; one of [0] and [2] MUST be present.
    const fields = taggedTail(children(dp, 'DistributionPoint'), 0, [0, 1, 2], 'DistributionPoint');
    if (!fields.has(0) && !fields.has(2)) throw new DerError(`${what}: DistributionPoint with neither distributionPoint nor cRLIssuer`);
    const name = fields.get(0);
    if (name) {
      // DistributionPointName ::= CHOICE { fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] RDN }
      const choice = explicit(name, 'distributionPoint');
      if (isTagged(choice, 0)) checkGeneralNames(choice, `${what} fullName`);
      else if (!isTagged(choice, 1) || children(choice, 'nameRelativeToCRLIssuer').length === 0) throw new DerError(`${what}: malformed DistributionPointName`);
    }
    const reasons = fields.get(1);
    if (reasons && reasons.idBlock.isConstructed) throw new DerError(`${what}: malformed reasons`);
    const issuer = fields.get(2);
    if (issuer) checkGeneralNames(issuer, `${what} cRLIssuer`);
  }
}

/** RFC 5280 §4.2.1.4 certificatePolicies: PolicyInformation each, no OID twice. */
function checkCertificatePolicies(value: Uint8Array): void {
  const seen = new Set<string>();
  for (const info of nonEmptySequence(value, 'certificatePolicies')) {
    if (!(info instanceof asn1js.Sequence)) throw new DerError('PolicyInformation: not a SEQUENCE');
    const [id, qualifiers] = elements(info, 1, 2, 'PolicyInformation');
    if (!(id instanceof asn1js.ObjectIdentifier)) throw new DerError('policyIdentifier: not an OID');
    const oid = id.getValue();
    if (seen.has(oid)) throw new DerError(`certificatePolicies: policy ${oid} appears twice`);
    seen.add(oid);
    if (qualifiers) {
      if (!(qualifiers instanceof asn1js.Sequence) || children(qualifiers, 'policyQualifiers').length === 0) throw new DerError('policyQualifiers: not a non-empty SEQUENCE');
      for (const q of children(qualifiers, 'policyQualifiers')) {
        const [qid] = elements(q, 2, 2, 'PolicyQualifierInfo');
        if (!(q instanceof asn1js.Sequence) || !(qid instanceof asn1js.ObjectIdentifier)) throw new DerError('PolicyQualifierInfo: malformed');
      }
    }
  }
}

/** RFC 5280 §4.2.1.11 PolicyConstraints: [0] and/or [1] SkipCerts; never empty. */
function checkPolicyConstraints(value: Uint8Array): void {
  const node = decodeDer(value, 'PolicyConstraints');
  if (!(node instanceof asn1js.Sequence)) throw new DerError('PolicyConstraints: not a SEQUENCE');
  const fields = taggedTail(children(node, 'PolicyConstraints'), 0, [0, 1], 'PolicyConstraints');
  if (fields.size === 0) throw new DerError('PolicyConstraints: empty');
  for (const f of fields.values()) if (f.idBlock.isConstructed || f.lenBlock.length === 0) throw new DerError('PolicyConstraints: malformed SkipCerts');
}

/** RFC 5280 §4.2.1.14 InhibitAnyPolicy ::= SkipCerts (a non-negative INTEGER). */
function checkInhibitAnyPolicy(value: Uint8Array): void {
  nonNegativeInteger(decodeDer(value, 'InhibitAnyPolicy'), 'InhibitAnyPolicy');
}

function nonNegativeInteger(node: asn1js.BaseBlock, what: string): void {
  if (!(node instanceof asn1js.Integer) || node.toBigInt() < 0n) throw new DerError(`${what}: not a non-negative INTEGER`);
}

function applyExtension(ext: CertificateExtension, out: MutableExtensions): void {
  switch (ext.oid) {
    case ExtensionOid.subjectAltName:
      ({ san: out.san, other: out.otherSan } = parseSan(ext.value));
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
      out.ski = octetString(decodeDer(ext.value, 'SubjectKeyIdentifier'), 'SubjectKeyIdentifier').slice();
      break;
    case ExtensionOid.authorityKeyIdentifier:
      out.aki = parseAuthorityKeyIdentifier(ext.value).keyIdentifier;
      break;
    case ExtensionOid.authorityInfoAccess:
    case ExtensionOid.subjectInfoAccess:
      checkInfoAccess(ext.value, ext.oid === ExtensionOid.authorityInfoAccess ? 'AuthorityInfoAccess' : 'SubjectInfoAccess');
      break;
    case ExtensionOid.crlDistributionPoints:
    case ExtensionOid.freshestCrl:
      checkDistributionPoints(ext.value, ext.oid === ExtensionOid.crlDistributionPoints ? 'CRLDistributionPoints' : 'FreshestCRL');
      break;
    case ExtensionOid.certificatePolicies:
      checkCertificatePolicies(ext.value);
      break;
    case ExtensionOid.policyConstraints:
      checkPolicyConstraints(ext.value);
      break;
    case ExtensionOid.inhibitAnyPolicy:
      checkInhibitAnyPolicy(ext.value);
      break;
  }
}

// ---------------------------------------------------------------- certificate

function parseUncached(input: Uint8Array): ParsedCertificate {
  const der = input.slice();
  const root = decodeDer(der, 'Certificate');
  const cert = new pkijs.Certificate({ schema: root });
  // pkijs reads the fields; the nodes give the exact byte ranges and the element counts its
  // schemas do not enforce (they skip what they do not expect).
  const top = elements(root, 3, 3, 'Certificate');
  const tbsNode = at(top, 0, 'Certificate');
  const outerAlgNode = at(top, 1, 'Certificate');
  // The TBSCertificate as received (what the signature covers): pkijs's tbsView is that slice.
  const tbsStart = root.idBlock.blockLength + root.lenBlock.blockLength;
  const tbs = der.subarray(tbsStart, tbsStart + cert.tbsView.length);
  if (!bytesEqual(tbs, cert.tbsView)) throw new DerError('tbsCertificate bytes differ from the input');

  const fields = children(tbsNode, 'tbsCertificate');
  const v = isTagged(fields[0], 0) ? 1 : 0;
  const field = (i: number): asn1js.BaseBlock => at(fields, v + i, 'tbsCertificate');
  // serialNumber is field(0).
  const [innerAlgNode, issuerNode, validityNode, subjectNode, spkiNode] = [field(1), field(2), field(3), field(4), field(5)];
  // issuerUniqueID [1], subjectUniqueID [2], extensions [3].
  const optional = taggedTail(fields, v + 6, [1, 2, 3], 'tbsCertificate');

  let version = 1;
  if (v) {
    explicit(at(fields, 0, 'tbsCertificate'), 'version');
    if (!Number.isInteger(cert.version) || cert.version < 0 || cert.version > 2) throw new DerError(`unknown version ${cert.version + 1}`);
    version = cert.version + 1;
  }
  checkAlgorithmIdentifier(outerAlgNode, 'signatureAlgorithm');
  // RFC 5280 §4.1.1.2: signatureAlgorithm MUST equal the TBSCertificate's signature field.
  if (!bytesEqual(innerAlgNode.valueBeforeDecodeView, outerAlgNode.valueBeforeDecodeView)) throw new DerError('signatureAlgorithm differs from tbsCertificate.signature');
  const issuer = parseName(cert.issuer, issuerNode);
  const validity = elements(validityNode, 2, 2, 'validity');
  const notBefore = derTime(at(validity, 0, 'validity'), 'notBefore');
  const notAfter = derTime(at(validity, 1, 'validity'), 'notAfter');
  const subject = parseName(cert.subject, subjectNode);
  // Unique identifiers: v2/v3 only, ignored (RFC 5280 §4.1.2.8).
  if ((optional.has(1) || optional.has(2)) && version < 2) throw new DerError('unique identifier in a v1 certificate');

  const extensions: CertificateExtension[] = [];
  const unhandledCriticalExtensions: string[] = [];
  const parsed: MutableExtensions = {
    san: { dns: [], ip: [], uri: [], email: [] },
    otherSan: { directoryNames: [], forms: [] },
    basicConstraints: undefined,
    keyUsage: undefined,
    extKeyUsage: undefined,
    ski: undefined,
    aki: undefined,
  };
  const extsNode = optional.get(3);
  if (extsNode) {
    if (version !== 3) throw new DerError('extensions in a non-v3 certificate');
    const list = children(explicit(extsNode, 'extensions'), 'Extensions');
    if (list.length === 0) throw new DerError('empty Extensions');
    if (cert.extensions?.length !== list.length) throw new DerError('Extensions: unexpected elements');
    const seen = new Set<string>();
    for (const [i, e] of cert.extensions.entries()) {
      // extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING.
      const parts = elements(at(list, i, 'Extensions'), 2, 3, 'Extension');
      if (parts.length === 3 && !(parts[1] instanceof asn1js.Boolean)) throw new DerError('Extension: unexpected element');
      const oid = e.extnID;
      const critical = e.critical;
      const value = e.extnValue.valueBlock.valueHexView.slice();
      // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
      if (seen.has(oid)) throw new DerError(`duplicate extension ${oid}`);
      seen.add(oid);
      const ext: CertificateExtension = { oid, critical, value };
      extensions.push(ext);
      applyExtension(ext, parsed);
      if (critical && !HANDLED_EXTENSIONS.has(oid)) unhandledCriticalExtensions.push(oid);
    }
  }

  const { alg, scheme } = parseSignatureAlgorithm(cert.signatureAlgorithm);
  const signature = octetAligned(cert.signatureValue, 'signatureValue').slice();
  const spki = spkiNode.valueBeforeDecodeView.slice();
  let publicKey: PublicKey;
  let keySchemes: readonly number[] | undefined;
  try {
    ({ key: publicKey, schemes: keySchemes } = parseSpkiDetailed(spki));
  } catch (e) {
    // Keep unsupported_certificate from parseSpki; malformed keys are parse failures.
    if (e instanceof CertificateError && e.alert !== AlertDescription.bad_certificate) throw e;
    throw new DerError(`subjectPublicKeyInfo: ${(e as Error).message}`);
  }
  const serial = cert.serialNumber.valueBlock.valueHexView.slice();
  return {
    der,
    tbs,
    version,
    serial,
    serialHex: toHex(serial),
    signatureAlgorithm: alg,
    signatureScheme: scheme,
    signature,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki,
    publicKey,
    keySchemes,
    extensions,
    subjectAltNames: parsed.san,
    otherAltNames: parsed.otherSan,
    basicConstraints: parsed.basicConstraints,
    keyUsage: parsed.keyUsage,
    extKeyUsage: parsed.extKeyUsage,
    subjectKeyIdentifier: parsed.ski,
    authorityKeyIdentifier: parsed.aki,
    unhandledCriticalExtensions,
    selfIssued: bytesEqual(subject.der, issuer.der),
  };
}

/**
 * Parses a DER certificate (no cache: each call parses). Malformed input →
 * CertificateError(bad_certificate, 'parse'); an unsupported public key type →
 * CertificateError(unsupported_certificate, 'public-key').
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  try {
    return parseUncached(der);
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    throw certificateError('bad_certificate', 'parse', (e as Error).message, e);
  }
}

/**
 * Parsed certificates by DER bytes, a small LRU: handshakes repeat the same chains. It belongs
 * to whoever makes it: each ChainValidator (so each WebPki verifier) has its own unless one is
 * passed in (WebPkiVerifierOptions.certificateCache). Only certificates the owner remembers
 * (configured ones, those of a validated path) enter it, so a hostile chain cannot evict them.
 */
export class CertificateCache {
  private readonly entries = new Map<string, ParsedCertificate>();

  constructor(readonly capacity = 256) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('CertificateCache: capacity must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  /** parseCertificate, through the cache, and remembers the result. */
  parse(der: Uint8Array): ParsedCertificate {
    const cert = this.parseTransient(der);
    this.remember(cert);
    return cert;
  }

  /**
   * parse without adding the result (a hit is still used): for peer certificates before they
   * are validated. remember() adds the ones that ended up in a validated path.
   */
  parseTransient(der: Uint8Array): ParsedCertificate {
    return this.entries.get(latin1(der)) ?? parseCertificate(der);
  }

  /** Adds `cert` (or marks it most recently used). */
  remember(cert: ParsedCertificate): void {
    const key = latin1(cert.der);
    const hit = this.entries.get(key);
    this.entries.delete(key);
    this.entries.set(key, hit ?? cert);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** A certificate in messages: its subject, or its serial when the subject is empty. */
export const describeCertificate = (c: ParsedCertificate): string => (c.subject.text ? `"${c.subject.text}"` : `serial ${c.serialHex}`);

/** The subject's last CN attribute, for display and logging (never for name matching: RFC 6125 §6.4.4). */
export function commonName(name: DistinguishedName): string | undefined {
  for (let i = name.attributes.length - 1; i >= 0; i--) if (name.attributes[i]!.oid === '2.5.4.3') return name.attributes[i]!.value;
  return undefined;
}
