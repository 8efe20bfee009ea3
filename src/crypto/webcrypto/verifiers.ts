// Certificate chain verification with SubtleCrypto. The engine's signature interface is
// synchronous (SignatureVerifier.verify returns a boolean) and SubtleCrypto is not, but a
// certificate verifier may answer with a Promise. So the WebCrypto verifiers first verify,
// asynchronously and in parallel, every signature the path search can ask for (each presented
// certificate under each candidate issuer), then run the usual synchronous validator with a
// SignatureVerifier that answers from those results (and falls back to noble for anything
// SubtleCrypto could not answer: Ed448, compressed points, CRLs, OCSP responses).
import { nobleVerifier } from '../noble/verify.js';
import type { PublicKey, SignatureVerifier } from '../provider.js';
import { bytesEqual } from '../../util/bytes.js';
import { KeyUsage, parseCertificate, parseCertificateTransient, type ParsedCertificate } from '../../x509/certificate.js';
import { certificateNames, countElements } from '../../x509/der-reader.js';
import { WebPkiClientVerifier, type ClientCertificateVerifier, type ClientCertificateVerifierInput } from '../../x509/client-verify.js';
import { pssSchemeFor } from '../../x509/keys.js';
import { type ProfileOptions, keySizeProblem, profileOptions } from '../../x509/profile.js';
import {
  DEFAULT_MAX_PRESENTED_CERTIFICATES,
  MAX_PARSED_ELEMENTS,
  WebPkiServerVerifier,
  type CertificateVerifierInput,
  type ServerCertificateVerifier,
  type VerifiedChain,
  type WebPkiVerifierOptions,
} from '../../x509/verify.js';
import { subtleOrUndefined, subtleVerify } from './subtle.js';

interface Answer {
  scheme: number;
  key: PublicKey;
  message: Uint8Array;
  signature: Uint8Array;
  result: boolean;
}

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
};

function sameKey(a: PublicKey, b: PublicKey): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case 'ec':
      return b.kind === 'ec' && a.curve === b.curve && bytesEqual(a.point, b.point);
    case 'ed25519':
    case 'ed448':
      return b.kind === a.kind && bytesEqual(a.key, b.key);
    case 'rsa':
      return b.kind === 'rsa' && a.n === b.n && a.e === b.e && (a.pss === true) === (b.pss === true);
  }
}

/**
 * A synchronous SignatureVerifier answering from results verified ahead with SubtleCrypto
 * (`prefetch`), else from `fallback`. An answer matches only the exact scheme, key, message
 * and signature it was computed for.
 */
export class PrefetchedSignatureVerifier implements SignatureVerifier {
  readonly schemes: readonly number[];
  /** Answers by scheme and signature, oldest first; a verification is a pure function of its inputs, so they are kept (bounded). */
  private readonly answers = new Map<string, Answer[]>();
  private static readonly MAX_ANSWERS = 4096;
  /** Verifications answered by SubtleCrypto and by the fallback (for tests and the bench). */
  readonly stats = { prefetched: 0, fallback: 0 };

  constructor(
    private readonly subtle: SubtleCrypto,
    private readonly fallback: SignatureVerifier = nobleVerifier,
  ) {
    this.schemes = fallback.schemes;
  }

