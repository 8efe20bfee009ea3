// A small strict DER reader and writer (X.690 §8, §10): definite lengths only, minimal
// length octets, low tag numbers. Parsing untrusted certificates goes through this
// reader so that every byte range (TBSCertificate, Names) is exactly what was received.

/** A DER syntax error. Callers turn it into the error type of their layer. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** Universal and context-specific tags used by X.509 (X.690 §8.1.2). */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  TeletexString: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag [n], constructed or primitive. */
export const ctx = (n: number, constructed: boolean): number => 0x80 | (constructed ? 0x20 : 0) | n;

export interface Tlv {
  /** The identifier octet. */
  readonly tag: number;
  /** The whole encoding: identifier, length and contents. */
  readonly bytes: Uint8Array;
  /** The contents octets. */
  readonly value: Uint8Array;
}

/** Reads consecutive TLVs from a byte range. Returned arrays are views into the input. */
export class DerReader {
  private pos = 0;
  constructor(private readonly data: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.data.length;
  }

  peekTag(): number | undefined {
    return this.data[this.pos];
  }

  read(): Tlv {
    const d = this.data;
    const start = this.pos;
    const tag = d[start];
    if (tag === undefined) throw new DerError('unexpected end of data');
    if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
    let p = start + 1;
    const first = d[p++];
    if (first === undefined) throw new DerError('truncated length');
    let len: number;
    if (first < 0x80) {
      len = first;
    } else {
      const n = first & 0x7f;
      // 0x80 is BER's indefinite length; X.690 §10.1 forbids it in DER.
      if (n === 0) throw new DerError('indefinite length');
      if (n > 4) throw new DerError('length too large');
      len = 0;
      for (let i = 0; i < n; i++) {
        const b = d[p++];
        if (b === undefined) throw new DerError('truncated length');
        if (i === 0 && b === 0) throw new DerError('non-minimal length');
        len = len * 256 + b;
      }
      // X.690 §10.1: the shortest form must be used.
      if (len < 0x80) throw new DerError('non-minimal length');
    }
    if (p + len > d.length) throw new DerError('truncated contents');
    this.pos = p + len;
    return { tag, bytes: d.subarray(start, p + len), value: d.subarray(p, p + len) };
  }

