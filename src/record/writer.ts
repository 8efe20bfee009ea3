// Outbound record layer: fragmentation, padding and protection. RFC 8446 §5, RFC 9846 §5.

import { tlsError } from '../errors.js';
import { ContentType, contentTypeName } from '../wire/codepoints.js';
import {
  MAX_INNER_PLAINTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  MIN_RECORD_SIZE_LIMIT,
  RECORD_HEADER_LENGTH,
} from './constants.js';
import { CipherState, type TrafficKeys } from './keys.js';

/**
 * RFC 8446 §5.4: how many zero bytes to append to a protected record's TLSInnerPlaintext.
 * `maxPadding` keeps the record within the size limit; larger results are clamped to it.
 */
export type PaddingPolicy = (contentType: number, contentLength: number, maxPadding: number) => number;

/** No padding (the default). */
export const noPadding: PaddingPolicy = () => 0;

/** Pads TLSInnerPlaintext (content + type byte) up to a multiple of `blockSize`, within the limit. */
export function padToBlock(blockSize: number): PaddingPolicy {
  if (!Number.isSafeInteger(blockSize) || blockSize < 1) throw tlsError('internal_error', `invalid padding block size ${blockSize}`);
  return (_type, contentLength, maxPadding) => {
    const rem = (contentLength + 1) % blockSize;
    return rem === 0 ? 0 : Math.min(blockSize - rem, maxPadding);
  };
}

/** Every protected record at the full size limit (constant-size records). */
export const padToMaximum: PaddingPolicy = (_type, _contentLength, maxPadding) => maxPadding;

export interface RecordWriterOptions {
  padding?: PaddingPolicy;
  /**
   * Memory for output buffers; need not be zeroed (CryptoProvider.allocate). Every byte handed
   * out is written first, and takeOutput() zeroes the rest of the buffer before handing it over.
   */
  allocate?: (length: number) => Uint8Array;
}

export interface WriteOptions {
  /**
   * legacy_record_version of an unprotected record (default 0x0303). RFC 8446 §5.1: an
   * initial ClientHello MAY use 0x0301. Protected records always carry 0x0303.
   */
  legacyVersion?: number;
}

const LEGACY_VERSION = 0x0303;
const EMPTY: Uint8Array = new Uint8Array(0);
/** RECORD_HEADER_LENGTH + ALIGN_SKIP is a multiple of 4. */
const ALIGN_SKIP = 3;

export class RecordWriter {
  private out: Uint8Array = EMPTY;
  /** Queued bytes are out[start, pos). */
  private start = 0;
  private pos = 0;
  private state: CipherState | undefined;
  private padding: PaddingPolicy;
  /** RFC 8449: the peer's limit on TLSInnerPlaintext (content + type + padding). */
  private sizeLimit = MAX_INNER_PLAINTEXT_LENGTH;

  private readonly allocate: ((length: number) => Uint8Array) | undefined;

  constructor(opts?: RecordWriterOptions) {
    this.padding = opts?.padding ?? noPadding;
    this.allocate = opts?.allocate;
  }

  /** Write keys are installed. */
  get hasKeys(): boolean {
    return this.state !== undefined;
  }

  /** Records sealed under the current write key; rekey before `aead.recordLimit` (RFC 8446 §5.5). */
  get recordsUnderKey(): number {
    return this.state?.sequence ?? 0;
  }

  /** Content bytes per protected record under the current limit. */
  get maxFragmentLength(): number {
    return this.sizeLimit - 1;
  }

  /** Switches write keys at a record boundary; the next record uses sequence number 0 (RFC 8446 §5.3). */
  setKeys(keys: TrafficKeys | undefined): void {
    this.state?.dispose();
    this.state = keys === undefined ? undefined : new CipherState(keys);
  }

  /**
   * The connection is over: the write key, IV and nonce are erased (CipherState.dispose).
   * Queued output stays; sealing a record afterwards throws internal_error.
   */
  dispose(): void {
    this.state?.dispose();
  }

  setPadding(policy: PaddingPolicy | undefined): void {
    this.padding = policy ?? noPadding;
  }

  /**
   * RFC 8449 §4: the peer's record_size_limit. It bounds the whole TLSInnerPlaintext of protected
   * records (content + 1 type byte + padding), so content ≤ n − 1. Values above 2^14 + 1 mean
   * the protocol maximum. Unprotected records are not subject to it (they stay ≤ 2^14).
   */
  setMaxFragmentLength(n: number): void {
    if (!Number.isSafeInteger(n) || n < MIN_RECORD_SIZE_LIMIT)
      throw tlsError('internal_error', `record size limit ${n} below ${MIN_RECORD_SIZE_LIMIT}`);
    this.sizeLimit = Math.min(n, MAX_INNER_PLAINTEXT_LENGTH);
  }

  /** Bytes queued for the transport. */
  get outputBytes(): number {
    return this.pos - this.start;
  }

  get hasOutput(): boolean {
    return this.pos > this.start;
  }

  /**
   * All queued bytes, or undefined when none. The returned array is the caller's: the buffer is
   * handed over without a copy, and the writer keeps none (an idle connection holds no output
   * buffer; the next write allocates one of the size it needs, at least 1 KiB).
   */
  takeOutput(): Uint8Array | undefined {
    if (this.pos === this.start) return undefined;
    const out = this.out;
    if (this.allocate !== undefined) {
      // Unzeroed memory: nothing but our records may be reachable through result.buffer.
      out.fill(0, 0, this.start);
      out.fill(0, this.pos);
    }
    const result = out.subarray(this.start, this.pos);
    this.out = EMPTY;
    this.start = 0;
    this.pos = 0;
    return result;
  }

