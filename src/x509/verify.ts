// Certificate path validation (RFC 8446 §4.4.2, RFC 5280 §6 subset) for both verifiers.
// Path building from the leaf over presented + configured certificates, any order
// (RFC 8446 §4.4.2: "... SHOULD be prepared to handle potentially extraneous certificates
// and arbitrary orderings"), with backtracking when a candidate issuer fails. Presented
// certificates are parsed only when their subject names an issuer the search looks for, and a
// path's signatures are verified only once it reaches an anchor, from the anchor down; then
// name constraints run; then revocation (CRLs, stapled OCSP) and SPKI pins on the path found.
// The work of one validation is bounded (see the constants below; bad_certificate beyond).
// Not processed: certificate policies (a critical policy extension fails as unknown).

import { defaultProvider } from '../crypto/default.js';
import type { SignatureVerifier } from '../crypto/provider.js';
import { AlertDescription, CertificateBoundError, CertificateError, certificateError } from '../errors.js';
import { bytesEqual } from '../util/bytes.js';
import { SignatureScheme, schemeName } from '../wire/codepoints.js';
import {
  EkuOid,
  KeyUsage,
  type ParsedCertificate,
  describeCertificate as describe,
  CertificateCache,
  parseCertificate,
} from './certificate.js';
import { latin1 } from './asn1.js';
import { certificateNames, countElements } from './der-reader.js';
import { nameSyntaxProblem } from './general-names.js';
import { matchesHostname } from './hostname.js';
import { ipToText, peerIdentity, spkiSha256 } from './identity.js';
import { MAX_NAME_CONSTRAINT_COMPARISONS, type NameConstraintBudget, NameConstraintsChecker } from './name-constraints.js';
import { type HashesByName, type ParsedCrl, type SignedObject, checkCrls, checkOcsp, parseCrl, parseOcspResponse } from './revocation.js';
import { pssSchemeFor } from './keys.js';
import type { CertificateVerifierInput, PathChecker, ServerCertificateVerifier, VerifiedChain } from './types.js';
import { type ProfileOptions, checkIssuerProfile, checkLeafProfile, keySizeProblem, profileOptions } from './profile.js';

export type { CertificateVerifierInput, PathChecker, ServerCertificateVerifier, VerifiedChain } from './types.js';

export interface WebPkiVerifierOptions {
  /** Trusted root certificates (DER). */
  trustAnchors: Uint8Array[];
  verifier: SignatureVerifier;
  /** Extra intermediates to build paths with, beyond those the peer sends. */
  intermediates?: Uint8Array[];
  /**
   * Most certificates in a path, leaf and anchor included; self-issued intermediates (a CA's
   * key rollover) are not counted (RFC 5280 §6.1.4 (l)). Default 8. Whatever its value, a path
   * holds at most two self-issued intermediates, so at most maxChainLength + 2 certificates.
   * Beyond → unknown_ca, check 'chain-length'.
   */
  maxChainLength?: number;
  /**
   * Most certificates accepted in one Certificate message, leaf included (RFC 8446 §4.4.2 allows
   * extraneous ones, not any number). Default 16. Beyond → bad_certificate, check
   * 'certificate-count', before any certificate is parsed.
   */
  maxPresentedCertificates?: number;
  /** Accept SHA-1 signatures on chain links (RFC 8446 §4.4.2.4 recommends not to). Default false. */
  allowSha1?: boolean;
  /** Extra checks over each candidate path (name constraints always run). */
  pathCheckers?: PathChecker[];
  /**
   * CRLs (DER) from the application (RFC 5280 §5). Every certificate on the path that a CRL's
   * issuer covers is looked up: revoked → certificate_revoked (check 'crl'); a CRL that does
   * not verify or is not current at the clock → bad_certificate ('crl-signature', 'crl-validity').
   */
  crls?: Uint8Array[];
  /**
   * Require a stapled OCSP response for the leaf (RFC 8446 §4.4.2.1); none →
   * bad_certificate_status_response ('ocsp-required'). A staple is always checked when present.
   */
  requireOcsp?: boolean;
  /** SHA-256 hashes of accepted SubjectPublicKeyInfo DER (32 bytes each; see parsePin). */
  pins?: Uint8Array[];
  /**
   * Hashes by name (a provider's `hash`) for SPKI pins, PeerIdentity.spkiSha256 and SHA-2 OCSP
   * CertIDs. Default: the default provider's (defaultProvider(), read at construction).
   */
  hash?: HashesByName;
  /**
   * Parsed certificates kept across verifications (configured ones and those of validated
   * paths). Default: one of the validator's own; pass one to share it between verifiers.
   */
  certificateCache?: CertificateCache;
  /**
   * 'and-ca' (default): the path must validate to an anchor and one of its keys (leaf,
   * intermediate or anchor) must be pinned (as RFC 7469 §2.6). 'instead-of-ca': the leaf's key
   * must be pinned and no CA is needed (trustAnchors may be empty). Mismatch → bad_certificate, check 'pin'.
   */
  pinMode?: 'and-ca' | 'instead-of-ca';
  /**
   * Smallest RSA modulus accepted on the path, leaf and trust anchor included: 2048 (the
   * default) or more; smaller → RangeError. A key below it → bad_certificate, check 'key-size'.
   */
  minRsaModulusBits?: number;
  /**
   * Largest RSA modulus accepted on the path (default 8192, at most 16384: parsing refuses larger
   * keys). A key above it is never used to verify a signature → bad_certificate, check 'key-size'.
   */
  maxRsaModulusBits?: number;
  /**
   * Lint-level profile rules on every certificate but the trust anchor (default false): serial
   * numbers, AKI/SKI details, EKU details, commonName among the SANs, … → bad_certificate,
   * check 'strict-profile'. See the README's X.509 section.
   */
  strictProfile?: boolean;
}

