// Server certificate verification for the client (RFC 8446 §4.4.2, RFC 5280 §6 subset).
// Path building from the leaf over presented + configured certificates, any order
// (RFC 8446 §4.4.2: "... SHOULD be prepared to handle potentially extraneous certificates
// and arbitrary orderings"), with backtracking when a candidate issuer fails.
// Not yet: name constraints, policies, revocation; they plug in as PathCheckers.

import type { SignatureVerifier } from '../crypto/provider.js';
import { AlertDescription, CertificateError } from '../errors.js';
import { bytesEqual } from '../util/bytes.js';
import { SignatureScheme, schemeName } from '../wire/codepoints.js';
import { EkuOid, KeyUsage, type ParsedCertificate, parseCertificate } from './certificate.js';
import { latin1 } from './asn1.js';
import { matchesHostname } from './hostname.js';

export interface CertificateVerifierInput {
  /** DER certificates as sent, leaf first (RFC 8446 §4.4.2). */
  chain: Uint8Array[];
  /** The name the client asked for (SNI); checked against the leaf's SANs when given. */
  serverName?: string;
  now: Date;
  /** A stapled OCSP response for the leaf (RFC 8446 §4.4.2.1), DER, when the server sent one. */
  ocspResponse?: Uint8Array;
}

export interface VerifiedChain {
  /** Leaf … trust anchor. */
  chain: ParsedCertificate[];
  leaf: ParsedCertificate;
}

export interface ServerCertificateVerifier {
  verify(input: CertificateVerifierInput): VerifiedChain | Promise<VerifiedChain>;
}

/**
 * An extra check over a complete candidate path (leaf first, anchor last): name constraints,
 * revocation, policy. Throw a CertificateError to reject the path (another may still be tried).
 */
export interface PathChecker {
  /** Critical extension OIDs this checker processes (so they no longer count as unknown). */
  readonly handlesExtensions?: readonly string[];
  check(path: readonly ParsedCertificate[], now: Date): void;
}

export interface WebPkiVerifierOptions {
  /** Trusted root certificates (DER). */
  trustAnchors: Uint8Array[];
  verifier: SignatureVerifier;
  /** Extra intermediates to build paths with, beyond those the peer sends. */
  intermediates?: Uint8Array[];
  /** Most certificates in a path, leaf and anchor included. Default 8. */
  maxChainLength?: number;
  /** Accept SHA-1 signatures on chain links (RFC 8446 §4.4.2.4 recommends not to). Default false. */
  allowSha1?: boolean;
  pathCheckers?: PathChecker[];
}

/** Upper bound on issuer candidates tried in one verification (cross-signing can branch). */
const CANDIDATE_BUDGET = 64;

const fail = (alert: keyof typeof AlertDescription, check: string, message: string): CertificateError =>
  new CertificateError(AlertDescription[alert], check, message);

const describe = (c: ParsedCertificate): string => (c.subject.text ? `"${c.subject.text}"` : `serial ${c.serialHex}`);

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

/**
 * A path validator shared by the server verifier and (later) the client-certificate verifier:
 * `requiredEku` is serverAuth or clientAuth.
 */
export class ChainValidator {
  private readonly anchors = new Map<string, ParsedCertificate[]>();
  private readonly anchorDer = new Set<string>();
  private readonly intermediates = new Map<string, ParsedCertificate[]>();
  private readonly verifier: SignatureVerifier;
  private readonly maxChainLength: number;
  private readonly allowSha1: boolean;
  private readonly checkers: readonly PathChecker[];
  private readonly extraHandled: ReadonlySet<string>;

  constructor(opts: WebPkiVerifierOptions) {
    if (opts.trustAnchors.length === 0) throw new TypeError('WebPkiServerVerifier: no trust anchors');
    for (const der of opts.trustAnchors) {
      const c = parseCertificate(der);
      push(this.anchors, key(c.subject.der), c);
      this.anchorDer.add(key(c.der));
    }
    for (const der of opts.intermediates ?? []) {
      const c = parseCertificate(der);
      push(this.intermediates, key(c.subject.der), c);
    }
    this.verifier = opts.verifier;
    this.maxChainLength = opts.maxChainLength ?? 8;
    if (this.maxChainLength < 1) throw new RangeError('maxChainLength must be at least 1');
    this.allowSha1 = opts.allowSha1 ?? false;
    this.checkers = opts.pathCheckers ?? [];
    this.extraHandled = new Set(this.checkers.flatMap((c) => c.handlesExtensions ?? []));
  }