  /**
   * Fragments `data` into records and queues them (RFC 8446 §5.1). With write keys every type
   * but change_cipher_spec is protected (RFC 8446 §5.2); change_cipher_spec is never protected
   * (RFC 9846 §5). Misuse throws internal_error.
   */
  write(type: number, data: Uint8Array, opts?: WriteOptions): void {
    if (
      type !== ContentType.application_data &&
      type !== ContentType.handshake &&
      type !== ContentType.alert &&
      type !== ContentType.change_cipher_spec
    )
      throw tlsError('internal_error', `cannot send record type ${contentTypeName(type)}`); // RFC 8446 §5
    // RFC 8446 §5.1, §5.4: only application data may be sent as a zero-length fragment.
    if (data.length === 0 && type !== ContentType.application_data)
      throw tlsError('internal_error', `zero-length ${contentTypeName(type)} write`);
    const state = type === ContentType.change_cipher_spec ? undefined : this.state;
    if (state === undefined) {
      if (type === ContentType.application_data) throw tlsError('internal_error', 'application data before write keys'); // RFC 8446 §5.1
      const version = opts?.legacyVersion ?? LEGACY_VERSION;
      if (!Number.isInteger(version) || version >> 8 !== 0x03) throw tlsError('internal_error', `invalid legacy_record_version ${version}`);
      this.writePlain(type, data, version);
    } else {
      if (opts?.legacyVersion !== undefined && opts.legacyVersion !== LEGACY_VERSION)
        throw tlsError('internal_error', 'protected records always use legacy_record_version 0x0303'); // RFC 8446 §5.2
      this.writeProtected(state, type, data);
    }
  }

  private writePlain(type: number, data: Uint8Array, version: number): void {
    const max = MAX_PLAINTEXT_LENGTH;
    // RFC 8446 §5.1: an alert is never fragmented.
    if (type === ContentType.alert && data.length > max) throw tlsError('internal_error', 'alert does not fit one record');
    const count = Math.ceil(data.length / max);
    this.ensure(data.length + count * RECORD_HEADER_LENGTH);
    for (let off = 0; off < data.length; off += max) {
      const n = Math.min(max, data.length - off);
      this.ensure(RECORD_HEADER_LENGTH + n);
      const p = this.pos;
      writeHeader(this.out, p, type, version, n);
      this.out.set(data.subarray(off, off + n), p + RECORD_HEADER_LENGTH);
      this.pos = p + RECORD_HEADER_LENGTH + n;
    }
  }

  private writeProtected(state: CipherState, type: number, data: Uint8Array): void {
    const max = this.sizeLimit - 1;
    if (type === ContentType.alert && data.length > max) throw tlsError('internal_error', 'alert does not fit one record');
    const count = Math.max(1, Math.ceil(data.length / max));
    const { tagLen, recordLimit } = state.aead;
    // RFC 8446 §5.5: never exceed the key usage limit; the connection must KeyUpdate first.
    if (state.sequence + count > recordLimit)
      throw tlsError('internal_error', `${count} records would exceed the ${state.aead.name} limit of ${recordLimit} under one key`);
    this.ensure(data.length + count * (RECORD_HEADER_LENGTH + 1 + tagLen));
    let off = 0;
    do {
      const n = Math.min(max, data.length - off);
      this.sealRecord(state, type, data.subarray(off, off + n), tagLen);
      off += n;
    } while (off < data.length);
  }

  /** Builds header + TLSInnerPlaintext in the output buffer and seals it there. */
  private sealRecord(state: CipherState, type: number, content: Uint8Array, tagLen: number): void {
    const n = content.length;
    const maxPadding = this.sizeLimit - 1 - n;
    const wanted = this.padding(type, n, maxPadding);
    const pad = Number.isFinite(wanted) && wanted > 0 ? Math.min(Math.floor(wanted), maxPadding) : 0;
    const innerLen = n + 1 + pad;
    const ctLen = innerLen + tagLen;
    this.ensure(RECORD_HEADER_LENGTH + ctLen);
    const o = this.out;
    const p = this.pos;
    // RFC 8446 §5.2: opaque_type application_data, legacy_record_version 0x0303.
    writeHeader(o, p, ContentType.application_data, LEGACY_VERSION, ctLen);
    const body = p + RECORD_HEADER_LENGTH;
    o.set(content, body);
    o[body + n] = type;
    o.fill(0, body + n + 1, body + innerLen); // RFC 8446 §5.4: padding is zeros
    // Sealed in place: ciphertext || tag replaces TLSInnerPlaintext in the output buffer.
    state.sealInto(o.subarray(p, body), o.subarray(body, body + innerLen), o.subarray(body, body + ctLen));
    this.pos = body + ctLen;
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.out.length) return;
    if (this.pos === this.start) {
      // A fresh buffer. The first record's header starts at offset 3, so that its body (offset 8)
      // is 4-byte aligned: pure-JS AEADs seal aligned memory in place faster (noble's ChaCha20
      // by ~15%), and a record per write is the common case.
      this.out = this.alloc(Math.max(n + ALIGN_SKIP, 1024));
      this.start = this.pos = ALIGN_SKIP;
      return;
    }
    const next = this.alloc(Math.max(need, this.out.length * 2, 1024));
    next.set(this.out.subarray(this.start, this.pos), this.start);
    this.out = next;
  }

  private alloc(length: number): Uint8Array {
    return this.allocate === undefined ? new Uint8Array(length) : this.allocate(length);
  }
}

/** TLSPlaintext / TLSCiphertext header (RFC 8446 §5.1, §5.2) at o[p]. */
function writeHeader(o: Uint8Array, p: number, type: number, version: number, length: number): void {
  o[p] = type;
  o[p + 1] = version >> 8;
  o[p + 2] = version & 0xff;
  o[p + 3] = length >> 8;
  o[p + 4] = length & 0xff;
}