/** Per-verification inputs besides the chain. */
export interface ValidateOptions {
  ocspResponse?: Uint8Array | undefined;
  signatureAlgorithmsCert?: readonly number[] | undefined;
}

// Work bounds of one validation (RFC 8446 §4.4.2 asks receivers to tolerate extraneous
// certificates, not any number of them). Beyond each: bad_certificate, and the search stops.
/** Default of maxPresentedCertificates. */
export const DEFAULT_MAX_PRESENTED_CERTIFICATES = 16;
/** Issuer candidates tried for one certificate of a path. */
const MAX_CANDIDATES_PER_CERTIFICATE = 8;
/** Issuer candidates tried in all (cross-signing can branch). */
const CANDIDATE_BUDGET = 64;
/** Certificate signatures verified (one seen before, by this validator, costs none). */
const MAX_SIGNATURE_CHECKS = 8;
/** Self-issued intermediates on a path (key rollover), which maxChainLength does not count. */
const MAX_SELF_ISSUED_INTERMEDIATES = 2;
/**
 * DER elements (countElements) in the presented certificates parsed, leaf included: a parse
 * costs about 30 µs per element; a typical certificate has 50–150.
 */
export const MAX_PARSED_ELEMENTS = 1024;

const fail = (alert: keyof typeof AlertDescription, check: string, message: string): CertificateError =>
  certificateError(alert, check, message);
const beyondBound = (check: string, message: string): CertificateBoundError => new CertificateBoundError(AlertDescription.bad_certificate, check, message);

const key = (b: Uint8Array): string => latin1(b);

/** RFC 5280 §4.1.2.5: the validity period is inclusive at both ends. */
export function checkValidity(cert: ParsedCertificate, now: Date): void {
  const t = now.getTime();
  // RFC 8446 §6.2: certificate_expired covers "expired or is not currently valid".
  if (t < cert.notBefore.getTime()) {
    throw fail('certificate_expired', 'validity', `${describe(cert)} is not valid before ${cert.notBefore.toISOString()}`);
  }
  if (t > cert.notAfter.getTime()) {
    throw fail('certificate_expired', 'validity', `${describe(cert)} expired at ${cert.notAfter.toISOString()}`);
  }
}

/** RFC 5280 §4.2.1.6: every SAN of a form we use is a valid name of that form (else it could slip past name constraints). */
function checkNameSyntax(cert: ParsedCertificate): void {
  const problem = nameSyntaxProblem(cert.subjectAltNames);
  if (problem) throw fail('bad_certificate', 'name-syntax', `${describe(cert)}: ${problem}`);
}

/** A presented certificate other than the leaf: named by framing alone, parsed when a path first needs it. */
interface Presented {
  readonly der: Uint8Array;
  parsed?: ParsedCertificate;
  /** Set when it was left out (a key type we do not support). */
  skipped?: boolean;
}

type Problem = { alert: keyof typeof AlertDescription; check: string; message: string };

