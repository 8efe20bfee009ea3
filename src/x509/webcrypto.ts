// Certificate chain verification with SubtleCrypto. The engine's signature interface is
// synchronous (SignatureVerifier.verify returns a boolean) and SubtleCrypto is not, but a
// certificate verifier may answer with a Promise. So the WebCrypto verifiers first verify,
// asynchronously and in parallel, every signature the path search can ask for (each presented
// certificate under each candidate issuer), then run the usual synchronous validator with a
// SignatureVerifier that answers from those results (and falls back to noble for anything
// SubtleCrypto could not answer: Ed448, compressed points, CRLs, OCSP responses).
// RFC 8446 §4.4.2, RFC 5280 §6. Lives in x509/ (crypto/ never imports x509/); the SubtleCrypto
// part is crypto/webcrypto/prefetch.ts.
import type { SignatureVerifier } from '../crypto/provider.js';
import { PrefetchedSignatureVerifier, type SignatureCheck } from '../crypto/webcrypto/prefetch.js';
import { subtleOrUndefined } from '../crypto/webcrypto/subtle.js';
import { bytesEqual } from '../util/bytes.js';
import { latin1 } from './asn1.js';
import { CertificateCache, KeyUsage, type ParsedCertificate } from './certificate.js';
import { certificateNames, countElements } from './der-reader.js';
import { WebPkiClientVerifier, type ClientCertificateVerifier, type ClientCertificateVerifierInput } from './client-verify.js';
import { pssSchemeFor } from './keys.js';
import { type ProfileOptions, keySizeProblem, profileOptions } from './profile.js';
import {
  DEFAULT_MAX_PRESENTED_CERTIFICATES,
  MAX_PARSED_ELEMENTS,
  WebPkiServerVerifier,
  type CertificateVerifierInput,
  type ServerCertificateVerifier,
  type VerifiedChain,
  type WebPkiVerifierOptions,
} from './verify.js';

const nameKey = (c: ParsedCertificate): string => latin1(c.subject.der);

/** RFC 5280 §4.2.1.9, §4.2.1.3: a key that may sign certificates (no other is ever asked). */
const mayIssue = (c: ParsedCertificate): boolean => c.basicConstraints?.ca === true && (c.keyUsage === undefined || (c.keyUsage & KeyUsage.keyCertSign) !== 0);

/** The certificate-signature checks a path search over `presented` can make: each certificate under each same-named issuer that may issue, with a key within the verifier's bounds. */
function candidateLinks(presented: readonly ParsedCertificate[], pool: readonly ParsedCertificate[], profile: ProfileOptions): SignatureCheck[] {
  const bySubject = new Map<string, ParsedCertificate[]>();
  for (const c of pool) if (mayIssue(c) && keySizeProblem(c, profile) === undefined) bySubject.set(nameKey(c), [...(bySubject.get(nameKey(c)) ?? []), c]);
  const links: SignatureCheck[] = [];
  for (const cert of presented) {
    if (cert.signatureScheme === undefined) continue;
    for (const issuer of bySubject.get(latin1(cert.issuer.der)) ?? []) {
      let scheme = cert.signatureScheme;
      if (issuer.publicKey.kind === 'rsa' && issuer.publicKey.pss) scheme = pssSchemeFor(scheme) ?? scheme;
      links.push({ scheme, key: issuer.publicKey, message: cert.tbs, signature: cert.signature });
    }
  }
  return links;
}

/**
 * The presented certificates path building can reach from the leaf (by issuer name), parsed;
 * the others are only framed. Parsed without entering the validator's cache (the validator adds
 * the certificates of a validated path).
 */
function reachable(chain: readonly Uint8Array[], cache: CertificateCache): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  // Within the validator's bound on what is parsed; beyond it the validator refuses the chain.
  let elements = MAX_PARSED_ELEMENTS;
  const parse = (der: Uint8Array): void => {
    try {
      elements -= countElements(der, elements);
      if (elements >= 0) out.push(cache.parseTransient(der));
    } catch {
      // the validator reports it
    }
  };
  parse(chain[0]!);
  const rest: { der: Uint8Array; subject: string }[] = [];
  for (const der of chain.slice(1)) {
    try {
      rest.push({ der, subject: latin1(certificateNames(der).subject) });
    } catch {
      // the validator reports it
    }
  }
  // Breadth-first from the leaf: each issuer name once, so each certificate is parsed at most once.
  const wanted = new Set<string>();
  for (let i = 0; i < out.length; i++) {
    const issuer = latin1(out[i]!.issuer.der);
    if (wanted.has(issuer)) continue;
    wanted.add(issuer);
    for (const r of rest) if (r.subject === issuer) parse(r.der);
  }
  return out;
}

