// Traffic keys and the per-record nonce. RFC 8446 §5.2, §5.3.

import type { AeadAlgorithm, AeadKey } from '../crypto/provider.js';
import { tlsError } from '../errors.js';
import { wipe } from '../util/bytes.js';
import { REDACTED, inspectCustom } from '../util/redact.js';

/** One direction's key and IV (derived by the key schedule, RFC 8446 §7.3). */
export interface TrafficKeys {
  aead: AeadAlgorithm;
  key: Uint8Array;
  iv: Uint8Array;
}

/**
 * RFC 8446 §5.3: sequence numbers are 64-bit and MUST NOT wrap. A JS number is exact up to
 * 2^53 − 1, so we stop there (a connection rekeys long before: RFC 8446 §5.5).
 */
export const MAX_SEQUENCE_NUMBER = Number.MAX_SAFE_INTEGER;

/**
 * RFC 8446 §5.3: the 64-bit sequence number in network byte order, left-padded with zeros
 * to iv.length, XORed with the IV. Returns a new array (CipherState rewrites one buffer instead).
 */
export function recordNonce(iv: Uint8Array, seq: number): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 0) throw tlsError('internal_error', `invalid sequence number ${seq}`);
  // RFC 8446 §5.3: iv_length is at least 8 bytes.
  if (iv.length < 8) throw tlsError('internal_error', `IV of ${iv.length} bytes is shorter than 8`);
  const nonce = iv.slice();
  xorSequence(nonce, nonce.length, seq);
  return nonce;
}

/** XORs the 64-bit big-endian `seq` into the 8 bytes of `buf` that end at `end`. */
function xorSequence(buf: Uint8Array, end: number, seq: number): void {
  const lo = seq >>> 0; // seq mod 2^32
  const hi = Math.floor(seq / 2 ** 32);
  for (let i = 0; i < 4; i++) {
    const a = end - 1 - i;
    const b = end - 5 - i;
    buf[a] = buf[a]! ^ ((lo >>> (8 * i)) & 0xff);
    buf[b] = buf[b]! ^ ((hi >>> (8 * i)) & 0xff);
  }
}

/**
 * The live state of one direction under one traffic key: the keyed AEAD, a private copy of
 * the IV, and the sequence number (RFC 8446 §5.3: starts at 0 for each new key).
 *
 * Memory: IV, nonce and key share one small buffer, and the provider's key (AeadKey) is made
 * at the first record, so a key that protects nothing (the read key of a connection idle after
 * its handshake) costs a few dozen bytes.
 */
export class CipherState {
  readonly aead: AeadAlgorithm;
  /** iv ‖ nonce ‖ key; the key part is zeroed once the AeadKey exists. */
  private readonly material: Uint8Array;
  private keyed: AeadKey | undefined;
  /**
   * The per-record nonce (a view of `material`), rewritten for every record: AeadKey
   * implementations use the nonce only during the call (the interface is synchronous).
   */
  private nonceView: Uint8Array | undefined;
  private disposed = false;
  private seq: number;

  /** `initialSequence` exists for tests of the sequence-number limit; the protocol always starts at 0. */
  constructor(keys: TrafficKeys, initialSequence = 0) {
    const { aead, key, iv } = keys;
    if (key.length !== aead.keyLen) throw tlsError('internal_error', `${aead.name}: key is ${key.length} bytes, want ${aead.keyLen}`);
    if (iv.length !== aead.nonceLen || iv.length < 8)
      throw tlsError('internal_error', `${aead.name}: IV is ${iv.length} bytes, want ${aead.nonceLen}`);
    if (!Number.isSafeInteger(initialSequence) || initialSequence < 0)
      throw tlsError('internal_error', `invalid initial sequence number ${initialSequence}`);
    this.aead = aead;
    this.material = new Uint8Array(2 * iv.length + key.length);
    this.material.set(iv);
    this.material.set(key, 2 * iv.length);
    this.seq = initialSequence;
  }

  /** The sequence number of the next record = records processed under this key. */
  get sequence(): number {
    return this.seq;
  }

  private get aeadKey(): AeadKey {
    if (this.keyed === undefined) {
      if (this.disposed) throw tlsError('internal_error', `${this.aead.name}: key used after dispose()`);
      const at = 2 * this.aead.nonceLen;
      // The provider gets its own copy (it may keep it); ours is erased.
      this.keyed = this.aead.create(this.material.slice(at));
      this.material.fill(0, at);
    }
    return this.keyed;
  }

  private nonce(): Uint8Array {
    // RFC 8446 §5.3: never wrap; the connection must rekey or close first.
    if (this.seq > MAX_SEQUENCE_NUMBER) throw tlsError('internal_error', 'record sequence number exhausted; a key update is required');
    const n = this.aead.nonceLen;
    const m = this.material;
    m.copyWithin(n, 0, n);
    xorSequence(m, 2 * n, this.seq);
    this.nonceView ??= m.subarray(n, 2 * n);
    return this.nonceView;
  }

  /** Seals one record (RFC 8446 §5.2) and advances the sequence number. */
  seal(aad: Uint8Array, innerPlaintext: Uint8Array): Uint8Array {
    const key = this.aeadKey;
    const out = key.seal(this.nonce(), aad, innerPlaintext);
    this.seq++;
    return out;
  }

  /**
   * Seals one record into `out` (innerPlaintext.length + tagLen bytes; `innerPlaintext` may be
   * its first bytes: sealing in place) and advances the sequence number. Uses the provider's
   * sealInto when it has one, else seal() and one copy.
   */
  sealInto(aad: Uint8Array, innerPlaintext: Uint8Array, out: Uint8Array): void {
    const key = this.aeadKey;
    const nonce = this.nonce();
    if (key.sealInto !== undefined) {
      key.sealInto(nonce, aad, innerPlaintext, out);
    } else {
      const sealed = key.seal(nonce, aad, innerPlaintext);
      if (sealed.length !== out.length) throw tlsError('internal_error', `${this.aead.name} sealed ${sealed.length} bytes, want ${out.length}`);
      out.set(sealed);
    }
    this.seq++;
  }

  /** Opens one record; advances the sequence number only when authentication succeeds. */
  open(aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    const key = this.aeadKey;
    const out = key.open(this.nonce(), aad, ciphertext);
    if (out !== null) this.seq++;
    return out;
  }

  /**
   * Best-effort erase once this key is retired (or the connection ends): our key, IV and nonce
   * copies are zeroed, the provider's key is told to erase its copy (AeadKey.dispose) and dropped.
   * Any later use throws internal_error. Idempotent.
   */
  dispose(): void {
    this.disposed = true;
    wipe(this.material);
    this.keyed?.dispose?.();
    this.keyed = undefined;
    this.nonceView = undefined;
  }

  /** True after dispose(). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  // Key, IV and nonce never print (util.inspect, JSON.stringify).
  toJSON(): { aead: string; sequence: number; keys: string } {
    return { aead: this.aead.name, sequence: this.seq, keys: this.disposed ? 'disposed' : REDACTED };
  }

  [inspectCustom](): string {
    return `CipherState { aead: ${this.aead.name}, sequence: ${this.seq}, keys: ${this.disposed ? 'disposed' : REDACTED} }`;
  }
}