/** The state of one validation: its inputs and what is left of each bound. */
interface Validation {
  readonly now: Date;
  readonly eku: string;
  readonly allowed: ReadonlySet<number> | undefined;
  /** Presented certificates after the leaf, by subject Name DER. */
  readonly presented: ReadonlyMap<string, Presented[]>;
  candidates: number;
  signatures: number;
  elements: number;
  readonly nameConstraints: NameConstraintBudget;
  /** Links that failed in this validation: not verified twice. */
  readonly failedLinks: Map<object, Map<ParsedCertificate, Problem>>;
  /** The most informative failure so far: the first that is not just "issuer not found". */
  error: CertificateError | undefined;
}

/**
 * The path validator behind WebPkiServerVerifier and WebPkiClientVerifier: `requiredEku` is
 * serverAuth or clientAuth. Order: the number of certificates, the leaf's own checks, then a
 * path search over names and the checks that need no public key (issuer checks, key
 * identifiers, lengths); a path that reaches an anchor then has its signatures verified from
 * the anchor down (so every key used is already certified), then its name constraints and
 * path checkers. Then pins, then revocation on the path found.
 */
export class ChainValidator {
  private readonly anchors = new Map<string, ParsedCertificate[]>();
  private readonly anchorDer = new Set<string>();
  private readonly intermediates = new Map<string, ParsedCertificate[]>();
  private readonly verifier: SignatureVerifier;
  private readonly maxChainLength: number;
  private readonly maxPresented: number;
  private readonly allowSha1: boolean;
  private readonly nameConstraints = new NameConstraintsChecker();
  private readonly checkers: readonly PathChecker[];
  private readonly extraHandled: ReadonlySet<string>;
  private readonly crls: readonly ParsedCrl[];
  /**
   * Signatures that verified, by signed object and signer. Certificates come from the parse
   * cache (one object per exact DER while cached; peer certificates enter it once they are on
   * a validated path), and this map belongs to one validator (one trust store and
   * configuration), so a chain seen again costs no public-key operation. Only successes are
   * kept, and only the signature itself is skipped: every other check (validity at the clock,
   * constraints, schemes allowed for this handshake, revocation) runs every time.
   */
  private readonly verifiedSignatures = new WeakMap<object, WeakSet<ParsedCertificate>>();
  private readonly requireOcsp: boolean;
  private readonly pins: ReadonlySet<string> | undefined;
  private readonly pinMode: 'and-ca' | 'instead-of-ca';
  private readonly profile: ProfileOptions;

  /** Hashes by name (WebPkiVerifierOptions.hash). */
  readonly hashes: HashesByName;
  /** This validator's parsed certificates (WebPkiVerifierOptions.certificateCache). */
  readonly certificates: CertificateCache;

  constructor(opts: WebPkiVerifierOptions) {
    this.certificates = opts.certificateCache ?? new CertificateCache();
    const provider = defaultProvider();
    this.hashes = opts.hash ?? ((name) => provider.hash(name));
    this.profile = profileOptions(opts);
    this.pinMode = opts.pinMode ?? 'and-ca';
    if (opts.pinMode !== undefined && opts.pinMode !== 'and-ca' && opts.pinMode !== 'instead-of-ca') throw new TypeError(`unknown pinMode ${String(opts.pinMode)}`);
    if (opts.pins) {
      for (const p of opts.pins) if (p.length !== 32) throw new TypeError(`a pin is a SHA-256 hash (32 bytes), not ${p.length} bytes`);
      this.pins = new Set(opts.pins.map(key));
    }
    if (this.pinMode === 'instead-of-ca' && !this.pins?.size) throw new TypeError("pinMode 'instead-of-ca' needs pins");
    if (opts.trustAnchors.length === 0 && this.pinMode !== 'instead-of-ca') throw new TypeError('WebPkiServerVerifier: no trust anchors');
    for (const der of opts.trustAnchors) {
      const c = this.certificates.parse(der);
      push(this.anchors, key(c.subject.der), c);
      this.anchorDer.add(key(c.der));
    }
    for (const der of opts.intermediates ?? []) {
      const c = this.certificates.parse(der);
      push(this.intermediates, key(c.subject.der), c);
    }
    this.verifier = opts.verifier;
    this.maxChainLength = opts.maxChainLength ?? 8;
    if (!(this.maxChainLength >= 1)) throw new RangeError('maxChainLength must be at least 1');
    this.maxPresented = opts.maxPresentedCertificates ?? DEFAULT_MAX_PRESENTED_CERTIFICATES;
    if (!Number.isInteger(this.maxPresented) || this.maxPresented < 1) throw new RangeError('maxPresentedCertificates must be a positive integer');
    this.allowSha1 = opts.allowSha1 ?? false;
    this.checkers = opts.pathCheckers ?? [];
    this.extraHandled = new Set([this.nameConstraints, ...this.checkers].flatMap((c) => c.handlesExtensions ?? []));
    this.crls = (opts.crls ?? []).map(parseCrl);
    this.requireOcsp = opts.requireOcsp ?? false;
  }

