// Strict reader for TLS presentation-language structures (RFC 8446 §3).
// Every read is bounds-checked; a short read or a leftover byte is decode_error.

import { tlsError } from '../errors.js';

export class Reader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }
  get offset(): number {
    return this.pos;
  }
  isEmpty(): boolean {
    return this.pos === this.end;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) throw tlsError('decode_error', `truncated ${what}: need ${n} bytes, have ${this.end - this.pos}`);
  }

  u8(what = 'uint8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }
  u16(what = 'uint16'): number {
    this.need(2, what);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u24(what = 'uint24'): number {
    this.need(3, what);
    const v = (this.buf[this.pos]! << 16) | (this.buf[this.pos + 1]! << 8) | this.buf[this.pos + 2]!;
    this.pos += 3;
    return v;
  }
  u32(what = 'uint32'): number {
    this.need(4, what);
    const v =
      ((this.buf[this.pos]! << 24) >>> 0) +
      ((this.buf[this.pos + 1]! << 16) | (this.buf[this.pos + 2]! << 8) | this.buf[this.pos + 3]!);
    this.pos += 4;
    return v;
  }
  /** A view (not a copy) of the next n bytes. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** opaque x<min..max> with a length prefix of `lenBytes` bytes. Returns a view. */
  vector(lenBytes: 1 | 2 | 3, what: string, min = 0, max = Infinity): Uint8Array {
    const len = lenBytes === 1 ? this.u8(what) : lenBytes === 2 ? this.u16(what) : this.u24(what);
    if (len < min || len > max) throw tlsError('decode_error', `${what}: length ${len} outside <${min}..${max}>`);
    return this.bytes(len, what);
  }
  /** uint16 list<min..max> (a byte length) with a `lenBytes`-byte length prefix: cipher suites, groups, versions. */
  u16List(lenBytes: 1 | 2, what: string, min = 0, max = Infinity): number[] {
    const v = this.vector(lenBytes, what, min, max);
    if (v.length % 2 !== 0) throw tlsError('decode_error', `${what}: odd length ${v.length}`);
    const out: number[] = [];
    for (let i = 0; i < v.length; i += 2) out.push((v[i]! << 8) | v[i + 1]!);
    return out;
  }
  /** A sub-reader over a length-prefixed vector; the caller must consume it all (see `done`). */
  sub(lenBytes: 1 | 2 | 3, what: string, min = 0, max = Infinity): Reader {
    const v = this.vector(lenBytes, what, min, max);
    return new Reader(v);
  }
  /** Reject trailing bytes. RFC 8446 §4: a message with leftover bytes is malformed. */
  done(what: string): void {
    if (this.pos !== this.end) throw tlsError('decode_error', `${what}: ${this.end - this.pos} trailing bytes`);
  }
}
