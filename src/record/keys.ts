// Traffic keys and the per-record nonce. RFC 8446 §5.2, §5.3.

import type { AeadAlgorithm, AeadKey } from '../crypto/provider.js';
import { internalError } from '../errors.js';
import { wipe } from '../util/bytes.js';

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
 * to iv.length, XORed with the IV. Returns a new array.
 */
export function recordNonce(iv: Uint8Array, seq: number): Uint8Array {
  const nonce = new Uint8Array(iv.length);
  writeRecordNonce(iv, seq, nonce);
  return nonce;
}

/** recordNonce into `out` (iv.length bytes), so that a connection reuses one nonce buffer. */
export function writeRecordNonce(iv: Uint8Array, seq: number, out: Uint8Array): void {
  if (!Number.isSafeInteger(seq) || seq < 0) throw internalError(`invalid sequence number ${seq}`);
  // RFC 8446 §5.3: iv_length is at least 8 bytes.
  if (iv.length < 8) throw internalError(`IV of ${iv.length} bytes is shorter than 8`);
  if (out.length !== iv.length) throw internalError(`nonce buffer of ${out.length} bytes for an IV of ${iv.length}`);
  out.set(iv);
  const n = out.length;
  const lo = seq >>> 0; // seq mod 2^32
  const hi = Math.floor(seq / 2 ** 32);
  for (let i = 0; i < 4; i++) {
    const a = n - 1 - i;
    const b = n - 5 - i;
    out[a] = out[a]! ^ ((lo >>> (8 * i)) & 0xff);
    out[b] = out[b]! ^ ((hi >>> (8 * i)) & 0xff);
  }
}

/**
 * The live state of one direction under one traffic key: the keyed AEAD, a private copy of
 * the IV, and the sequence number (RFC 8446 §5.3: starts at 0 for each new key).
 */
export class CipherState {
  readonly aead: AeadAlgorithm;
  private readonly aeadKey: AeadKey;
  private readonly iv: Uint8Array;
  /**
   * The per-record nonce, rewritten for every record: AeadKey implementations use the nonce
   * only during the call (the interface is synchronous), so one buffer serves every record.
   */
  private readonly nonceBuf: Uint8Array;
  private seq: number;

  /** `initialSequence` exists for tests of the sequence-number limit; the protocol always starts at 0. */
  constructor(keys: TrafficKeys, initialSequence = 0) {
    const { aead, key, iv } = keys;
    if (key.length !== aead.keyLen) throw internalError(`${aead.name}: key is ${key.length} bytes, want ${aead.keyLen}`);
    if (iv.length !== aead.nonceLen || iv.length < 8)
      throw internalError(`${aead.name}: IV is ${iv.length} bytes, want ${aead.nonceLen}`);
    if (!Number.isSafeInteger(initialSequence) || initialSequence < 0)
      throw internalError(`invalid initial sequence number ${initialSequence}`);
    this.aead = aead;
    this.aeadKey = aead.create(key);
    this.iv = iv.slice();
    this.nonceBuf = new Uint8Array(iv.length);
    this.seq = initialSequence;
  }

  /** The sequence number of the next record = records processed under this key. */
  get sequence(): number {
    return this.seq;
  }

  private nonce(): Uint8Array {
    // RFC 8446 §5.3: never wrap; the connection must rekey or close first.
    if (this.seq > MAX_SEQUENCE_NUMBER) throw internalError('record sequence number exhausted; a key update is required');
    writeRecordNonce(this.iv, this.seq, this.nonceBuf);
    return this.nonceBuf;
  }

  /** Seals one record (RFC 8446 §5.2) and advances the sequence number. */
  seal(aad: Uint8Array, innerPlaintext: Uint8Array): Uint8Array {
    const out = this.aeadKey.seal(this.nonce(), aad, innerPlaintext);
    this.seq++;
    return out;
  }

  /**
   * Seals one record into `out` (innerPlaintext.length + tagLen bytes; `innerPlaintext` may be
   * its first bytes: sealing in place) and advances the sequence number. Uses the provider's
   * sealInto when it has one, else seal() and one copy.
   */
  sealInto(aad: Uint8Array, innerPlaintext: Uint8Array, out: Uint8Array): void {
    const nonce = this.nonce();
    if (this.aeadKey.sealInto !== undefined) {
      this.aeadKey.sealInto(nonce, aad, innerPlaintext, out);
    } else {
      const sealed = this.aeadKey.seal(nonce, aad, innerPlaintext);
      if (sealed.length !== out.length) throw internalError(`${this.aead.name} sealed ${sealed.length} bytes, want ${out.length}`);
      out.set(sealed);
    }
    this.seq++;
  }

  /** Opens one record; advances the sequence number only when authentication succeeds. */
  open(aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    const out = this.aeadKey.open(this.nonce(), aad, ciphertext);
    if (out !== null) this.seq++;
    return out;
  }

  /** Best-effort erase of our IV copy once this key is retired. */
  dispose(): void {
    wipe(this.iv, this.nonceBuf);
  }
}
