// The certificate profile the verifiers enforce, by a certificate's role on the path (RFC 5280 §4
// as the web PKI reads it): RSA key bounds, no CA bits on an end-entity certificate, the
// criticality RFC 5280 requires of the extensions we process, non-empty CA names; and the
// lint-level rules of `strictProfile` (RFC 5280 MUSTs that Go, OpenSSL and rustls do not
// enforce, and CA/Browser Forum Baseline Requirements). Failures are CertificateErrors.

import { CertificateError, certificateError } from '../errors.js';
import { RSA_MAX_MODULUS_BITS } from '../crypto/rsa/verify.js';
import { ipToText } from './identity.js';
import { type ParsedCertificate, EkuOid, ExtensionOid, KeyUsage, describeCertificate as describe, parseAuthorityKeyIdentifier } from './certificate.js';

/** RSA moduli accepted on a path by default (issue 12 group 4, audit finding 1). */
export const DEFAULT_MIN_RSA_MODULUS_BITS = 2048;
export const DEFAULT_MAX_RSA_MODULUS_BITS = 8192;

export interface ProfileOptions {
  readonly minRsaModulusBits: number;
  readonly maxRsaModulusBits: number;
  /** The lint-level rules (strictProfile). */
  readonly strict: boolean;
}

/**
 * The verifier options, checked: the minimum can only be raised above 2048; the maximum can go up
 * to what parsing accepts (16384 bits) and not below the minimum.
 */
export function profileOptions(opts: { minRsaModulusBits?: number | undefined; maxRsaModulusBits?: number | undefined; strictProfile?: boolean | undefined }): ProfileOptions {
  const min = opts.minRsaModulusBits ?? DEFAULT_MIN_RSA_MODULUS_BITS;
  const max = opts.maxRsaModulusBits ?? Math.max(DEFAULT_MAX_RSA_MODULUS_BITS, min);
  if (!Number.isSafeInteger(min) || min < DEFAULT_MIN_RSA_MODULUS_BITS) throw new RangeError(`minRsaModulusBits must be at least ${DEFAULT_MIN_RSA_MODULUS_BITS}`);
  if (!Number.isSafeInteger(max) || max > RSA_MAX_MODULUS_BITS) throw new RangeError(`maxRsaModulusBits must be at most ${RSA_MAX_MODULUS_BITS}`);
  if (max < min) throw new RangeError('maxRsaModulusBits is below minRsaModulusBits');
  return { minRsaModulusBits: min, maxRsaModulusBits: max, strict: opts.strictProfile ?? false };
}

const fail = (check: string, message: string): CertificateError => certificateError('bad_certificate', check, message);

/** Why `cert`'s key is outside the bounds (RSA only: EC curves are checked at parse), if it is. */
export function keySizeProblem(cert: ParsedCertificate, opts: ProfileOptions): string | undefined {
  const k = cert.publicKey;
  if (k.kind !== 'rsa') return undefined;
  if (k.bits < opts.minRsaModulusBits) return `${describe(cert)} has an RSA key of ${k.bits} bits, under the minimum of ${opts.minRsaModulusBits}`;
  if (k.bits > opts.maxRsaModulusBits) return `${describe(cert)} has an RSA key of ${k.bits} bits, over the maximum of ${opts.maxRsaModulusBits}`;
  return undefined;
}

const extension = (cert: ParsedCertificate, oid: string) => cert.extensions.find((e) => e.oid === oid);
const emptySubject = (cert: ParsedCertificate): boolean => cert.subject.attributes.length === 0;

/** How the end-entity certificate is trusted. */
export interface LeafRole {
  /** The leaf is a configured trust anchor itself, or pinned in pinMode 'instead-of-ca'. */
  readonly trustedAsIs: boolean;
  /** The leaf is a configured trust anchor (no lint rules: it was not issued to us). */
  readonly anchor: boolean;
  readonly requiredEku: string;
}

