// Inbound record layer: framing, limits and deprotection. RFC 8446 §5, RFC 9846 §5.

import { tlsError } from '../errors.js';
import { ContentType, contentTypeName } from '../wire/codepoints.js';
import {
  MAX_AEAD_EXPANSION,
  MAX_CIPHERTEXT_LENGTH,
  MAX_INNER_PLAINTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  MAX_RECORD_LENGTH,
  MIN_RECORD_SIZE_LIMIT,
  RECORD_HEADER_LENGTH,
} from './constants.js';
import { CipherState, type TrafficKeys } from './keys.js';

/** One record as delivered to the connection. */
export interface InboundRecord {
  /** The real content type (for a protected record: TLSInnerPlaintext.type). */
  type: number;
  /** The content (padding and inner type stripped). Owned by the caller: never reused by the reader. */
  data: Uint8Array;
  /** True when the record was deprotected with the read keys. */
  protected: boolean;
}

export interface RecordReaderLimits {
  /**
   * Bound on bytes left over from earlier pushes (default 1 MiB, at least one maximal record).
   * Drained properly, at most one partial record is left over; `push` throws internal_error
   * when `maxBufferedBytes` or more are still buffered (the caller is not draining, e.g. the
   * peer floods while an async step is pending). A single push may be of any size, so the
   * buffer holds at most this bound plus the latest push.
   */
  maxBufferedBytes?: number;
  /** Memory for the reader's own buffer; need not be zeroed (CryptoProvider.allocate). */
  allocate?: (length: number) => Uint8Array;
}

export type SkipMode = 'undecryptable' | 'application_data';

const DEFAULT_MAX_BUFFERED = 1 << 20;
const INITIAL_BUFFER = 4096;
const EMPTY: Uint8Array = new Uint8Array(0);
/** Tag length assumed when no keys are installed (every TLS 1.3 AEAD but CCM_8 has a 16-byte tag). */
const ASSUMED_TAG_LENGTH = 16;


export class RecordReader {
  /** Own bytes, buf[start, end): at most the start of one record once detached. */
  private buf: Uint8Array = EMPTY;
  private start = 0;
  private end = 0;
  /** Borrowed bytes from the latest push, chunk[chunkPos, …), read in place until detach(). */
  private chunk: Uint8Array = EMPTY;
  private chunkPos = 0;
  private readonly allocate: (length: number) => Uint8Array;
  private readonly maxBuffered: number;
  private state: CipherState | undefined;
  private sizeLimit = MAX_INNER_PLAINTEXT_LENGTH;
  /** Largest TLSInnerPlaintext opened under the current keys (a limit set later covers those too). */
  private largestInner = 0;
  /** Zero bytes stripped from the last protected record returned (RFC 8446 §5.4). */
  private padding = 0;
  private skipMode: SkipMode | undefined;
  private skipBudget = 0;
  private skipped = 0;

  constructor(limits?: RecordReaderLimits) {
    const max = limits?.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    if (!Number.isSafeInteger(max) || max < MAX_RECORD_LENGTH)
      throw tlsError('internal_error', `maxBufferedBytes must be an integer >= ${MAX_RECORD_LENGTH}`);
    this.maxBuffered = max;
    this.allocate = limits?.allocate ?? ((n) => new Uint8Array(n));
  }

  /** Transport bytes buffered and not yet returned as records. */
  get bufferedBytes(): number {
    return this.end - this.start + this.chunk.length - this.chunkPos;
  }

  /** Read keys are installed. */
  get hasKeys(): boolean {
    return this.state !== undefined;
  }

  /** Records decrypted under the current read key (= its next sequence number). */
  get recordsUnderKey(): number {
    return this.state?.sequence ?? 0;
  }

  /** The active early-data skipping mode, if any. */
  get skipping(): SkipMode | undefined {
    return this.skipMode;
  }

  /** Bytes counted against the current skipping budget. */
  get skippedBytes(): number {
    return this.skipped;
  }

  /**
   * Takes transport bytes. They are read in place (records are opened straight from them, no
   * copy) until `detach()`, which copies what is left into the reader's own buffer; the caller
   * must not modify `data` before then. A second push detaches the first.
   */
  push(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    const have = this.bufferedBytes;
    if (have >= this.maxBuffered)
      throw tlsError('internal_error', `receive buffer limit: ${have} bytes still buffered (limit ${this.maxBuffered}); drain with next()`);
    this.detach();
    this.chunk = data;
    this.chunkPos = 0;
  }

