// Exact encoder for TLS presentation-language structures (RFC 8446 §3).

import { tlsError } from '../errors.js';

export class Writer {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  get length(): number {
    return this.pos;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u24(v: number): this {
    this.ensure(3);
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.buf[this.pos++] = (v >>> 24) & 0xff;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  /** opaque x<..> with a `lenBytes`-byte length prefix. */
  vector(lenBytes: 1 | 2 | 3, b: Uint8Array): this {
    return this.nested(lenBytes, (w) => w.bytes(b));
  }
  /** Write a length prefix, then whatever `body` writes, then patch the length in. */
  nested(lenBytes: 1 | 2 | 3, body: (w: this) => void): this {
    this.ensure(lenBytes);
    const at = this.pos;
    this.pos += lenBytes;
    body(this);
    const len = this.pos - at - lenBytes;
    if (len >= 2 ** (8 * lenBytes)) throw tlsError('internal_error', `vector of ${len} bytes does not fit a ${lenBytes}-byte length`);
    for (let i = lenBytes - 1, v = len; i >= 0; i--, v >>>= 8) this.buf[at + i] = v & 0xff;
    return this;
  }
  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
