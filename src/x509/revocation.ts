// Revocation: CRLs given by the application (RFC 5280 §5, checked as in §6.3) and stapled
// OCSP responses (RFC 6960 §4.2, delivered by TLS 1.3 in the leaf's CertificateEntry, RFC 8446
// §4.4.2.1). Parsed with pkijs over strict DER (./asn1.ts); signatures are checked through
// the caller (ChainValidator), so the injected SignatureVerifier does the crypto.

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sha1Digest as sha1 } from '../crypto/noble/hash.js';
import { defaultProvider } from '../crypto/default.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { CertificateError, certificateError } from '../errors.js';
import { bytesEqual, toHex } from '../util/bytes.js';
import {
  DerError,
  at,
  checkAlgorithmIdentifier,
  children,
  decodeDer,
  elements,
  explicit,
  isTagged,
  octetAligned,
  octetString,
  smallInt,
  taggedTail,
} from './asn1.js';
import {
  EkuOid,
  KeyUsage,
  type DistinguishedName,
  type ParsedCertificate,
  type SignatureAlgorithm,
  derTime,
  describeCertificate as describe,
  parseCertificate,
  parseName,
  parseSignatureAlgorithm,
} from './certificate.js';

/** Something signed: a certificate, a CRL, a BasicOCSPResponse. */
export interface SignedObject {
  /** The signed bytes as received. */
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** The TLS scheme for the algorithm (RFC 8446 §4.2.3), when one fits. */
  readonly signatureScheme: number | undefined;
}

export interface RevokedEntry {
  readonly date: Date;
  /** CRLReason (RFC 5280 §5.3.1), when given. */
  readonly reason: number | undefined;
}