  /** The anchors' subject names (DER), e.g. for certificate_authorities. */
  anchorSubjects(): Uint8Array[] {
    return [...this.anchors.values()].flatMap((certs) => certs.map((c) => c.subject.der));
  }

  /** Validates `presented` (leaf first) and returns the path leaf … anchor. */
  validate(presented: Uint8Array[], now: Date, requiredEku: string, opts: ValidateOptions = {}): ParsedCertificate[] {
    // RFC 8446 §4.4.2.4: an empty server Certificate is decode_error.
    if (presented.length === 0) throw fail('decode_error', 'chain', 'empty certificate chain');
    // Bounded before anything is parsed.
    if (presented.length > this.maxPresented) {
      throw beyondBound('certificate-count', `${presented.length} certificates presented, more than ${this.maxPresented} (maxPresentedCertificates)`);
    }
    const pool = new Map<string, Presented[]>();
    const v: Validation = {
      now,
      eku: requiredEku,
      allowed: opts.signatureAlgorithmsCert ? new Set(opts.signatureAlgorithmsCert) : undefined,
      presented: pool,
      candidates: CANDIDATE_BUDGET,
      signatures: MAX_SIGNATURE_CHECKS,
      elements: MAX_PARSED_ELEMENTS,
      nameConstraints: { remaining: MAX_NAME_CONSTRAINT_COMPARISONS },
      failedLinks: new Map(),
      error: undefined,
    };
    const leaf = this.parse(presented[0]!, v);
    // The others are framed for their subject names only; path building parses those it reaches.
    for (const der of presented.slice(1)) {
      let subject: Uint8Array;
      try {
        subject = certificateNames(der).subject;
      } catch (e) {
        throw fail('bad_certificate', 'parse', `a presented certificate: ${(e as Error).message}`);
      }
      push(pool, key(subject), { der });
    }

    this.checkCommon(leaf, now);
    // RFC 8446 §4.4.2.2: digitalSignature MUST be set if KeyUsage is present.
    if (leaf.keyUsage !== undefined && (leaf.keyUsage & KeyUsage.digitalSignature) === 0) {
      throw fail('unsupported_certificate', 'key-usage', `${describe(leaf)} does not allow digitalSignature`);
    }
    checkEku(leaf, requiredEku);
    checkNameSyntax(leaf);
    // Key bounds, CA bits, criticality, strictProfile (./profile.ts). A leaf that is an anchor or
    // whose key is pinned instead of a CA is trusted as is: it may be a self-signed CA certificate.
    const leafIsAnchor = this.anchorDer.has(key(leaf.der));
    checkLeafProfile(leaf, { trustedAsIs: leafIsAnchor || this.pinMode === 'instead-of-ca', anchor: leafIsAnchor, requiredEku }, this.profile);

    let path: ParsedCertificate[];
    if (this.pinMode === 'instead-of-ca') {
      // The pinned key stands in for the CA: no path is built.
      if (!this.pinned(leaf)) throw fail('bad_certificate', 'pin', `the key of ${describe(leaf)} is not pinned`);
      path = [leaf];
      this.runCheckers(path, v);
    } else if (this.anchorDer.has(key(leaf.der))) {
      // A pinned certificate: the leaf itself is a trust anchor.
      path = [leaf];
      this.runCheckers(path, v);
    } else {
      const found = this.search([leaf], v);
      if (!found) {
        // A skipped certificate may be why: search() reported it over unknown_ca.
        if (v.error) throw v.error;
        throw fail('unknown_ca', 'issuer', `no path from ${describe(leaf)} to a trust anchor (issuer ${JSON.stringify(leaf.issuer.text)} not found or not trusted)`);
      }
      path = found;
    }
    if (this.pins && this.pinMode === 'and-ca' && !path.some((c) => this.pinned(c))) {
      throw fail('bad_certificate', 'pin', `no key on the path from ${describe(leaf)} is pinned`);
    }
    this.checkRevocation(path, v, opts.ocspResponse);
    // Only certificates of a validated path enter the parse cache.
    for (const c of path) this.certificates.remember(c);
    return path;
  }