  /** Reads a TLV that must carry `tag`. */
  expect(tag: number, what: string): Tlv {
    const t = this.peekTag();
    if (t !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got ${t === undefined ? 'end of data' : `0x${t.toString(16)}`}`);
    return this.read();
  }

  /** Reads the next TLV only if it carries `tag`. */
  optional(tag: number): Tlv | undefined {
    return this.peekTag() === tag ? this.read() : undefined;
  }

  /** Fails if anything is left. */
  end(what: string): void {
    if (!this.done) throw new DerError(`${what}: trailing data`);
  }
}

/** Parses `data` as exactly one TLV with the given tag. */
export function readSingle(data: Uint8Array, tag: number, what: string): Tlv {
  const r = new DerReader(data);
  const t = r.expect(tag, what);
  r.end(what);
  return t;
}

/** Iterates the elements of a constructed value. */
export function children(t: Tlv): Tlv[] {
  const r = new DerReader(t.value);
  const out: Tlv[] = [];
  while (!r.done) out.push(r.read());
  return out;
}

// ---- value decoders ----

/** X.690 §8.19: OBJECT IDENTIFIER contents to dotted form. */
export function decodeOid(value: Uint8Array): string {
  if (value.length === 0) throw new DerError('empty OID');
  const arcs: bigint[] = [];
  let acc = 0n;
  let started = false;
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    if (!started && b === 0x80) throw new DerError('non-minimal OID arc');
    started = true;
    acc = (acc << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0n;
      started = false;
    }
  }
  if (started) throw new DerError('truncated OID');
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].map(String).join('.');
}

export function readOid(r: DerReader, what: string): string {
  return decodeOid(r.expect(Tag.OID, what).value);
}

/** DER INTEGER contents to bigint (two's complement, X.690 §8.3), minimal encoding required. */
export function decodeInteger(value: Uint8Array): bigint {
  if (value.length === 0) throw new DerError('empty INTEGER');
  if (value.length > 1) {
    const a = value[0]!;
    const b = value[1]!;
    if ((a === 0x00 && (b & 0x80) === 0) || (a === 0xff && (b & 0x80) !== 0)) throw new DerError('non-minimal INTEGER');
  }
  let v = 0n;
  for (const byte of value) v = (v << 8n) | BigInt(byte);
  if ((value[0]! & 0x80) !== 0) v -= 1n << BigInt(8 * value.length);
  return v;
}

/** A non-negative INTEGER (RSA parameters, versions). */
export function readUnsigned(r: DerReader, what: string): bigint {
  const v = decodeInteger(r.expect(Tag.INTEGER, what).value);
  if (v < 0n) throw new DerError(`${what}: negative INTEGER`);
  return v;
}

/** Small non-negative INTEGER as a number. */
export function readSmallInt(r: DerReader, what: string): number {
  const v = readUnsigned(r, what);
  if (v > 0xffffffffn) throw new DerError(`${what}: INTEGER too large`);
  return Number(v);
}

/** `data` is exactly one small non-negative INTEGER (e.g. inside an EXPLICIT tag). */
export function singleSmallInt(data: Uint8Array, what: string): number {
  const r = new DerReader(data);
  const n = readSmallInt(r, what);
  r.end(what);
  return n;
}

export function decodeBoolean(value: Uint8Array): boolean {
  // X.690 §11.1: DER encodes TRUE as 0xFF.
  if (value.length !== 1 || (value[0] !== 0 && value[0] !== 0xff)) throw new DerError('invalid BOOLEAN');
  return value[0] === 0xff;
}

/** BIT STRING contents: returns the bit bytes and the unused-bit count (X.690 §8.6). */
export function decodeBitString(value: Uint8Array): { bytes: Uint8Array; unusedBits: number } {
  const unused = value[0];
  if (unused === undefined || unused > 7) throw new DerError('invalid BIT STRING');
  const bytes = value.subarray(1);
  if (bytes.length === 0 && unused !== 0) throw new DerError('invalid BIT STRING');
  // X.690 §11.2.1: unused bits are zero in DER.
  if (unused !== 0 && (bytes[bytes.length - 1]! & ((1 << unused) - 1)) !== 0) throw new DerError('BIT STRING padding bits set');
  return { bytes, unusedBits: unused };
}

/** A BIT STRING holding whole octets (keys, signatures). */
export function readOctetAlignedBits(r: DerReader, what: string): Uint8Array {
  const { bytes, unusedBits } = decodeBitString(r.expect(Tag.BIT_STRING, what).value);
  if (unusedBits !== 0) throw new DerError(`${what}: not octet-aligned`);
  return bytes;
}

/** UTCTime / GeneralizedTime in the RFC 5280 §4.1.2.5 profile: seconds, 'Z', no fractions. */
export function decodeTime(t: Tlv): Date {
  const s = latin1(t.value);
  let m: RegExpExecArray | null;
  let year: number;
  if (t.tag === Tag.UTCTime) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new DerError(`invalid UTCTime "${s}"`);
    const yy = Number(m[1]);
    // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, else 20YY.
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (t.tag === Tag.GeneralizedTime) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new DerError(`invalid GeneralizedTime "${s}"`);
    year = Number(m[1]);
  } else {
    throw new DerError('expected a Time');
  }
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const ms = Date.UTC(year, mo - 1, d, h, mi, se);
  const date = new Date(ms);
  // Reject out-of-range fields that Date.UTC would silently roll over.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) {
    throw new DerError(`invalid time "${s}"`);
  }
  return date;
}

export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** IA5String contents (7-bit ASCII). */
export function decodeIa5(value: Uint8Array): string {
  for (const b of value) if (b > 0x7f) throw new DerError('non-ASCII IA5String');
  return latin1(value);
}

/** Directory string types seen in Names (RFC 5280 §4.1.2.4); best effort for display. */
export function decodeDirectoryString(t: Tlv): string {
  switch (t.tag) {
    case Tag.UTF8String:
      return new TextDecoder('utf-8', { fatal: true }).decode(t.value);
    case Tag.PrintableString:
    case Tag.IA5String:
    case Tag.TeletexString:
      return latin1(t.value);
    case Tag.BMPString: {
      if (t.value.length % 2 !== 0) throw new DerError('invalid BMPString');
      let s = '';
      for (let i = 0; i < t.value.length; i += 2) s += String.fromCharCode((t.value[i]! << 8) | t.value[i + 1]!);
      return s;
    }
    case Tag.UniversalString: {
      if (t.value.length % 4 !== 0) throw new DerError('invalid UniversalString');
      let s = '';
      for (let i = 0; i < t.value.length; i += 4) {
        const cp = ((t.value[i]! << 24) | (t.value[i + 1]! << 16) | (t.value[i + 2]! << 8) | t.value[i + 3]!) >>> 0;
        if (cp > 0x10ffff) throw new DerError('invalid UniversalString');
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default: {
      // Unknown attribute syntax: show it as #hex (RFC 4514 §2.4).
      let h = '#';
      for (const b of t.bytes) h += b.toString(16).padStart(2, '0');
      return h;
    }
  }
}

/** Unsigned big-endian bytes to bigint. */
export function bytesToBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/** bigint to unsigned big-endian bytes, left-padded to `len` when given. */
export function bigintToBytes(v: bigint, len?: number): Uint8Array {
  if (v < 0n) throw new RangeError('negative value');
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const n = hex.length / 2;
  const size = len ?? n;
  if (n > size) throw new RangeError('value too large');
  const out = new Uint8Array(size);
  for (let i = 0; i < n; i++) out[size - n + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// ---- writer ----

function encodeLength(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Encodes one TLV. */
export function encodeTlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const c of contents) len += c.length;
  const l = encodeLength(len);
  const out = new Uint8Array(1 + l.length + len);
  out[0] = tag;
  out.set(l, 1);
  let off = 1 + l.length;
  for (const c of contents) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

export const encodeSequence = (...items: Uint8Array[]): Uint8Array => encodeTlv(Tag.SEQUENCE, ...items);
export const encodeOctetString = (b: Uint8Array): Uint8Array => encodeTlv(Tag.OCTET_STRING, b);
export const encodeBitString = (b: Uint8Array): Uint8Array => encodeTlv(Tag.BIT_STRING, Uint8Array.of(0), b);
export const encodeNull = (): Uint8Array => Uint8Array.of(Tag.NULL, 0);

/** A non-negative INTEGER. */
export function encodeUnsigned(v: bigint): Uint8Array {
  let b = bigintToBytes(v);
  if (b.length === 0) b = Uint8Array.of(0);
  if ((b[0]! & 0x80) !== 0) b = Uint8Array.of(0, ...b);
  return encodeTlv(Tag.INTEGER, b);
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new RangeError(`invalid OID ${oid}`);
  const out: number[] = [];
  const push = (v: bigint): void => {
    const tmp: number[] = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) tmp.unshift(Number(x & 0x7fn) | 0x80);
    out.push(...tmp);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return encodeTlv(Tag.OID, Uint8Array.from(out));
}