  /** Copies the unread rest of the last push into the reader's own buffer: `data` is the caller's again. */
  detach(): void {
    const rest = this.chunk.length - this.chunkPos;
    if (rest > 0) this.append(this.chunk.subarray(this.chunkPos), rest >= RECORD_HEADER_LENGTH ? recordTotal(this.chunk, this.chunkPos) : 0);
    this.chunk = EMPTY;
    this.chunkPos = 0;
  }

  /** Appends to the own buffer (at least `capacityHint` bytes of room in all when it must grow). */
  private append(data: Uint8Array, capacityHint = 0): void {
    const n = data.length;
    const have = this.end - this.start;
    if (this.end + n > this.buf.length) {
      if (have + n <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const size = Math.max(have + n, capacityHint, Math.min(this.buf.length * 2, this.maxBuffered), INITIAL_BUFFER);
        const next = this.allocate(size);
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = have;
    }
    this.buf.set(data, this.end);
    this.end += n;
  }

  /**
   * A record that began in the own buffer is completed there from the borrowed bytes (at most
   * the rest of that one record is copied); later records are read from the borrowed bytes.
   */
  private topUp(): void {
    for (;;) {
      const avail = this.chunk.length - this.chunkPos;
      const have = this.end - this.start;
      // First the header, then (knowing the length) the rest of the record.
      const want = have < RECORD_HEADER_LENGTH ? RECORD_HEADER_LENGTH - have : recordTotal(this.buf, this.start) - have;
      const take = Math.min(want, avail);
      if (take <= 0) return;
      this.append(this.chunk.subarray(this.chunkPos, this.chunkPos + take), have + want);
      this.chunkPos += take;
      if (have >= RECORD_HEADER_LENGTH) return;
    }
  }

  /** Plaintext alerts are accepted until the first protected record deprotects (see next()). */
  allowPlaintextAlerts = true;

  /**
   * Switches the read keys at a record boundary: the next record is opened with `keys` at
   * sequence number 0 (RFC 8446 §5.3). `undefined` turns protection off. Installing keys ends
   * `skipApplicationData` mode.
   */
  setKeys(keys: TrafficKeys | undefined): void {
    this.state?.dispose();
    this.state = keys === undefined ? undefined : new CipherState(keys);
    this.largestInner = 0;
    if (keys !== undefined && this.skipMode === 'application_data') this.stopSkipping();
  }

  /**
   * The connection is over: the read key, IV and nonce are erased (CipherState.dispose) and the
   * buffered input dropped. Opening a record afterwards throws internal_error.
   */
  dispose(): void {
    this.state?.dispose();
    this.release();
  }

  /**
   * RFC 8449 §4: the record_size_limit we advertised, now in force. Protected records whose
   * TLSInnerPlaintext exceeds it are record_overflow. Unprotected records are not subject to it.
   * Records already opened under the current keys are held to it too: a client learns that its
   * limit was negotiated from EncryptedExtensions, whose record the server sent under it.
   */
  setRecordSizeLimit(limit: number): void {
    if (!Number.isSafeInteger(limit) || limit < MIN_RECORD_SIZE_LIMIT)
      throw tlsError('internal_error', `record size limit ${limit} below ${MIN_RECORD_SIZE_LIMIT}`);
    this.sizeLimit = Math.min(limit, MAX_INNER_PLAINTEXT_LENGTH);
    if (this.largestInner > this.sizeLimit)
      throw tlsError('record_overflow', `TLSInnerPlaintext of ${this.largestInner} bytes exceeds the negotiated record_size_limit ${this.sizeLimit}`);
  }

  /** Zero padding bytes of the last protected record returned by next() (RFC 8446 §5.4); 0 for unprotected ones. */
  get lastPaddingLength(): number {
    return this.padding;
  }

  /**
   * RFC 9846 §4.3.10 (RFC 8446 §4.2.10), server rejected 0-RTT: application_data records that
   * fail to deprotect with the current read keys are dropped. Each counts the most content it
   * could carry (length − tag − 1, at least 1); past `maxBytes` (max_early_data_size) the connection is
   * aborted with unexpected_message (RFC 9846 §4.7.1). The first record that deprotects ends the mode.
   */
  skipUndecryptable(maxBytes: number): void {
    this.startSkipping('undecryptable', maxBytes);
  }

  /**
   * RFC 9846 §4.3.10, server sent HelloRetryRequest: unprotected-path records of outer type
   * application_data (0-RTT ciphertext) are dropped, counted as above (16-byte tag assumed), up
   * to `maxBytes`, until `stopSkipping()` or `setKeys(keys)`.
   */
  skipApplicationData(maxBytes: number): void {
    this.startSkipping('application_data', maxBytes);
  }

  stopSkipping(): void {
    this.skipMode = undefined;
    this.skipBudget = 0;
    this.skipped = 0;
  }

  private startSkipping(mode: SkipMode, maxBytes: number): void {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw tlsError('internal_error', `invalid early data limit ${maxBytes}`);
    this.skipMode = mode;
    this.skipBudget = maxBytes;
    this.skipped = 0;
  }

  /**
   * The next record, or undefined until a whole record is buffered. Throws TlsError for
   * malformed or undecryptable input; the reader is unusable afterwards.
   */
  next(): InboundRecord | undefined {
    for (;;) {
      let buf: Uint8Array;
      let s: number;
      let avail: number;
      const own = this.end > this.start;
      if (own) {
        this.topUp();
        buf = this.buf;
        s = this.start;
        avail = this.end - s;
      } else {
        buf = this.chunk;
        s = this.chunkPos;
        avail = buf.length - s;
        if (avail === 0) {
          this.release();
          return undefined;
        }
      }
      if (avail < 2) return undefined;
      const type = buf[s]!;
      // RFC 8446 §5.1: legacy_record_version is ignored, but anything not 0x03?? is not TLS.
      // Checked before the type so that garbage (e.g. HTTP) fails fast as decode_error.
      if (buf[s + 1] !== 0x03)
        throw tlsError('decode_error', `not a TLS record: version byte 0x${buf[s + 1]!.toString(16).padStart(2, '0')}`);
      if (
        type !== ContentType.application_data &&
        type !== ContentType.handshake &&
        type !== ContentType.alert &&
        type !== ContentType.change_cipher_spec
      )
        // RFC 8446 §5: an unexpected record type MUST be answered with unexpected_message.
        throw tlsError('unexpected_message', `unknown record type ${contentTypeName(type)}`);
      if (avail < RECORD_HEADER_LENGTH) return undefined;
      const length = (buf[s + 3]! << 8) | buf[s + 4]!;
      if (type === ContentType.application_data) {
        // RFC 8446 §5.2 (and RFC 8449 §4: our limit plus the maximum AEAD expansion). Outer
        // application_data is ciphertext in every legal case, keys or not. Rejected 0-RTT data
        // was sent without knowing our limit, so only the protocol maximum applies to it.
        const max =
          this.state === undefined || this.skipMode === 'undecryptable'
            ? MAX_CIPHERTEXT_LENGTH
            : this.sizeLimit + MAX_AEAD_EXPANSION;
        if (length > max) throw tlsError('record_overflow', `TLSCiphertext of ${length} bytes exceeds ${max}`);
      } else if (length > MAX_PLAINTEXT_LENGTH) {
        // RFC 8446 §5.1
        throw tlsError('record_overflow', `TLSPlaintext of ${length} bytes exceeds ${MAX_PLAINTEXT_LENGTH}`);
      }
      const total = RECORD_HEADER_LENGTH + length;
      if (avail < total) return undefined;
      const header = buf.subarray(s, s + RECORD_HEADER_LENGTH);
      const body = buf.subarray(s + RECORD_HEADER_LENGTH, s + total);
      // Views stay valid: nothing writes to `buf` until the next push or detach.
      if (own) this.start += total;
      else this.chunkPos += total;
      const record = this.process(type, header, body);
      if (record !== undefined) return record;
    }
  }

  /**
   * Drops the buffer once drained (as OpenSSL's SSL_MODE_RELEASE_BUFFERS does): an idle
   * connection then holds no receive buffer, and one burst does not pin memory. The next push
   * allocates what it needs.
   */
  private release(): void {
    this.start = 0;
    this.end = 0;
    if (this.buf.length > 0) this.buf = EMPTY;
    this.chunk = EMPTY;
    this.chunkPos = 0;
  }

  private process(type: number, header: Uint8Array, body: Uint8Array): InboundRecord | undefined {
    const state = this.state;
    this.padding = 0;
    if (type === ContentType.application_data) {
      if (state === undefined) {
        if (this.skipMode === 'application_data') {
          this.countSkipped(body.length, ASSUMED_TAG_LENGTH);
          return undefined;
        }
        // No keys: passed through; the connection decides (RFC 8446 §5.1: it is never legal).
        return { type, data: body.slice(), protected: false };
      }
      // RFC 8446 §5.2: additional_data = the record header.
      const plaintext = state.open(header, body);
      if (plaintext === null) {
        if (this.skipMode === 'undecryptable') {
          this.countSkipped(body.length, state.aead.tagLen);
          return undefined;
        }
        throw tlsError('bad_record_mac', `record ${state.sequence} failed to deprotect`);
      }
      this.allowPlaintextAlerts = false;
      // RFC 9846 §4.3.10: the first record that deprotects ends early-data skipping.
      if (this.skipMode === 'undecryptable') this.stopSkipping();
      return this.unwrapInner(plaintext);
    }
    if (type === ContentType.change_cipher_spec) {
      // RFC 9846 §5: only the single byte 0x01; it may arrive unprotected between protected
      // records. Whether it is allowed now is the connection's call (Appendix E.4).
      if (body.length !== 1 || body[0] !== 0x01) throw tlsError('unexpected_message', 'change_cipher_spec other than 0x01');
      return { type, data: body.slice(), protected: false };
    }
    // A peer that failed before it had keys can only send a plaintext alert; like OpenSSL, accept
    // one until the first protected record arrives, so that its reason is not lost.
    const plainAlert = type === ContentType.alert && this.allowPlaintextAlerts;
    if (state !== undefined && !plainAlert) {
      throw tlsError('unexpected_message', `unprotected ${contentTypeName(type)} record after keys were installed`);
    }
    // RFC 9846 §5.1, §5.4: no zero-length handshake or alert fragments.
    if (body.length === 0) throw tlsError('unexpected_message', `zero-length ${contentTypeName(type)} record`);
    return { type, data: body.slice(), protected: false };
  }

  /** RFC 8446 §5.2, §5.4: strip the zero padding, find the real content type. */
  private unwrapInner(plaintext: Uint8Array): InboundRecord {
    const n = plaintext.length;
    // RFC 8446 §5.4, RFC 8449 §4: the limit covers content, type and padding.
    if (n > this.sizeLimit) throw tlsError('record_overflow', `TLSInnerPlaintext of ${n} bytes exceeds ${this.sizeLimit}`);
    if (n > this.largestInner) this.largestInner = n;
    let i = n - 1;
    while (i >= 0 && plaintext[i] === 0) i--;
    if (i < 0) throw tlsError('unexpected_message', 'protected record has no non-zero content type');
    this.padding = n - 1 - i;
    const type = plaintext[i]!;
    switch (type) {
      case ContentType.application_data:
        break; // RFC 8446 §5.1: zero-length application data is allowed.
      case ContentType.handshake:
      case ContentType.alert:
        if (i === 0) throw tlsError('unexpected_message', `zero-length protected ${contentTypeName(type)} record`); // RFC 9846 §5.4
        break;
      case ContentType.change_cipher_spec:
        throw tlsError('unexpected_message', 'protected change_cipher_spec record'); // RFC 9846 §5
      default:
        throw tlsError('unexpected_message', `unknown inner content type ${contentTypeName(type)}`); // RFC 9846 §5
    }
    return { type, data: plaintext.subarray(0, i), protected: true };
  }

  private countSkipped(length: number, tagLength: number): void {
    // At least one byte per record: records that could carry nothing are not free (audit #9).
    this.skipped += Math.max(1, length - tagLength - 1);
    // RFC 9846 §4.7.1: more than max_early_data_size of 0-RTT data SHOULD be unexpected_message.
    if (this.skipped > this.skipBudget)
      throw tlsError('unexpected_message', `skipped early data exceeds max_early_data_size (${this.skipBudget})`);
  }
}

/** Header + length of the record whose header starts at bytes[pos] (5 bytes must be there). */
function recordTotal(bytes: Uint8Array, pos: number): number {
  return RECORD_HEADER_LENGTH + ((bytes[pos + 3]! << 8) | bytes[pos + 4]!);
}