  private pinned(c: ParsedCertificate): boolean {
    return this.pins?.has(key(spkiSha256(c, this.hashes('SHA-256')))) ?? false;
  }

  /** Parses a presented certificate, within the validation's bound on what is parsed. */
  private parse(der: Uint8Array, v: Validation): ParsedCertificate {
    let elements: number;
    try {
      elements = countElements(der, v.elements);
    } catch (e) {
      throw fail('bad_certificate', 'parse', `a presented certificate: ${(e as Error).message}`);
    }
    v.elements -= elements;
    if (v.elements < 0) throw beyondBound('certificate-size', `the certificates to parse hold more than ${MAX_PARSED_ELEMENTS} DER elements`);
    return this.certificates.parseTransient(der);
  }

  /** The presented certificate, parsed once; undefined when left out (unsupported key type). */
  private parsePresented(p: Presented, v: Validation): ParsedCertificate | undefined {
    if (p.parsed || p.skipped) return p.parsed;
    try {
      p.parsed = this.parse(p.der, v);
    } catch (e) {
      // An extra certificate with a key type we do not support (RFC 8446 §4.4.2 allows
      // extraneous ones) is left out; malformed ones still fail.
      if (!(e instanceof CertificateError) || e.alert !== AlertDescription.unsupported_certificate) throw e;
      p.skipped = true;
      record(v, e);
    }
    return p.parsed;
  }

  /**
   * CRLs for every certificate below the anchor, then the leaf's OCSP staple. An anchor is
   * trusted as configured: a pinned anchor leaf is not checked.
   */
  private checkRevocation(path: readonly ParsedCertificate[], v: Validation, ocsp: Uint8Array | undefined): void {
    const leaf = path[0]!;
    if (this.anchorDer.has(key(leaf.der))) return;
    // A CRL that verified under this issuer once is not verified again (verifiedSignatures).
    const check = (obj: SignedObject, signer: ParsedCertificate): string | undefined => this.signatureProblem(obj, signer, undefined)?.message;
    const last = path.length - 1;
    for (let i = 0; this.crls.length > 0 && i < path.length; i++) {
      const cert = path[i]!;
      if (i === last && this.anchorDer.has(key(cert.der))) break;
      const issuer = path[i + 1] ?? this.findIssuer(cert, v);
      if (issuer) checkCrls(cert, issuer, this.crls, v.now, check);
    }
    if (ocsp) {
      const response = parseOcspResponse(ocsp);
      const issuer = path[1] ?? this.findIssuer(leaf, v);
      if (!issuer) {
        throw certificateError('bad_certificate_status_response', 'ocsp', `no issuer of ${describe(leaf)} to check its OCSP response against`);
      }
      checkOcsp(leaf, issuer, response, v.now, check, this.hashes);
    } else if (this.requireOcsp) {
      throw certificateError('bad_certificate_status_response', 'ocsp-required', `no OCSP response stapled for ${describe(leaf)}`);
    }
  }

  /**
   * For a path of one (pinned key): the issuer among anchor, presented and configured
   * certificates, by name and signature. Only keys that may sign certificates are tried, within
   * the candidate and signature bounds.
   */
  private findIssuer(cert: ParsedCertificate, v: Validation): ParsedCertificate | undefined {
    const name = key(cert.issuer.der);
    const presented = (v.presented.get(name) ?? []).map((p) => this.parsePresented(p, v)).filter((c) => c !== undefined);
    const candidates = [...(this.anchors.get(name) ?? []), ...presented, ...(this.intermediates.get(name) ?? [])];
    const mayIssue = (c: ParsedCertificate): boolean => c.basicConstraints?.ca === true && (c.keyUsage === undefined || (c.keyUsage & KeyUsage.keyCertSign) !== 0);
    let tried = 0;
    for (const c of candidates) {
      if (!mayIssue(c)) continue;
      if (++tried > MAX_CANDIDATES_PER_CERTIFICATE) throw beyondBound('path-building', `more than ${MAX_CANDIDATES_PER_CERTIFICATE} candidate issuers for ${describe(cert)}`);
      if (this.signatureProblem(cert, c, undefined, v) === undefined) return c;
    }
    if (cert.selfIssued && this.signatureProblem(cert, cert, undefined, v) === undefined) return cert;
    return undefined;
  }

