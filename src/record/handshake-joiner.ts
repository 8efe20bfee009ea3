// Handshake message reassembly across records. RFC 8446 §5.1, RFC 9846 §5.1.

import { tlsError } from '../errors.js';
import { HandshakeType, handshakeTypeName } from '../wire/codepoints.js';
import { handshakeLengthAllowed, MAX_CLIENT_HELLO_LENGTH } from '../wire/messages.js';

export interface HandshakeJoinerOptions {
  /** Largest accepted handshake body (the uint24 length field); default 64 KiB. */
  maxMessageSize?: number;
  /** The same for Certificate, which carries a whole chain; default 256 KiB. */
  maxCertificateMessageSize?: number;
  /** The same for ClientHello; default its legal maximum, 131396 bytes (RFC 8446 §4.1.2). */
  maxClientHelloSize?: number;
}

export interface RawHandshakeMessage {
  msgType: number;
  /** Header (msg_type, uint24 length) + body. Stable: never reused by the joiner. */
  raw: Uint8Array;
}

/** Handshake header: msg_type (1) + uint24 length. RFC 8446 §4. */
const HEADER = 4;
const MAX_UINT24 = 0xffffff;
const EMPTY = new Uint8Array(0);


/**
 * Joins handshake records into messages: several messages may share a record and one message
 * may span records (RFC 8446 §5.1). Fragments are kept by reference, not copied: a message
 * inside one fragment is returned as a view of it, so callers must not modify pushed fragments.
 */
export class HandshakeJoiner {
  private chunks: Uint8Array[] = [];
  /** Index of the first live chunk (no Array.shift: many tiny records must stay linear). */
  private first = 0;
  /** Offset of the first unread byte in chunks[first]. */
  private head = 0;
  private total = 0;
  private readonly maxMessage: number;
  private readonly maxCertificate: number;
  private readonly maxClientHello: number;

  constructor(opts?: HandshakeJoinerOptions) {
    this.maxMessage = opts?.maxMessageSize ?? 64 * 1024;
    this.maxClientHello = opts?.maxClientHelloSize ?? MAX_CLIENT_HELLO_LENGTH;
    this.maxCertificate = opts?.maxCertificateMessageSize ?? 256 * 1024;
    for (const v of [this.maxMessage, this.maxCertificate, this.maxClientHello])
      if (!Number.isSafeInteger(v) || v < 0 || v > MAX_UINT24) throw tlsError('internal_error', `invalid handshake size limit ${v}`);
  }

  /** Bytes buffered (partial messages and messages not yet taken by `next`). */
  get bufferedBytes(): number {
    return this.total;
  }

  /**
   * True when nothing is buffered. RFC 8446 §5.1: at a key change the previous message must
   * end on a record boundary, so the connection checks this after taking the message that
   * triggers the change; false there means unexpected_message.
   */
  isEmpty(): boolean {
    return this.total === 0;
  }

  /** One handshake record's content. */
  push(fragment: Uint8Array): void {
    // RFC 9846 §5.1, §5.4: zero-length handshake fragments are forbidden; unexpected_message.
    if (fragment.length === 0) throw tlsError('unexpected_message', 'zero-length handshake fragment');
    this.chunks.push(fragment);
    this.total += fragment.length;
    this.checkHead(); // fail fast on an oversized length before buffering its body
  }

  /** The next complete message, or undefined when none is complete yet. */
  next(): RawHandshakeMessage | undefined {
    const head = this.checkHead();
    if (head === undefined) return undefined;
    const size = HEADER + head.length;
    if (this.total < size) return undefined;
    return { msgType: head.msgType, raw: this.take(size) };
  }

  /** Reads and checks the header of the first buffered message, if four bytes are there. */
  private checkHead(): { msgType: number; length: number } | undefined {
    if (this.total < HEADER) return undefined;
    const msgType = this.byteAt(0);
    const length = (this.byteAt(1) << 16) | (this.byteAt(2) << 8) | this.byteAt(3);
    const limit = msgType === HandshakeType.certificate ? this.maxCertificate : msgType === HandshakeType.client_hello ? this.maxClientHello : this.maxMessage;
    if (length > limit)
      // The length is well-formed syntax (uint24) but exceeds what we accept: RFC 9846 §6.2
      // illegal_parameter covers "conform to the formal protocol syntax but are otherwise
      // incorrect" (decode_error is for syntax violations). OpenSSL sends the same alert.
      throw tlsError(
        'illegal_parameter',
        `${handshakeTypeName(msgType)} of ${length} bytes exceeds the limit of ${limit}`,
      );
    // Beyond what the type's struct allows (under a limit configured above it): decode_error.
    if (!handshakeLengthAllowed(msgType, length)) throw tlsError('decode_error', `${handshakeTypeName(msgType)} cannot be ${length} bytes long`);
    return { msgType, length };
  }

  private byteAt(i: number): number {
    let k = this.head + i;
    for (let j = this.first; j < this.chunks.length; j++) {
      const c = this.chunks[j]!;
      if (k < c.length) return c[k]!;
      k -= c.length;
    }
    throw tlsError('internal_error', 'handshake joiner read past its buffer');
  }

  /** Removes `size` bytes from the front: a view when they lie in one fragment, else a copy. */
  private take(size: number): Uint8Array {
    this.total -= size;
    const c0 = this.chunks[this.first]!;
    let out: Uint8Array;
    if (c0.length - this.head >= size) {
      out = c0.subarray(this.head, this.head + size);
      this.head += size;
      if (this.head === c0.length) this.dropFirst();
    } else {
      out = new Uint8Array(size);
      let filled = 0;
      while (filled < size) {
        const c = this.chunks[this.first]!;
        const n = Math.min(c.length - this.head, size - filled);
        out.set(c.subarray(this.head, this.head + n), filled);
        filled += n;
        this.head += n;
        if (this.head === c.length) this.dropFirst();
      }
    }
    if (this.total === 0) {
      this.chunks = [];
      this.first = 0;
    }
    return out;
  }

  private dropFirst(): void {
    this.chunks[this.first] = EMPTY; // release the reference
    this.first++;
    this.head = 0;
    if (this.first >= 1024 && this.first * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}