/** Profile checks of the end-entity certificate. */
export function checkLeafProfile(leaf: ParsedCertificate, role: LeafRole, opts: ProfileOptions): void {
  checkKeySize(leaf, opts);
  checkCriticality(leaf, false);
  if (!role.trustedAsIs) {
    // RFC 5280 §4.2.1.9 / §4.2.1.3: a CA certificate, or a key for certificate signing, is not an
    // end entity (as rustls's CaUsedAsEndEntity). A certificate trusted as is may carry them:
    // `openssl req -x509` writes CA:TRUE into self-signed server certificates.
    if (leaf.basicConstraints?.ca) throw fail('basic-constraints', `${describe(leaf)} is a CA certificate (basicConstraints cA=TRUE), not an end-entity certificate`);
    if (leaf.keyUsage !== undefined && (leaf.keyUsage & KeyUsage.keyCertSign) !== 0) {
      throw fail('key-usage', `${describe(leaf)} allows keyCertSign, which an end-entity certificate must not`);
    }
  }
  if (opts.strict && !role.anchor) {
    const problem = commonLint(leaf) ?? leafLint(leaf, role.requiredEku);
    if (problem) throw fail('strict-profile', `${describe(leaf)}: ${problem}`);
  }
}

/** Profile checks of a certificate that issues the one below it (intermediate or trust anchor). */
export function checkIssuerProfile(issuer: ParsedCertificate, anchor: boolean, opts: ProfileOptions): void {
  checkKeySize(issuer, opts);
  checkCriticality(issuer, true);
  // RFC 5280 §4.1.2.6: a CA's subject MUST be a non-empty distinguished name (issuer names chain
  // by it). Anchors included: an empty name would match every certificate with an empty issuer.
  if (emptySubject(issuer)) throw fail('empty-subject', `issuer with serial ${issuer.serialHex} has an empty subject`);
  if (opts.strict && !anchor) {
    const problem = commonLint(issuer) ?? caLint(issuer);
    if (problem) throw fail('strict-profile', `${describe(issuer)}: ${problem}`);
  }
}

function checkKeySize(cert: ParsedCertificate, opts: ProfileOptions): void {
  const problem = keySizeProblem(cert, opts);
  if (problem) throw fail('key-size', problem);
}

/** RFC 5280 §4.2.1: the criticality the profile requires of the extensions we process. */
function checkCriticality(cert: ParsedCertificate, asIssuer: boolean): void {
  const wrong = (what: string): never => {
    throw fail('criticality', `${describe(cert)}: ${what}`);
  };
  if (extension(cert, ExtensionOid.authorityKeyIdentifier)?.critical) wrong('authorityKeyIdentifier is critical (RFC 5280 §4.2.1.1: MUST be non-critical)');
  if (extension(cert, ExtensionOid.subjectKeyIdentifier)?.critical) wrong('subjectKeyIdentifier is critical (RFC 5280 §4.2.1.2: MUST be non-critical)');
  if (emptySubject(cert)) {
    // RFC 5280 §4.2.1.6: with an empty subject, the identity is in a critical subjectAltName.
    const san = extension(cert, ExtensionOid.subjectAltName);
    if (!san) wrong('empty subject and no subjectAltName (RFC 5280 §4.2.1.6)');
    else if (!san.critical) wrong('empty subject and a non-critical subjectAltName (RFC 5280 §4.2.1.6: MUST be critical)');
  }
  const nc = extension(cert, ExtensionOid.nameConstraints);
  if (nc && !nc.critical) wrong('nameConstraints is not critical (RFC 5280 §4.2.1.10: MUST be critical)');
  // RFC 5280 §4.2.1.9: critical in CA certificates whose keys verify certificate signatures.
  const bc = extension(cert, ExtensionOid.basicConstraints);
  if (asIssuer && bc && !bc.critical) wrong('basicConstraints is not critical in a CA certificate (RFC 5280 §4.2.1.9)');
}

// ---------------------------------------------------------------- strictProfile