  /**
   * Depth-first path search over names and the checks that need no public key; `path` is
   * leaf … current. A path that reaches an anchor has its signatures verified, then its checkers run.
   */
  private search(path: ParsedCertificate[], v: Validation): ParsedCertificate[] | undefined {
    const cert = path[path.length - 1]!;
    // maxChainLength counts the leaf, the anchor and the intermediates that are not self-issued
    // (RFC 5280 §6.1.4 (l)); room is needed for at least the anchor.
    if (countedLength(path) >= this.maxChainLength) {
      record(v, fail('unknown_ca', 'chain-length', `no trust anchor within ${this.maxChainLength} certificates`));
      return undefined;
    }
    let tried = 0;
    for (const { issuer, anchor } of this.candidates(cert, v, path)) {
      if (++tried > MAX_CANDIDATES_PER_CERTIFICATE) throw beyondBound('path-building', `more than ${MAX_CANDIDATES_PER_CERTIFICATE} candidate issuers for ${describe(cert)}`);
      if (--v.candidates < 0) throw beyondBound('path-building', `more than ${CANDIDATE_BUDGET} candidate issuers in all`);
      const next = [...path, issuer];
      if (!anchor && issuer.selfIssued && next.filter((c, i) => i > 0 && c.selfIssued).length > MAX_SELF_ISSUED_INTERMEDIATES) {
        record(v, fail('unknown_ca', 'chain-length', `more than ${MAX_SELF_ISSUED_INTERMEDIATES} self-issued intermediates`));
        continue;
      }
      try {
        this.checkIssuer(issuer, path, v.now, v.eku);
        if (anchor) {
          this.verifySignatures(next, v);
          this.runCheckers(next, v);
          return next;
        }
        checkNameSyntax(issuer);
      } catch (e) {
        if (!(e instanceof CertificateError) || e instanceof CertificateBoundError) throw e;
        record(v, e);
        continue;
      }
      const found = this.search(next, v);
      if (found) return found;
    }
    return undefined;
  }

  /** Issuer candidates for `cert`: trust anchors first, then presented (parsed now), then configured. */
  private *candidates(cert: ParsedCertificate, v: Validation, path: readonly ParsedCertificate[]): Generator<{ issuer: ParsedCertificate; anchor: boolean }> {
    const name = key(cert.issuer.der);
    const seen = new Set<string>();
    const fits = (c: ParsedCertificate, anchor: boolean): boolean => {
      const id = key(c.der);
      if (seen.has(id)) return false;
      seen.add(id);
      if (!anchor && this.anchorDer.has(id)) return false; // a presented copy of an anchor: tried as anchor
      // No loops: a subject+key already on the path (the same CA, possibly re-issued).
      if (path.some((p) => bytesEqual(p.subject.der, c.subject.der) && bytesEqual(p.spki, c.spki))) return false;
      // RFC 5280 §4.2.1.1: when both key identifiers are present they must agree.
      return !(cert.authorityKeyIdentifier && c.subjectKeyIdentifier && !bytesEqual(cert.authorityKeyIdentifier, c.subjectKeyIdentifier));
    };
    for (const c of this.anchors.get(name) ?? []) if (fits(c, true)) yield { issuer: c, anchor: true };
    for (const p of v.presented.get(name) ?? []) {
      const c = this.parsePresented(p, v);
      if (c && fits(c, false)) yield { issuer: c, anchor: false };
    }
    for (const c of this.intermediates.get(name) ?? []) if (fits(c, false)) yield { issuer: c, anchor: false };
  }

  /** Checks every certificate gets, leaf and CA alike. */
  private checkCommon(cert: ParsedCertificate, now: Date): void {
    // RFC 5280 §4.2: an unrecognised critical extension means the certificate must be rejected.
    const unknown = cert.unhandledCriticalExtensions.filter((o) => !this.extraHandled.has(o));
    if (unknown.length) {
      throw fail('unsupported_certificate', 'critical-extension', `${describe(cert)} has unsupported critical extension(s) ${unknown.join(', ')}`);
    }
    checkValidity(cert, now);
  }

