// A synchronous SignatureVerifier answering from signatures verified ahead, in parallel, with
// SubtleCrypto (RFC 8446 §4.2.3 schemes), else from a fallback: how a synchronous validator
// (x509/) gets SubtleCrypto's answers. No Node built-in.
import { nobleVerifier } from '../noble/verify.js';
import type { PublicKey, SignatureVerifier } from '../provider.js';
import { bytesEqual, latin1 } from '../../util/bytes.js';
import { subtleVerify } from './subtle.js';

/** One signature check (scheme, key, message, signature). */
export interface SignatureCheck {
  scheme: number;
  key: PublicKey;
  message: Uint8Array;
  signature: Uint8Array;
}

interface Answer extends SignatureCheck {
  result: boolean;
}

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
  async prefetch(items: readonly SignatureCheck[]): Promise<void> {
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