  /** The anchors' subject names (DER), e.g. for certificate_authorities. */
  anchorSubjects(): Uint8Array[] {
    return [...this.anchors.values()].flatMap((certs) => certs.map((c) => c.subject.der));
  }

  /** Validates `presented` (leaf first) and returns the path leaf … anchor. */
  validate(presented: Uint8Array[], now: Date, requiredEku: string): ParsedCertificate[] {
    // RFC 8446 §4.4.2.4: an empty server Certificate is decode_error.
    if (presented.length === 0) throw fail('decode_error', 'chain', 'empty certificate chain');
    const certs: ParsedCertificate[] = [];
    let skipped: CertificateError | undefined;
    for (const [i, der] of presented.entries()) {
      try {
        certs.push(parseCertificate(der));
      } catch (e) {
        // An extra certificate with a key type we do not support (RFC 8446 §4.4.2 allows
        // extraneous ones) is left out; malformed ones still fail.
        if (i === 0 || !(e instanceof CertificateError) || e.alert !== AlertDescription.unsupported_certificate) throw e;
        skipped ??= e;
      }
    }
    const leaf = certs[0]!;

    this.checkCommon(leaf, now);
    // RFC 8446 §4.4.2.2: digitalSignature MUST be set if KeyUsage is present.
    if (leaf.keyUsage !== undefined && (leaf.keyUsage & KeyUsage.digitalSignature) === 0) {
      throw fail('unsupported_certificate', 'key-usage', `${describe(leaf)} does not allow digitalSignature`);
    }
    checkEku(leaf, requiredEku);

    // A pinned certificate: the leaf itself is a trust anchor.
    if (this.anchorDer.has(key(leaf.der))) {
      this.runCheckers([leaf], now);
      return [leaf];
    }

    const pool = new Map<string, ParsedCertificate[]>();
    for (const c of certs.slice(1)) push(pool, key(c.subject.der), c);
    // If no path is found, a skipped certificate may be why: report it over unknown_ca.
    const state: SearchState = { budget: CANDIDATE_BUDGET, error: skipped };
    const path = this.search([leaf], pool, now, requiredEku, state);
    if (path) return path;
    if (state.error) throw state.error;
    throw fail('unknown_ca', 'issuer', `no path from ${describe(leaf)} to a trust anchor (issuer ${JSON.stringify(leaf.issuer.text)} not found or not trusted)`);
  }

  /** Depth-first path search; `path` is leaf … current. */
  private search(
    path: ParsedCertificate[],
    pool: Map<string, ParsedCertificate[]>,
    now: Date,
    requiredEku: string,
    state: SearchState,
  ): ParsedCertificate[] | undefined {
    const cert = path[path.length - 1]!;
    if (path.length >= this.maxChainLength) {
      record(state, fail('unknown_ca', 'chain-length', `no trust anchor within ${this.maxChainLength} certificates`));
      return undefined;
    }
    for (const { issuer, anchor } of this.candidates(cert, pool, path)) {
      if (--state.budget < 0) {
        record(state, fail('unknown_ca', 'path-building', 'too many candidate issuers'));
        return undefined;
      }
      const next = [...path, issuer];
      try {
        this.checkIssuer(issuer, path, now, requiredEku);
        this.checkSignature(cert, issuer);
        if (anchor) {
          this.runCheckers(next, now);
          return next;
        }
      } catch (e) {
        if (!(e instanceof CertificateError)) throw e;
        record(state, e);
        continue;
      }
      const found = this.search(next, pool, now, requiredEku, state);
      if (found) return found;
    }
    return undefined;
  }