export interface ParsedCrl extends SignedObject {
  readonly der: Uint8Array;
  readonly issuer: DistinguishedName;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** By serial number (hex of the INTEGER's contents octets, as ParsedCertificate.serialHex). */
  readonly revoked: ReadonlyMap<string, RevokedEntry>;
  readonly crlNumber: bigint | undefined;
  /**
   * Why the CRL cannot be used, when it cannot: RFC 5280 §5.2.3 requires a non-critical cRLNumber
   * (a v1 CRL has none). A certificate such a CRL covers fails closed, as under a stale CRL.
   */
  readonly unusable: string | undefined;
}

export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

export interface OcspSingleResponse {
  /** CertID (RFC 6960 §4.1.1). */
  readonly hashAlgorithm: string;
  readonly issuerNameHash: Uint8Array;
  readonly issuerKeyHash: Uint8Array;
  /** The serialNumber INTEGER's contents octets. */
  readonly serial: Uint8Array;
  readonly status: OcspCertStatus;
  readonly revocationTime: Date | undefined;
  readonly revocationReason: number | undefined;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
}

export interface ParsedOcspResponse extends SignedObject {
  readonly der: Uint8Array;
  readonly responderId: { readonly byName: DistinguishedName } | { readonly byKey: Uint8Array };
  readonly producedAt: Date;
  readonly responses: readonly OcspSingleResponse[];
  /** Certificates the responder included (a delegated responder's, RFC 6960 §4.2.2.2). */
  readonly certs: readonly ParsedCertificate[];
}

/** RFC 5280 §5.2, §5.3 extension identifiers. */
const CrlExt = {
  authorityKeyIdentifier: '2.5.29.35',
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
} as const;

/** RFC 6960 §4.2.1 id-pkix-ocsp-basic; §4.4.1 nonce (not used for stapled responses). */
const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';

/** Hashes by name, as a provider offers them (CryptoProvider.hash). */
export type HashesByName = CryptoProvider['hash'];

/**
 * RFC 6960 §4.1.1 CertID hash algorithms. SHA-2 through the provider; SHA-1 (the usual CertID
 * hash, and RFC 6960 §4.2.1 ResponderID byKey) with noble's (crypto/noble/hash.ts), since no
 * provider offers SHA-1.
 */
const HashAlg = new Map<string, (hash: HashesByName) => (b: Uint8Array) => Uint8Array>([
  ['1.3.14.3.2.26', () => sha1],
  ['2.16.840.1.101.3.4.2.1', (hash) => (b) => hash('SHA-256').digest(b)],
  ['2.16.840.1.101.3.4.2.2', (hash) => (b) => hash('SHA-384').digest(b)],
  ['2.16.840.1.101.3.4.2.3', (hash) => (b) => hash('SHA-512').digest(b)],
]);
export const OcspHashOid = { 'SHA-1': '1.3.14.3.2.26', 'SHA-256': '2.16.840.1.101.3.4.2.1' } as const;

/** RFC 6960 §5.1 OCSPResponseStatus. */
const ResponseStatusName = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(4)', 'sigRequired', 'unauthorized'];

/** No nextUpdate: newer information is always available (RFC 6960 §4.2.2.1); accept it this long. */
const OCSP_MAX_AGE_WITHOUT_NEXT_UPDATE_MS = 7 * 24 * 60 * 60 * 1000;
/** A responder's clock may run ahead of ours a little (RFC 6960 §4.2.2.1 leaves it local). */
const OCSP_CLOCK_SKEW_MS = 5 * 60 * 1000;

// ---------------------------------------------------------------- shared

/** Extensions (RFC 5280 §4.1): OID, critical, value; duplicates rejected. */
function readExtensions(node: asn1js.BaseBlock, what: string): { oid: string; critical: boolean; value: Uint8Array }[] {
  const list = children(node, what);
  if (list.length === 0) throw new DerError(`${what}: empty`);
  const seen = new Set<string>();
  return list.map((e) => {
    const parts = elements(e, 2, 3, 'Extension');
    if (parts.length === 3 && !(parts[1] instanceof asn1js.Boolean)) throw new DerError('Extension: unexpected element');
    const ext = new pkijs.Extension({ schema: e });
    if (seen.has(ext.extnID)) throw new DerError(`${what}: duplicate extension ${ext.extnID}`);
    seen.add(ext.extnID);
    return { oid: ext.extnID, critical: ext.critical, value: ext.extnValue.valueBlock.valueHexView.slice() };
  });
}

/** The subjectPublicKey BIT STRING's value (RFC 6960 §4.1.1 issuerKeyHash, §4.2.1 KeyHash). */
function publicKeyBits(cert: ParsedCertificate): Uint8Array {
  const spki = decodeDer(cert.spki, 'SubjectPublicKeyInfo');
  return octetAligned(at(elements(spki, 2, 2, 'SubjectPublicKeyInfo'), 1, 'SubjectPublicKeyInfo'), 'subjectPublicKey');
}

function signed(
  root: asn1js.BaseBlock,
  der: Uint8Array,
  what: string,
): { tbsNode: asn1js.BaseBlock; algNode: asn1js.BaseBlock; tbs: Uint8Array; alg: ReturnType<typeof parseSignatureAlgorithm>; signature: Uint8Array; rest: asn1js.BaseBlock[] } {
  const [tbsNode, algNode, sigNode, ...rest] = elements(root, 3, 4, what);
  if (!tbsNode || !algNode || !sigNode) throw new DerError(`${what}: missing elements`);
  checkAlgorithmIdentifier(algNode, `${what} signatureAlgorithm`);
  const start = root.idBlock.blockLength + root.lenBlock.blockLength;
  const tbs = der.subarray(start, start + tbsNode.valueBeforeDecodeView.length);
  if (!bytesEqual(tbs, tbsNode.valueBeforeDecodeView)) throw new DerError(`${what}: signed bytes differ from the input`);
  const alg = parseSignatureAlgorithm(new pkijs.AlgorithmIdentifier({ schema: algNode }));
  return { tbsNode, algNode, tbs, alg, signature: octetAligned(sigNode, `${what} signature`).slice(), rest };
}

// ---------------------------------------------------------------- CRLs

/**
 * Parses a DER CertificateList (RFC 5280 §5.1). Malformed input, delta or indirect CRLs and
 * unknown critical extensions (we would not process them, RFC 5280 §5.2) throw a TypeError:
 * CRLs are configuration.
 */
export function parseCrl(input: Uint8Array): ParsedCrl {
  try {
    return parseCrlUncaught(input);
  } catch (e) {
    throw new TypeError(`CRL: ${(e as Error).message}`, { cause: e });
  }
}

function parseCrlUncaught(input: Uint8Array): ParsedCrl {
  const der = input.slice();
  const root = decodeDer(der, 'CertificateList');
  const { tbsNode, algNode, tbs, alg, signature, rest } = signed(root, der, 'CertificateList');
  if (rest.length) throw new DerError('CertificateList: unexpected elements');
  const crl = new pkijs.CertificateRevocationList({ schema: root });
  const fields = children(tbsNode, 'TBSCertList');
  let i = 0;
  let version = 1;
  if (fields[0] instanceof asn1js.Integer) {
    // RFC 5280 §5.1.2.1: v2 (1) when present.
    if (smallInt(fields[0], 'version') !== 1) throw new DerError('TBSCertList: version must be v2');
    version = 2;
    i++;
  }
  const innerAlg = at(fields, i++, 'TBSCertList');
  // RFC 5280 §5.1.1.2: signatureAlgorithm MUST equal TBSCertList.signature.
  if (!bytesEqual(innerAlg.valueBeforeDecodeView, algNode.valueBeforeDecodeView)) {
    throw new DerError('signatureAlgorithm differs from TBSCertList.signature');
  }
  const issuerNode = at(fields, i++, 'TBSCertList');
  const issuer = parseName(crl.issuer, issuerNode);
  const thisUpdate = derTime(at(fields, i++, 'TBSCertList'), 'thisUpdate');
  let nextUpdate: Date | undefined;
  if (fields[i] instanceof asn1js.UTCTime) nextUpdate = derTime(fields[i++]!, 'nextUpdate');
  const revoked = new Map<string, RevokedEntry>();
  if (fields[i] instanceof asn1js.Sequence) {
    const entries = children(fields[i++]!, 'revokedCertificates');
    if (entries.length === 0) throw new DerError('revokedCertificates: empty (omit it instead)');
    for (const entry of entries) {
      const [serialNode, dateNode, extsNode] = elements(entry, 2, 3, 'revokedCertificate');
      if (!(serialNode instanceof asn1js.Integer)) throw new DerError('userCertificate: not an INTEGER');
      const date = derTime(dateNode!, 'revocationDate');
      let reason: number | undefined;
      if (extsNode) {
        if (version !== 2) throw new DerError('crlEntryExtensions in a v1 CRL');
        for (const ext of readExtensions(extsNode, 'crlEntryExtensions')) {
          if (ext.oid === CrlExt.reasonCode) {
            const r = decodeDer(ext.value, 'reasonCode');
            if (!(r instanceof asn1js.Enumerated)) throw new DerError('reasonCode: not ENUMERATED');
            reason = r.valueBlock.valueDec;
          } else if (ext.critical) {
            // e.g. certificateIssuer (indirect CRLs, RFC 5280 §5.3.3).
            throw new DerError(`unsupported critical CRL entry extension ${ext.oid}`);
          }
        }
      }
      revoked.set(toHex(serialNode.valueBlock.valueHexView), { date, reason });
    }
  }
  let crlNumber: bigint | undefined;
  let crlNumberCritical = false;
  const tail = taggedTail(fields, i, [0], 'TBSCertList');
  const extsTagged = tail.get(0);
  if (extsTagged) {
    if (version !== 2) throw new DerError('crlExtensions in a v1 CRL');
    for (const ext of readExtensions(explicit(extsTagged, 'crlExtensions'), 'crlExtensions')) {
      if (ext.oid === CrlExt.cRLNumber) {
        const n = decodeDer(ext.value, 'cRLNumber');
        if (!(n instanceof asn1js.Integer)) throw new DerError('cRLNumber: not an INTEGER');
        crlNumber = n.toBigInt();
        crlNumberCritical = ext.critical;
      } else if (ext.critical && ext.oid !== CrlExt.authorityKeyIdentifier) {
        // issuingDistributionPoint, deltaCRLIndicator, …: scoped or delta CRLs (RFC 5280 §5.2.4-5).
        throw new DerError(`unsupported critical CRL extension ${ext.oid}`);
      }
    }
  }
  // RFC 5280 §5.2.3: conforming CRLs carry a non-critical, non-negative cRLNumber (rustls and
  // OpenSSL's x509_strict refuse others).
  let unusable: string | undefined;
  if (crlNumber === undefined) unusable = 'it has no cRLNumber (RFC 5280 §5.2.3)';
  else if (crlNumberCritical) unusable = 'its cRLNumber is critical (RFC 5280 §5.2.3: MUST be non-critical)';
  else if (crlNumber < 0n) unusable = 'its cRLNumber is negative (RFC 5280 §5.2.3)';
  return { der, tbs, signatureAlgorithm: alg.alg, signatureScheme: alg.scheme, signature, issuer, thisUpdate, nextUpdate, revoked, crlNumber, unusable };
}

/** How the validator checks a signature by a certificate's key; a message on failure. */
export type SignatureCheck = (obj: SignedObject, signer: ParsedCertificate) => string | undefined;

/**
 * RFC 5280 §6.3 in brief: every CRL from `cert`'s issuer must be usable (§5.2.3 cRLNumber),
 * signed by `issuer` (with cRLSign when keyUsage is present), current at `now`, and must not
 * list `cert`'s serial.
 * A certificate no CRL covers is not checked.
 */
export function checkCrls(cert: ParsedCertificate, issuer: ParsedCertificate, crls: readonly ParsedCrl[], now: Date, verify: SignatureCheck): void {
  const mine = crls.filter((c) => bytesEqual(c.issuer.der, cert.issuer.der));
  if (mine.length === 0) return;
  if (issuer.keyUsage !== undefined && (issuer.keyUsage & KeyUsage.cRLSign) === 0) {
    throw certificateError('bad_certificate', 'crl-signature', `CRL issuer ${describe(issuer)} does not allow cRLSign`);
  }
  for (const crl of mine) {
    // Fails closed: revocation cannot be known from an unusable CRL (as from a stale one).
    if (crl.unusable) throw certificateError('bad_certificate', 'crl-profile', `CRL of ${describe(issuer)} cannot be used: ${crl.unusable}`);
    const bad = verify(crl, issuer);
    if (bad) throw certificateError('bad_certificate', 'crl-signature', `CRL of ${describe(issuer)}: ${bad}`);
    const t = now.getTime();
    if (t < crl.thisUpdate.getTime()) {
      throw certificateError('bad_certificate', 'crl-validity', `CRL of ${describe(issuer)} is not valid before ${crl.thisUpdate.toISOString()}`);
    }
    if (crl.nextUpdate && t > crl.nextUpdate.getTime()) {
      throw certificateError('bad_certificate', 'crl-validity', `CRL of ${describe(issuer)} is stale (nextUpdate ${crl.nextUpdate.toISOString()})`);
    }
    const entry = crl.revoked.get(cert.serialHex);
    if (entry) {
      const reason = entry.reason === undefined ? '' : ` (reason ${entry.reason})`;
      throw certificateError('certificate_revoked', 'crl', `${describe(cert)} was revoked at ${entry.date.toISOString()}${reason}`);
    }
  }
}

// ---------------------------------------------------------------- OCSP

const ocspError = (check: string, message: string): CertificateError =>
  certificateError('bad_certificate_status_response', check, message);

/** Parses a DER OCSPResponse (RFC 6960 §4.2.1). Throws CertificateError(bad_certificate_status_response, 'ocsp'). */
export function parseOcspResponse(input: Uint8Array): ParsedOcspResponse {
  try {
    return parseOcspUncaught(input);
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    throw certificateError('bad_certificate_status_response', 'ocsp', `malformed OCSP response: ${(e as Error).message}`, e);
  }
}

function parseOcspUncaught(input: Uint8Array): ParsedOcspResponse {
  const der = input.slice();
  const root = decodeDer(der, 'OCSPResponse');
  const [statusNode, bytesNode] = elements(root, 1, 2, 'OCSPResponse');
  if (!(statusNode instanceof asn1js.Enumerated)) throw new DerError('responseStatus: not ENUMERATED');
  const ocsp = new pkijs.OCSPResponse({ schema: root });
  const status = ocsp.responseStatus.valueBlock.valueDec;
  if (status !== 0) throw ocspError('ocsp', `OCSP response status ${ResponseStatusName[status] ?? status}`);
  if (!bytesNode || !isTagged(bytesNode, 0) || !ocsp.responseBytes) throw new DerError('successful response without responseBytes');
  elements(explicit(bytesNode, 'responseBytes'), 2, 2, 'ResponseBytes');
  if (ocsp.responseBytes.responseType !== OCSP_BASIC) throw ocspError('ocsp', `unsupported OCSP response type ${ocsp.responseBytes.responseType}`);
  const basicDer = octetString(ocsp.responseBytes.response, 'response');
  const basicNode = decodeDer(basicDer, 'BasicOCSPResponse');
  const { tbsNode, tbs, alg, signature, rest } = signed(basicNode, basicDer, 'BasicOCSPResponse');
  const basic = new pkijs.BasicOCSPResponse({ schema: basicNode });

  // certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL
  const certs: ParsedCertificate[] = [];
  const certsTagged = taggedTail(rest, 0, [0], 'BasicOCSPResponse').get(0);
  if (certsTagged) {
    for (const c of children(explicit(certsTagged, 'certs'), 'certs')) certs.push(parseCertificate(c.valueBeforeDecodeView.slice()));
  }

  // ResponseData: version [0] (v1 only, so absent in DER), responderID, producedAt, responses, [1] extensions.
  const fields = children(tbsNode, 'ResponseData');
  let i = 0;
  // X.690 §11.5: the DEFAULT v1 is omitted in DER, and v1 is the only version.
  if (isTagged(fields[0], 0)) throw new DerError('ResponseData: version must be omitted (v1 only)');
  const ridNode = at(fields, i++, 'ResponseData');
  let responderId: ParsedOcspResponse['responderId'];
  if (isTagged(ridNode, 1)) {
    const nameNode = explicit(ridNode, 'byName');
    responderId = { byName: parseName(new pkijs.RelativeDistinguishedNames({ schema: nameNode }), nameNode) };
  } else if (isTagged(ridNode, 2)) {
    const key = octetString(explicit(ridNode, 'byKey'), 'byKey');
    if (key.length !== 20) throw new DerError('byKey: not a SHA-1 hash');
    responderId = { byKey: key.slice() };
  } else throw new DerError('ResponderID: bad tag');
  const producedAt = derTime(at(fields, i++, 'ResponseData'), 'producedAt', true);
  const responsesNode = at(fields, i++, 'ResponseData');
  const tail = taggedTail(fields, i, [1], 'ResponseData');
  const extsTagged = tail.get(1);
  if (extsTagged) {
    for (const ext of readExtensions(explicit(extsTagged, 'responseExtensions'), 'responseExtensions')) {
      if (ext.critical && ext.oid !== OCSP_NONCE) throw new DerError(`unsupported critical response extension ${ext.oid}`);
    }
  }
  const responses = children(responsesNode, 'responses').map((n, k) => parseSingle(n, basic.tbsResponseData.responses[k]));
  if (responses.length === 0) throw new DerError('no SingleResponse');
  return { der, tbs, signatureAlgorithm: alg.alg, signatureScheme: alg.scheme, signature, responderId, producedAt, responses, certs };
}

function parseSingle(node: asn1js.BaseBlock, single: pkijs.SingleResponse | undefined): OcspSingleResponse {
  if (!single) throw new DerError('responses do not match');
  const [certIdNode, statusNode, thisNode, ...rest] = elements(node, 3, 5, 'SingleResponse');
  elements(certIdNode!, 4, 4, 'CertID');
  const certId = single.certID;
  const hashNode = at(children(certIdNode!, 'CertID'), 0, 'CertID');
  checkAlgorithmIdentifier(hashNode, 'CertID hashAlgorithm');
  const hashAlgorithm = certId.hashAlgorithm.algorithmId;
  const serialNode = at(children(certIdNode!, 'CertID'), 3, 'CertID');
  if (!(serialNode instanceof asn1js.Integer)) throw new DerError('CertID serialNumber: not an INTEGER');
  // CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT NULL }
  let status: OcspCertStatus;
  let revocationTime: Date | undefined;
  let revocationReason: number | undefined;
  const s = statusNode!;
  if (s.idBlock.tagClass !== 3 || s.idBlock.tagNumber > 2) throw new DerError('CertStatus: bad tag');
  if (s.idBlock.tagNumber === 1) {
    status = 'revoked';
    const [timeNode, reasonNode] = elements(s, 1, 2, 'RevokedInfo');
    // RevokedInfo's revocationTime is a GeneralizedTime; under IMPLICIT [1] it is read as one.
    revocationTime = derTime(timeNode!, 'revocationTime', true);
    if (reasonNode) {
      if (!isTagged(reasonNode, 0)) throw new DerError('RevokedInfo: unexpected element');
      const r = explicit(reasonNode, 'revocationReason');
      if (!(r instanceof asn1js.Enumerated)) throw new DerError('revocationReason: not ENUMERATED');
      revocationReason = r.valueBlock.valueDec;
    }
  } else {
    if (s.idBlock.isConstructed || s.lenBlock.length !== 0) throw new DerError('CertStatus: good/unknown must be an empty NULL');
    status = s.idBlock.tagNumber === 0 ? 'good' : 'unknown';
  }
  const thisUpdate = derTime(thisNode!, 'thisUpdate', true);
  const tail = taggedTail(rest, 0, [0, 1], 'SingleResponse');
  const nextNode = tail.get(0);
  const nextUpdate = nextNode ? derTime(explicit(nextNode, 'nextUpdate'), 'nextUpdate', true) : undefined;
  const ext = tail.get(1);
  if (ext) {
    for (const e of readExtensions(explicit(ext, 'singleExtensions'), 'singleExtensions')) {
      if (e.critical) throw new DerError(`unsupported critical single extension ${e.oid}`);
    }
  }
  return {
    hashAlgorithm,
    issuerNameHash: octetString(certId.issuerNameHash, 'issuerNameHash').slice(),
    issuerKeyHash: octetString(certId.issuerKeyHash, 'issuerKeyHash').slice(),
    serial: serialNode.valueBlock.valueHexView.slice(),
    status,
    revocationTime,
    revocationReason,
    thisUpdate,
    nextUpdate,
  };
}

/** The SingleResponse about `cert` issued by `issuer` (RFC 6960 §4.1.1 CertID), if any. */
export function findSingleResponse(
  resp: ParsedOcspResponse,
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  hashes: HashesByName = (name) => defaultProvider().hash(name),
): OcspSingleResponse | undefined {
  const keyBits = publicKeyBits(issuer);
  return resp.responses.find((r) => {
    const hash = HashAlg.get(r.hashAlgorithm)?.(hashes);
    if (!hash || !bytesEqual(r.serial, cert.serial)) return false;
    return bytesEqual(r.issuerNameHash, hash(cert.issuer.der)) && bytesEqual(r.issuerKeyHash, hash(keyBits));
  });
}

function responderMatches(resp: ParsedOcspResponse, c: ParsedCertificate): boolean {
  const id = resp.responderId;
  return 'byName' in id ? bytesEqual(id.byName.der, c.subject.der) : bytesEqual(id.byKey, sha1(publicKeyBits(c)));
}

/**
 * RFC 6960 §3.2 and §4.2.2.2: the response names `cert` (CertID), is signed by `issuer` or by a
 * responder `issuer` certified with id-kp-OCSPSigning, and is current at `now`. Then good
 * passes, revoked → certificate_revoked, unknown → bad_certificate_status_response.
 */
export function checkOcsp(
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  resp: ParsedOcspResponse,
  now: Date,
  verify: SignatureCheck,
  hashes: HashesByName = (name) => defaultProvider().hash(name),
): void {
  const single = findSingleResponse(resp, cert, issuer, hashes);
  if (!single) throw ocspError('ocsp-certid', `the OCSP response is not about ${describe(cert)} from ${describe(issuer)}`);

  // Who signed: the issuer itself, or a delegated responder among the response's certs.
  let signer: ParsedCertificate | undefined;
  let why = 'no certificate matches the responder ID';
  if (responderMatches(resp, issuer)) signer = issuer;
  else {
    for (const c of resp.certs) {
      if (!responderMatches(resp, c)) continue;
      const problem = delegatedResponderProblem(c, issuer, now, verify);
      if (problem) {
        why = problem;
        continue;
      }
      signer = c;
      break;
    }
  }
  if (!signer) throw ocspError('ocsp-responder', `OCSP responder not authorised for ${describe(issuer)}: ${why}`);
  const bad = verify(resp, signer);
  if (bad) throw ocspError('ocsp-signature', `OCSP response signed by ${describe(signer)}: ${bad}`);

  const t = now.getTime();
  if (single.thisUpdate.getTime() > t + OCSP_CLOCK_SKEW_MS) throw ocspError('ocsp-validity', `OCSP response is not valid before ${single.thisUpdate.toISOString()}`);
  if (single.nextUpdate) {
    if (t > single.nextUpdate.getTime()) throw ocspError('ocsp-validity', `OCSP response is stale (nextUpdate ${single.nextUpdate.toISOString()})`);
  } else if (t - single.thisUpdate.getTime() > OCSP_MAX_AGE_WITHOUT_NEXT_UPDATE_MS) {
    throw ocspError('ocsp-validity', `OCSP response without nextUpdate is too old (thisUpdate ${single.thisUpdate.toISOString()})`);
  }
  if (single.status === 'revoked') {
    const when = single.revocationTime ? ` at ${single.revocationTime.toISOString()}` : '';
    const reason = single.revocationReason === undefined ? '' : ` (reason ${single.revocationReason})`;
    throw certificateError('certificate_revoked', 'ocsp', `${describe(cert)} was revoked${when}${reason} (OCSP)`);
  }
  if (single.status === 'unknown') throw ocspError('ocsp', `the OCSP responder does not know ${describe(cert)}`);
}

function delegatedResponderProblem(c: ParsedCertificate, issuer: ParsedCertificate, now: Date, verify: SignatureCheck): string | undefined {
  if (!bytesEqual(c.issuer.der, issuer.subject.der)) return `${describe(c)} is not issued by ${describe(issuer)}`;
  // RFC 6960 §4.2.2.2: id-kp-OCSPSigning itself (anyExtendedKeyUsage does not count).
  if (!c.extKeyUsage?.includes(EkuOid.ocspSigning)) return `${describe(c)} lacks id-kp-OCSPSigning`;
  if (c.keyUsage !== undefined && (c.keyUsage & KeyUsage.digitalSignature) === 0) return `${describe(c)} does not allow digitalSignature`;
  const t = now.getTime();
  if (t < c.notBefore.getTime() || t > c.notAfter.getTime()) return `${describe(c)} is not valid at ${now.toISOString()}`;
  const bad = verify(c, issuer);
  return bad ? `${describe(c)}: ${bad}` : undefined;
}