class PrefetchingChain {
  readonly signatures: PrefetchedSignatureVerifier;
  private readonly configured: ParsedCertificate[];
  private readonly maxPresented: number;
  private readonly profile: ProfileOptions;
  /**
   * Presented chains already prefetched, by leaf (the certificate cache's objects): the same chain
   * again is validated at once, with no pending step. Answers evicted since then fall back.
   */
  private readonly prefetched = new WeakMap<ParsedCertificate, readonly Uint8Array[]>();

  /** The inner validator's cache too (so a chain validated before gives the same leaf object). */
  readonly certificates: CertificateCache;

  constructor(opts: WebCryptoVerifierOptions, subtle: SubtleCrypto) {
    this.signatures = new PrefetchedSignatureVerifier(subtle, opts.verifier);
    this.profile = profileOptions(opts);
    this.certificates = opts.certificateCache ?? new CertificateCache();
    this.configured = [...opts.trustAnchors, ...(opts.intermediates ?? [])].map((d) => this.certificates.parse(d));
    this.maxPresented = opts.maxPresentedCertificates ?? DEFAULT_MAX_PRESENTED_CERTIFICATES;
  }

  run<T>(chain: readonly Uint8Array[], validate: () => T): T | Promise<T> {
    // Beyond the bound (or empty) the validator refuses it before any work.
    if (chain.length === 0 || chain.length > this.maxPresented) return validate();
    let leaf: ParsedCertificate | undefined;
    try {
      leaf = this.certificates.parseTransient(chain[0]!);
    } catch {
      return validate();
    }
    const seen = this.prefetched.get(leaf);
    if (seen && seen.length === chain.length && seen.every((c, i) => bytesEqual(c, chain[i]!))) return validate();
    const presented = reachable(chain, this.certificates);
    return this.signatures.prefetch(candidateLinks(presented, [...presented, ...this.configured], this.profile)).then(() => {
      const result = validate();
      // Now cached if it validated: the same chain next time needs no pending step.
      this.prefetched.set(this.certificates.parseTransient(chain[0]!), chain.map((c) => c.slice()));
      return result;
    });
  }
}

export interface WebCryptoVerifierOptions extends Omit<WebPkiVerifierOptions, 'verifier'> {
  /** Fallback for what SubtleCrypto cannot verify (default: noble). */
  verifier?: SignatureVerifier;
  /** Default: globalThis.crypto.subtle. */
  subtle?: SubtleCrypto;
}

function subtleOf(opts: WebCryptoVerifierOptions): SubtleCrypto {
  const subtle = opts.subtle ?? subtleOrUndefined();
  if (subtle === undefined) throw new TypeError('WebCrypto verifier: globalThis.crypto.subtle is not available');
  return subtle;
}

/**
 * WebPkiServerVerifier with the chain's signatures verified by SubtleCrypto (asynchronously:
 * the handshake waits on it as a pending step; a chain seen before is answered at once).
 * Same options, checks and errors.
 */
export class WebCryptoServerVerifier implements ServerCertificateVerifier {
  private readonly chain: PrefetchingChain;
  private readonly inner: WebPkiServerVerifier;

  constructor(opts: WebCryptoVerifierOptions) {
    this.chain = new PrefetchingChain(opts, subtleOf(opts));
    this.inner = new WebPkiServerVerifier({ ...opts, verifier: this.chain.signatures, certificateCache: this.chain.certificates });
  }

  verify(input: CertificateVerifierInput): VerifiedChain | Promise<VerifiedChain> {
    return this.chain.run(input.chain, () => this.inner.verify(input));
  }

  anchorSubjects(): Uint8Array[] {
    return this.inner.anchorSubjects();
  }

  get stats(): { prefetched: number; fallback: number } {
    return this.chain.signatures.stats;
  }
}

/** WebPkiClientVerifier (for servers) with the chain's signatures verified by SubtleCrypto. */
export class WebCryptoClientVerifier implements ClientCertificateVerifier {
  private readonly chain: PrefetchingChain;
  private readonly inner: WebPkiClientVerifier;
  readonly authorities: readonly Uint8Array[];

  constructor(opts: WebCryptoVerifierOptions) {
    this.chain = new PrefetchingChain(opts, subtleOf(opts));
    this.inner = new WebPkiClientVerifier({ ...opts, verifier: this.chain.signatures, certificateCache: this.chain.certificates });
    this.authorities = this.inner.authorities;
  }

  verify(input: ClientCertificateVerifierInput): VerifiedChain | Promise<VerifiedChain> {
    return this.chain.run(input.chain, () => this.inner.verify(input));
  }
}