  /** Issuer candidates for `cert`: trust anchors first, then presented, then configured. */
  private *candidates(
    cert: ParsedCertificate,
    pool: Map<string, ParsedCertificate[]>,
    path: readonly ParsedCertificate[],
  ): Generator<{ issuer: ParsedCertificate; anchor: boolean }> {
    const name = key(cert.issuer.der);
    const seen = new Set<string>();
    const sources: [ParsedCertificate[] | undefined, boolean][] = [
      [this.anchors.get(name), true],
      [pool.get(name), false],
      [this.intermediates.get(name), false],
    ];
    for (const [list, anchor] of sources) {
      for (const c of list ?? []) {
        const id = key(c.der);
        if (seen.has(id)) continue;
        seen.add(id);
        if (!anchor && this.anchorDer.has(id)) continue; // a presented copy of an anchor: tried as anchor
        // No loops: a subject+key already on the path (the same CA, possibly re-issued).
        if (path.some((p) => bytesEqual(p.subject.der, c.subject.der) && bytesEqual(p.spki, c.spki))) continue;
        // RFC 5280 §4.2.1.1: when both key identifiers are present they must agree.
        if (cert.authorityKeyIdentifier && c.subjectKeyIdentifier && !bytesEqual(cert.authorityKeyIdentifier, c.subjectKeyIdentifier)) continue;
        yield { issuer: c, anchor };
      }
    }
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
  }

  private checkSignature(cert: ParsedCertificate, issuer: ParsedCertificate): void {
    const scheme = cert.signatureScheme;
    if (scheme === undefined || !this.verifier.schemes.includes(scheme)) {
      const what = scheme === undefined ? cert.signatureAlgorithm.name : schemeName(scheme);
      throw fail('unsupported_certificate', 'signature-algorithm', `${describe(cert)} is signed with unsupported ${what}`);
    }
    if (!this.allowSha1 && (scheme === SignatureScheme.rsa_pkcs1_sha1 || scheme === SignatureScheme.ecdsa_sha1)) {
      // RFC 8446 §4.4.2.4: SHA-1 certificate signatures → bad_certificate (RECOMMENDED).
      throw fail('bad_certificate', 'signature-algorithm', `${describe(cert)} is signed with SHA-1`);
    }
    if (!this.verifier.verify(scheme, issuer.publicKey, cert.tbs, cert.signature)) {
      throw fail('bad_certificate', 'signature', `signature on ${describe(cert)} by ${describe(issuer)} does not verify`);
    }
  }

  private runCheckers(path: readonly ParsedCertificate[], now: Date): void {
    for (const c of this.checkers) c.check(path, now);
  }
}

interface SearchState {
  budget: number;
  /** The most informative failure so far: the first that is not just "issuer not found". */
  error: CertificateError | undefined;
}

function record(state: SearchState, e: CertificateError): void {
  if (!state.error || (state.error.alert === AlertDescription.unknown_ca && e.alert !== AlertDescription.unknown_ca)) state.error = e;
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
    const chain = this.validator.validate(input.chain, input.now, EkuOid.serverAuth);
    const leaf = chain[0]!;
    if (input.serverName !== undefined && !matchesHostname(leaf, input.serverName)) {
      const names = [...leaf.subjectAltNames.dns, ...leaf.subjectAltNames.ip.map(formatIp)];
      throw fail('bad_certificate', 'hostname', `${describe(leaf)} is not valid for ${JSON.stringify(input.serverName)} (names: ${names.join(', ') || 'none'})`);
    }
    return { chain, leaf };
  }
}

/** Explicit opt-out: parses the leaf (for its key) and checks nothing else. */
export class InsecureSkipVerification implements ServerCertificateVerifier {
  verify(input: CertificateVerifierInput): VerifiedChain {
    if (input.chain.length === 0) throw fail('decode_error', 'chain', 'empty certificate chain');
    const leaf = parseCertificate(input.chain[0]!);
    return { chain: [leaf], leaf };
  }
}

function formatIp(b: Uint8Array): string {
  if (b.length === 4) return b.join('.');
  const groups: string[] = [];
  for (let i = 0; i < b.length; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}