  /** Verifies `items` with SubtleCrypto, in parallel, and keeps the definite answers. */
  async prefetch(items: readonly Omit<Answer, 'result'>[]): Promise<void> {
    const todo = items.filter((i) => this.lookup(i.scheme, i.key, i.message, i.signature) === undefined);
    const results = await Promise.all(todo.map((i) => subtleVerify(this.subtle, i.scheme, i.key, i.message, i.signature)));
    todo.forEach((item, n) => {
      const result = results[n];
      if (result === undefined) return;
      const id = `${item.scheme}:${latin1(item.signature)}`;
      const list = this.answers.get(id) ?? [];
      list.push({ scheme: item.scheme, key: item.key, message: item.message, signature: item.signature, result });
      this.answers.delete(id);
      this.answers.set(id, list);
      if (this.answers.size > PrefetchedSignatureVerifier.MAX_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
    });
  }

  private lookup(scheme: number, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean | undefined {
    return this.answers.get(`${scheme}:${latin1(signature)}`)?.find((a) => sameKey(a.key, key) && bytesEqual(a.message, message))?.result;
  }

  verify(scheme: number, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
    let hit: boolean | undefined;
    try {
      hit = this.lookup(scheme, key, message, signature);
    } catch {
      return false; // malformed input (the fallback would say false too)
    }
    if (hit !== undefined) {
      this.stats.prefetched++;
      return hit;
    }
    this.stats.fallback++;
    return this.fallback.verify(scheme, key, message, signature);
  }
}

const nameKey = (c: ParsedCertificate): string => latin1(c.subject.der);

/** RFC 5280 §4.2.1.9, §4.2.1.3: a key that may sign certificates (no other is ever asked). */
const mayIssue = (c: ParsedCertificate): boolean => c.basicConstraints?.ca === true && (c.keyUsage === undefined || (c.keyUsage & KeyUsage.keyCertSign) !== 0);

/** The certificate-signature checks a path search over `presented` can make: each certificate under each same-named issuer that may issue, with a key within the verifier's bounds. */
function candidateLinks(presented: readonly ParsedCertificate[], pool: readonly ParsedCertificate[], profile: ProfileOptions): Omit<Answer, 'result'>[] {
  const bySubject = new Map<string, ParsedCertificate[]>();
  for (const c of pool) if (mayIssue(c) && keySizeProblem(c, profile) === undefined) bySubject.set(nameKey(c), [...(bySubject.get(nameKey(c)) ?? []), c]);
  const links: Omit<Answer, 'result'>[] = [];
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
 * the others are only framed. Parsed without entering the parse cache (the validator adds
 * the certificates of a validated path).
 */
function reachable(chain: readonly Uint8Array[]): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  // Within the validator's bound on what is parsed; beyond it the validator refuses the chain.
  let elements = MAX_PARSED_ELEMENTS;
  const parse = (der: Uint8Array): void => {
    try {
      elements -= countElements(der, elements);
      if (elements >= 0) out.push(parseCertificateTransient(der));
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
   * Presented chains already prefetched, by leaf (the parse cache's objects): the same chain
   * again is validated at once, with no pending step. Answers evicted since then fall back.
   */
  private readonly prefetched = new WeakMap<ParsedCertificate, readonly Uint8Array[]>();

  constructor(opts: WebPkiVerifierOptions, subtle: SubtleCrypto) {
    this.signatures = new PrefetchedSignatureVerifier(subtle, opts.verifier);
    this.profile = profileOptions(opts);
    this.configured = [...opts.trustAnchors, ...(opts.intermediates ?? [])].map((d) => parseCertificate(d));
    this.maxPresented = opts.maxPresentedCertificates ?? DEFAULT_MAX_PRESENTED_CERTIFICATES;
  }

  run<T>(chain: readonly Uint8Array[], validate: () => T): T | Promise<T> {
    // Beyond the bound (or empty) the validator refuses it before any work.
    if (chain.length === 0 || chain.length > this.maxPresented) return validate();
    let leaf: ParsedCertificate | undefined;
    try {
      leaf = parseCertificateTransient(chain[0]!);
    } catch {
      return validate();
    }
    const seen = this.prefetched.get(leaf);
    if (seen && seen.length === chain.length && seen.every((c, i) => bytesEqual(c, chain[i]!))) return validate();
    const presented = reachable(chain);
    return this.signatures.prefetch(candidateLinks(presented, [...presented, ...this.configured], this.profile)).then(() => {
      const result = validate();
      // Now cached if it validated: the same chain next time needs no pending step.
      this.prefetched.set(parseCertificateTransient(chain[0]!), chain.map((c) => c.slice()));
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

function resolve(opts: WebCryptoVerifierOptions): { options: WebPkiVerifierOptions; subtle: SubtleCrypto } {
  const subtle = opts.subtle ?? subtleOrUndefined();
  if (subtle === undefined) throw new TypeError('WebCrypto verifier: globalThis.crypto.subtle is not available');
  return { options: { ...opts, verifier: opts.verifier ?? nobleVerifier }, subtle };
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
    const { options, subtle } = resolve(opts);
    this.chain = new PrefetchingChain(options, subtle);
    this.inner = new WebPkiServerVerifier({ ...options, verifier: this.chain.signatures });
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
    const { options, subtle } = resolve(opts);
    this.chain = new PrefetchingChain(options, subtle);
    this.inner = new WebPkiClientVerifier({ ...options, verifier: this.chain.signatures });
    this.authorities = this.inner.authorities;
  }

  verify(input: ClientCertificateVerifierInput): VerifiedChain | Promise<VerifiedChain> {
    return this.chain.run(input.chain, () => this.inner.verify(input));
  }
}