/** Rules for every certificate that was issued (not the anchor): the first broken one, if any. */
function commonLint(cert: ParsedCertificate): string | undefined {
  // RFC 5280 §4.1.2.1 (extensions need v3); CA/B BR §7.1.1: v3 only.
  if (cert.version !== 3) return `version ${cert.version} (only v3)`;
  // RFC 5280 §4.1.2.2: a positive integer, at most 20 octets.
  const serial = cert.serial;
  if (serial.length > 20) return `serial number of ${serial.length} octets (at most 20, RFC 5280 §4.1.2.2)`;
  if ((serial[0]! & 0x80) !== 0) return 'negative serial number (RFC 5280 §4.1.2.2)';
  if (serial.every((b) => b === 0)) return 'serial number zero (RFC 5280 §4.1.2.2: positive)';
  const akiExt = extension(cert, ExtensionOid.authorityKeyIdentifier);
  if (akiExt) {
    const aki = parseAuthorityKeyIdentifier(akiExt.value);
    // RFC 5280 §4.2.1.1 (ASN.1 comment): authorityCertIssuer and authorityCertSerialNumber together or not at all.
    if (aki.certIssuer !== aki.certSerial) return 'authorityKeyIdentifier with only one of authorityCertIssuer and authorityCertSerialNumber';
    // RFC 5280 §4.2.1.1: keyIdentifier MUST be included (self-signed certificates aside).
    if (!aki.keyIdentifier && !cert.selfIssued) return 'authorityKeyIdentifier without keyIdentifier (RFC 5280 §4.2.1.1)';
  } else if (!cert.selfIssued) {
    return 'no authorityKeyIdentifier (RFC 5280 §4.2.1.1: MUST be included except in self-signed certificates)';
  }
  const ku = cert.keyUsage;
  // RFC 5280 §4.2.1.3: encipherOnly / decipherOnly mean something only with keyAgreement.
  if (ku !== undefined && (ku & (KeyUsage.encipherOnly | KeyUsage.decipherOnly)) !== 0 && (ku & KeyUsage.keyAgreement) === 0) {
    return 'keyUsage encipherOnly/decipherOnly without keyAgreement (RFC 5280 §4.2.1.3)';
  }
  const eku = cert.extKeyUsage;
  if (eku) {
    if (new Set(eku).size !== eku.length) return 'a KeyPurposeId repeated in extKeyUsage';
    // RFC 5280 §4.2.1.12: SHOULD NOT be critical when anyExtendedKeyUsage is present.
    if (eku.includes(EkuOid.anyExtendedKeyUsage) && extension(cert, ExtensionOid.extKeyUsage)?.critical) return 'critical extKeyUsage with anyExtendedKeyUsage (RFC 5280 §4.2.1.12)';
  }
  return undefined;
}

/** Rules for the end-entity certificate. */
function leafLint(leaf: ParsedCertificate, requiredEku: string): string | undefined {
  const san = leaf.subjectAltNames;
  const hasSan = extension(leaf, ExtensionOid.subjectAltName) !== undefined;
  // CA/B BR §7.1.2.7.12: a TLS server certificate names its subjects in subjectAltName.
  if (requiredEku === EkuOid.serverAuth && !hasSan) return 'no subjectAltName (CA/B BR §7.1.2.7.12)';
  if (hasSan) {
    // CA/B BR §7.1.4.3: a commonName, when present, is a copy of one of the SANs.
    const names = new Set([...san.dns.map((d) => d.toLowerCase()), ...san.ip.map(ipToText), ...san.email, ...san.uri]);
    for (const a of leaf.subject.attributes) {
      if (a.oid === '2.5.4.3' && !names.has(a.value) && !names.has(a.value.toLowerCase())) return `commonName ${JSON.stringify(a.value)} is not among the subjectAltNames`;
    }
  }
  const eku = leaf.extKeyUsage;
  // CA/B BR §7.1.2.7.10: a subscriber certificate has an EKU, without anyExtendedKeyUsage.
  if (eku === undefined && requiredEku === EkuOid.serverAuth) return 'no extKeyUsage (CA/B BR §7.1.2.7.10)';
  if (eku?.includes(EkuOid.anyExtendedKeyUsage)) return `anyExtendedKeyUsage in an end-entity certificate${eku.length > 1 ? ', with other purposes' : ''} (CA/B BR §7.1.2.7.10)`;
  // RFC 5280 §4.2.1.9: pathLenConstraint only when cA is TRUE.
  if (leaf.basicConstraints && !leaf.basicConstraints.ca && leaf.basicConstraints.pathLen !== undefined) return 'pathLenConstraint without cA (RFC 5280 §4.2.1.9)';
  return undefined;
}

/** Rules for an intermediate CA certificate. */
function caLint(ca: ParsedCertificate): string | undefined {
  // RFC 5280 §4.2.1.2: MUST appear in all conforming CA certificates.
  if (!ca.subjectKeyIdentifier) return 'no subjectKeyIdentifier in a CA certificate (RFC 5280 §4.2.1.2)';
  // RFC 5280 §4.2.1.3: MUST be present in certificates whose keys verify certificate signatures.
  if (ca.keyUsage === undefined) return 'no keyUsage in a CA certificate (RFC 5280 §4.2.1.3)';
  return undefined;
}