  /** `issuer` would sign path[path.length - 1]; path[0] is the leaf. RFC 5280 §6.1.4. */
  private checkIssuer(issuer: ParsedCertificate, path: readonly ParsedCertificate[], now: Date, requiredEku: string): void {
    // RFC 5280 §4.2.1.9 / §6.1.4 (k): the issuer must be a CA.
    if (!issuer.basicConstraints?.ca) {
      throw fail('bad_certificate', 'basic-constraints', `issuer ${describe(issuer)} is not a CA (basicConstraints cA is not set)`);
    }
    // RFC 5280 §4.2.1.3 / §6.1.4 (n): keyCertSign when KeyUsage is present.
    if (issuer.keyUsage !== undefined && (issuer.keyUsage & KeyUsage.keyCertSign) === 0) {
      throw fail('bad_certificate', 'key-usage', `issuer ${describe(issuer)} does not allow keyCertSign`);
    }
    // RFC 5280 §4.2.1.9: pathLenConstraint bounds the non-self-issued intermediates below it.
    const pathLen = issuer.basicConstraints.pathLen;
    if (pathLen !== undefined) {
      const below = path.slice(1).filter((c) => !c.selfIssued).length;
      if (below > pathLen) {
        throw fail('bad_certificate', 'path-length', `issuer ${describe(issuer)} allows ${pathLen} intermediate(s) below it, path has ${below}`);
      }
    }
    // EKU nesting (CA/Browser Forum practice): a CA's EKU, when present, must allow the purpose.
    checkEku(issuer, requiredEku);
    this.checkCommon(issuer, now);
    // Key bounds (before its signature is checked), criticality, a non-empty name, strictProfile.
    checkIssuerProfile(issuer, this.anchorDer.has(key(issuer.der)), this.profile);
  }

  /** The path's certificate signatures, from the anchor down: each key used is certified by then. */
  private verifySignatures(path: readonly ParsedCertificate[], v: Validation): void {
    for (let i = path.length - 2; i >= 0; i--) {
      const cert = path[i]!;
      const problem = this.signatureProblem(cert, path[i + 1]!, v.allowed, v);
      if (problem) throw fail(problem.alert, problem.check, `${describe(cert)}: ${problem.message}`);
    }
  }

  /**
   * Whether `obj` (a certificate, CRL or OCSP response) verifies under `signer`'s key. The
   * scheme comes from the signature algorithm, bound to the key: an id-RSASSA-PSS key signs
   * only RSASSA-PSS, as rsa_pss_pss_* (RFC 8446 §4.2.3, RFC 4055 §1.2). With `v`, a
   * public-key operation counts against its signature bound, and a failure is remembered.
   */
  private signatureProblem(obj: SignedObject, signer: ParsedCertificate, allowed: ReadonlySet<number> | undefined, v?: Validation): Problem | undefined {
    let scheme = obj.signatureScheme;
    if (scheme === undefined) return { alert: 'unsupported_certificate', check: 'signature-algorithm', message: `signed with unsupported ${obj.signatureAlgorithm.name}` };
    const k = signer.publicKey;
    if (k.kind === 'rsa' && k.pss) {
      const pss = pssSchemeFor(scheme);
      if (pss === undefined) return { alert: 'bad_certificate', check: 'signature-algorithm', message: `signed with ${schemeName(scheme)} by ${describe(signer)}, whose key is restricted to RSASSA-PSS` };
      scheme = pss;
    }
    if (signer.keySchemes && !signer.keySchemes.includes(scheme)) {
      return { alert: 'bad_certificate', check: 'signature-algorithm', message: `signed with ${schemeName(scheme)} by ${describe(signer)}, whose key allows only ${signer.keySchemes.map(schemeName).join(', ')}` };
    }
    if (!this.verifier.schemes.includes(scheme)) return { alert: 'unsupported_certificate', check: 'signature-algorithm', message: `signed with unsupported ${schemeName(scheme)}` };
    if (!this.allowSha1 && (scheme === SignatureScheme.rsa_pkcs1_sha1 || scheme === SignatureScheme.ecdsa_sha1)) {
      // RFC 8446 §4.4.2.4: SHA-1 certificate signatures → bad_certificate (RECOMMENDED).
      return { alert: 'bad_certificate', check: 'signature-algorithm', message: 'signed with SHA-1' };
    }
    // RFC 8446 §4.2.3 / §4.4.2.2: only schemes the verifying side listed (default alert unsupported_certificate).
    if (allowed && !allowed.has(scheme)) {
      return { alert: 'unsupported_certificate', check: 'signature-algorithms-cert', message: `signed with ${schemeName(scheme)}, not in signature_algorithms_cert` };
    }
    // Never a public-key operation by a key the path could not use (audit finding 1).
    const weak = keySizeProblem(signer, this.profile);
    if (weak) return { alert: 'bad_certificate', check: 'key-size', message: weak };
    if (this.verifiedSignatures.get(obj)?.has(signer)) return undefined;
    const failed = v?.failedLinks.get(obj)?.get(signer);
    if (failed) return failed;
    if (v && v.signatures-- <= 0) throw beyondBound('path-building', `more than ${MAX_SIGNATURE_CHECKS} signature verifications`);
    if (!this.verifier.verify(scheme, signer.publicKey, obj.tbs, obj.signature)) {
      const problem: Problem = { alert: 'bad_certificate', check: 'signature', message: `signature by ${describe(signer)} does not verify` };
      if (v) {
        const bySigner = v.failedLinks.get(obj) ?? new Map<ParsedCertificate, Problem>();
        bySigner.set(signer, problem);
        v.failedLinks.set(obj, bySigner);
      }
      return problem;
    }
    const verified = this.verifiedSignatures.get(obj) ?? new WeakSet<ParsedCertificate>();
    verified.add(signer);
    this.verifiedSignatures.set(obj, verified);
    return undefined;
  }

