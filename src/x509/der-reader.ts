// A minimal strict-DER TLV reader (X.690 §8.1, §10.1) for the hot spots where building an
// asn1js tree costs too much before authentication: framing a presented certificate to read
// its issuer and subject names, and long GeneralNames lists (SANs, name constraints).
// Everything else is parsed with pkijs/asn1js (./certificate.ts, ./asn1.ts).

import { DerError } from './asn1.js';

/** One DER element: the identifier octet and the byte ranges of the whole and of its contents. */
export interface Tlv {
  /** The identifier octet: class (bits 8–7), constructed (bit 6), tag number (bits 5–1, < 31). */
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

export const TagClass = { universal: 0x00, context: 0x80 } as const;
export const CONSTRUCTED = 0x20;

/** The element at `offset`, which must end by `limit`. Definite, minimal lengths only; low tag numbers only. */
export function readTlv(buf: Uint8Array, offset: number, limit: number, what: string): Tlv {
  if (offset + 2 > limit) throw new DerError(`${what}: truncated`);
  const tag = buf[offset]!;
  // X.690 §8.1.2.4: tag numbers ≥ 31 (not used by the structures read here).
  if ((tag & 0x1f) === 0x1f) throw new DerError(`${what}: high tag number`);
  let length = buf[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    // X.690 §10.1: definite form, in the fewest octets; more than 2^32 bytes cannot occur here.
    if (n === 0) throw new DerError(`${what}: indefinite length`);
    if (n > 4) throw new DerError(`${what}: length too large`);
    if (contentStart + n > limit) throw new DerError(`${what}: truncated`);
    if (buf[contentStart] === 0) throw new DerError(`${what}: non-minimal length`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[contentStart + i]!;
    if (length < 0x80) throw new DerError(`${what}: non-minimal length`);
    contentStart += n;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError(`${what}: truncated`);
  return { tag, start: offset, contentStart, end };
}

/** The elements inside a constructed `parent`, in order; they must fill it exactly. */
export function readChildren(buf: Uint8Array, parent: Tlv, what: string): Tlv[] {
  if ((parent.tag & CONSTRUCTED) === 0) throw new DerError(`${what}: not constructed`);
  const out: Tlv[] = [];
  for (let off = parent.contentStart; off < parent.end; ) {
    const t = readTlv(buf, off, parent.end, what);
    out.push(t);
    off = t.end;
  }
  return out;
}

/** The one element that is all of `buf`. */
export function readWhole(buf: Uint8Array, what: string): Tlv {
  const t = readTlv(buf, 0, buf.length, what);
  if (t.end !== buf.length) throw new DerError(`${what}: trailing data`);
  return t;
}

const SEQUENCE = 0x30;

/**
 * The issuer and subject Name encodings of a DER certificate (RFC 5280 §4.1), found by
 * framing alone: Certificate → tbsCertificate → [version], serialNumber, signature, issuer,
 * validity, subject. Microseconds, where a full parse costs about a millisecond; the bytes are
 * those a full parse reports as DistinguishedName.der. Throws DerError.
 */
export function certificateNames(der: Uint8Array): { issuer: Uint8Array; subject: Uint8Array } {
  const cert = readWhole(der, 'Certificate');
  if (cert.tag !== SEQUENCE) throw new DerError('Certificate: not a SEQUENCE');
  const tbs = readTlv(der, cert.contentStart, cert.end, 'tbsCertificate');
  if (tbs.tag !== SEQUENCE) throw new DerError('tbsCertificate: not a SEQUENCE');
  let off = tbs.contentStart;
  const next = (): Tlv => {
    const t = readTlv(der, off, tbs.end, 'tbsCertificate');
    off = t.end;
    return t;
  };
  let field = next();
  if (field.tag === (TagClass.context | CONSTRUCTED | 0)) field = next(); // version [0] EXPLICIT
  if (field.tag !== 0x02) throw new DerError('tbsCertificate: serialNumber is not an INTEGER');
  if (next().tag !== SEQUENCE) throw new DerError('tbsCertificate: signature is not a SEQUENCE');
  const issuer = next();
  if (issuer.tag !== SEQUENCE) throw new DerError('tbsCertificate: issuer is not a SEQUENCE');
  if (next().tag !== SEQUENCE) throw new DerError('tbsCertificate: validity is not a SEQUENCE');
  const subject = next();
  if (subject.tag !== SEQUENCE) throw new DerError('tbsCertificate: subject is not a SEQUENCE');
  return { issuer: der.subarray(issuer.start, issuer.end), subject: der.subarray(subject.start, subject.end) };
}

/**
 * How many DER elements `der` holds (constructed ones are opened, primitive ones are not, so an
 * extension's OCTET STRING counts once), up to `limit` + 1: a cheap measure of what a full
 * parse will cost. Throws DerError on bad framing.
 */
export function countElements(der: Uint8Array, limit: number): number {
  let count = 0;
  const stack: Tlv[] = [readWhole(der, 'DER')];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (++count > limit) return count;
    if ((t.tag & CONSTRUCTED) === 0) continue;
    for (let off = t.contentStart; off < t.end; ) {
      const child = readTlv(der, off, t.end, 'DER');
      stack.push(child);
      off = child.end;
    }
  }
  return count;
}