  /** Name constraints (within the validation's comparison bound), then the configured checkers. */
  private runCheckers(path: readonly ParsedCertificate[], v: Validation): void {
    this.nameConstraints.checkPath(path, v.nameConstraints);
    for (const c of this.checkers) c.check(path, v.now);
  }
}

/** Certificates maxChainLength counts in `path` (leaf … an intermediate being extended): all but self-issued intermediates. */
function countedLength(path: readonly ParsedCertificate[]): number {
  return path.filter((c, i) => i === 0 || !c.selfIssued).length;
}

function record(v: Validation, e: CertificateError): void {
  if (!v.error || (v.error.alert === AlertDescription.unknown_ca && e.alert !== AlertDescription.unknown_ca)) v.error = e;
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** RFC 5280 §4.2.1.12: when EKU is present it must include the purpose (or anyExtendedKeyUsage). */
function checkEku(cert: ParsedCertificate, purpose: string): void {
  const eku = cert.extKeyUsage;
  if (eku === undefined || eku.includes(purpose) || eku.includes(EkuOid.anyExtendedKeyUsage)) return;
  // OpenSSL and rustls send unsupported_certificate for a purpose mismatch.
  throw fail('unsupported_certificate', 'eku', `${describe(cert)} extended key usage does not include ${purpose}`);
}

/** The client's default: Web PKI path validation plus RFC 6125 name checks. */
export class WebPkiServerVerifier implements ServerCertificateVerifier {
  private readonly validator: ChainValidator;

  constructor(opts: WebPkiVerifierOptions) {
    this.validator = new ChainValidator(opts);
  }

  verify(input: CertificateVerifierInput): VerifiedChain {
    const chain = this.validator.validate(input.chain, input.now, EkuOid.serverAuth, input);
    const leaf = chain[0]!;
    if (input.serverName !== undefined && !matchesHostname(leaf, input.serverName)) {
      const names = [...leaf.subjectAltNames.dns, ...leaf.subjectAltNames.ip.map(ipToText)];
      throw fail('bad_certificate', 'hostname', `${describe(leaf)} is not valid for ${JSON.stringify(input.serverName)} (names: ${names.join(', ') || 'none'})`);
    }
    return { chain, leaf, identity: peerIdentity(leaf, this.validator.hashes('SHA-256')) };
  }

  /** The anchors' subject names (DER). */
  anchorSubjects(): Uint8Array[] {
    return this.validator.anchorSubjects();
  }
}

/** Explicit opt-out: parses the leaf (for its key) and checks nothing else. */
export class InsecureSkipVerification implements ServerCertificateVerifier {
  verify(input: CertificateVerifierInput): VerifiedChain {
    if (input.chain.length === 0) throw fail('decode_error', 'chain', 'empty certificate chain');
    const leaf = parseCertificate(input.chain[0]!);
    return { chain: [leaf], leaf, identity: peerIdentity(leaf) };
  }
}

/**
 * Whether a CertificateVerify `scheme` may be used with `cert`'s key as far as the key's
 * algorithm goes: rsa_pss_rsae_* needs an rsaEncryption key, rsa_pss_pss_* an id-RSASSA-PSS
 * key (within its parameters). Curves and other kinds are the handshake's keyFitsScheme.
 */
export function keyAllowsScheme(cert: ParsedCertificate, scheme: number): boolean {
  const k = cert.publicKey;
  if (k.kind !== 'rsa') return true;
  if (k.pss) return cert.keySchemes?.includes(scheme) ?? false;
  return scheme !== SignatureScheme.rsa_pss_pss_sha256 && scheme !== SignatureScheme.rsa_pss_pss_sha384 && scheme !== SignatureScheme.rsa_pss_pss_sha512;
}
