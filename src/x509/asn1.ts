// Strict DER (X.690 §10, §11) over asn1js, and small typed helpers around asn1js/pkijs values.
// asn1js is a BER reader: it accepts indefinite lengths, long-form short lengths, constructed
// strings and non-minimal INTEGERs, and writes them back as read. decodeDer() rejects those
// node by node, then requires the re-encoding to equal the input byte for byte.
// pkijs's schemas skip elements they do not expect, so callers also check element counts.

import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { bytesEqual } from '../util/bytes.js';

export { DerError } from '../errors.js';
import { DerError } from '../errors.js';

/** Universal tag numbers (X.680 §8.6) checked or used here. */
const Universal = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  NULL: 5,
  OID: 6,
  ENUMERATED: 10,
  SEQUENCE: 16,
  SET: 17,
} as const;

const UNIVERSAL = 1;
const CONTEXT = 3;

/** Decodes `bytes` as exactly one DER value. */
export function decodeDer(bytes: Uint8Array, what: string): asn1js.BaseBlock {
  if (bytes.length === 0) throw new DerError(`${what}: empty`);
  const { offset, result } = asn1js.fromBER(bytes, { parseEmbedded: false });
  if (offset === -1) throw new DerError(`${what}: ${result.error || 'malformed'}`);
  if (offset !== bytes.length) throw new DerError(`${what}: trailing data`);
  checkDerNode(result, what);
  if (!bytesEqual(encodeDer(result), bytes)) throw new DerError(`${what}: not DER`);
  return result;
}

/** The contents octets of a definite-length node. */
function contents(b: asn1js.BaseBlock): Uint8Array {
  const v = b.valueBeforeDecodeView;
  return v.subarray(v.length - b.lenBlock.length);
}

function checkDerNode(b: asn1js.BaseBlock, what: string): void {
  const { idBlock: id, lenBlock: len } = b;
  // X.690 §10.1: definite length, in the fewest octets.
  if (len.isIndefiniteForm) throw new DerError(`${what}: indefinite length`);
  if (len.longFormUsed && len.length < 0x80) throw new DerError(`${what}: non-minimal length`);
  const universal = id.tagClass === UNIVERSAL;
  const structured = universal && (id.tagNumber === Universal.SEQUENCE || id.tagNumber === Universal.SET);
  if (id.isConstructed) {
    // X.690 §10.2: strings use the primitive form; only SEQUENCE, SET and tagged values nest.
    if (!(b instanceof asn1js.Constructed) || (universal && !structured)) throw new DerError(`${what}: constructed encoding of a primitive type`);
    for (const child of b.valueBlock.value) checkDerNode(child, what);
    return;
  }
  if (structured) throw new DerError(`${what}: primitive SEQUENCE or SET`);
  if (!universal) return; // IMPLICIT tags: the reader of that field checks its contents
  const v = contents(b);
  switch (id.tagNumber) {
    case Universal.BOOLEAN:
      // X.690 §11.1: TRUE is 0xFF.
      if (v.length !== 1 || (v[0] !== 0x00 && v[0] !== 0xff)) throw new DerError(`${what}: invalid BOOLEAN`);
      break;
    case Universal.INTEGER:
    case Universal.ENUMERATED: {
      // X.690 §8.3.2: no redundant leading 0x00 / 0xFF octet.
      const [a, c] = [v[0], v[1]];
      if (a === undefined) throw new DerError(`${what}: empty INTEGER`);
      if (c !== undefined && ((a === 0x00 && (c & 0x80) === 0) || (a === 0xff && (c & 0x80) !== 0))) throw new DerError(`${what}: non-minimal INTEGER`);
      break;
    }
    case Universal.BIT_STRING: {
      // X.690 §8.6.2 and §11.2.1: unused bits 0..7, zero in DER, none in an empty string.
      const unused = v[0];
      if (unused === undefined || unused > 7 || (v.length === 1 && unused !== 0)) throw new DerError(`${what}: invalid BIT STRING`);
      if (unused !== 0 && (v[v.length - 1]! & ((1 << unused) - 1)) !== 0) throw new DerError(`${what}: BIT STRING padding bits set`);
      break;
    }
    case Universal.NULL:
      if (v.length !== 0) throw new DerError(`${what}: invalid NULL`);
      break;
    case Universal.OID: {
      // X.690 §8.19.2: each subidentifier in the fewest octets.
      if (v.length === 0 || (v[v.length - 1]! & 0x80) !== 0) throw new DerError(`${what}: invalid OBJECT IDENTIFIER`);
      for (let i = 0; i < v.length; i++) {
        if (v[i] === 0x80 && (i === 0 || (v[i - 1]! & 0x80) === 0)) throw new DerError(`${what}: non-minimal OBJECT IDENTIFIER`);
      }
      break;
    }
  }
}

// ---------------------------------------------------------------- reading

/** The elements of a SEQUENCE, SET or EXPLICIT tag. */
export function children(b: asn1js.BaseBlock, what: string): asn1js.BaseBlock[] {
  if (!(b instanceof asn1js.Constructed)) throw new DerError(`${what}: not a constructed value`);
  return b.valueBlock.value;
}

/** list[i], which must be there. */
export function at(list: readonly asn1js.BaseBlock[], i: number, what: string): asn1js.BaseBlock {
  const b = list[i];
  if (!b) throw new DerError(`${what}: missing elements`);
  return b;
}

/** The elements of `b`, which must number between `min` and `max`. */
export function elements(b: asn1js.BaseBlock, min: number, max: number, what: string): asn1js.BaseBlock[] {
  const list = children(b, what);
  if (list.length < min) throw new DerError(`${what}: missing elements`);
  if (list.length > max) throw new DerError(`${what}: unexpected elements`);
  return list;
}

/** Whether `b` carries the context-specific tag [n]. */
export function isTagged(b: asn1js.BaseBlock | undefined, n: number): boolean {
  return b !== undefined && b.idBlock.tagClass === CONTEXT && b.idBlock.tagNumber === n;
}

/**
 * `list[from…]` are optional fields tagged [n] for n in `allowed`, each at most once and in
 * ascending tag order (as X.680 requires of a SEQUENCE). Returns them by tag number.
 */
export function taggedTail(list: readonly asn1js.BaseBlock[], from: number, allowed: readonly number[], what: string): Map<number, asn1js.BaseBlock> {
  const out = new Map<number, asn1js.BaseBlock>();
  let last = -1;
  for (const b of list.slice(from)) {
    const n = b.idBlock.tagNumber;
    if (b.idBlock.tagClass !== CONTEXT || !allowed.includes(n) || n <= last) throw new DerError(`${what}: unexpected element`);
    out.set(n, b);
    last = n;
  }
  return out;
}

/** The one value inside an EXPLICIT tag. */
export function explicit(b: asn1js.BaseBlock, what: string): asn1js.BaseBlock {
  return at(elements(b, 1, 1, what), 0, what);
}

/** An AlgorithmIdentifier node: an OID and at most one parameters value (RFC 5280 §4.1.1.2). */
export function checkAlgorithmIdentifier(b: asn1js.BaseBlock, what: string): void {
  const [oid] = elements(b, 1, 2, what);
  if (!(oid instanceof asn1js.ObjectIdentifier)) throw new DerError(`${what}: algorithm is not an OID`);
}

/** pkijs types AlgorithmIdentifier.algorithmParams as `any`: narrow it to an asn1js value. */
export function algorithmParams(alg: pkijs.AlgorithmIdentifier): asn1js.BaseBlock | undefined {
  const p: unknown = alg.algorithmParams;
  if (p === undefined) return undefined;
  if (p instanceof asn1js.BaseBlock) return p;
  throw new DerError(`${alg.algorithmId}: unexpected parameters`);
}

/** Parameters that RFC 4055 §2.1 / RFC 3279 allow as absent or NULL. */
export function absentOrNull(alg: pkijs.AlgorithmIdentifier): boolean {
  const p = algorithmParams(alg);
  return p === undefined || p instanceof asn1js.Null;
}

/** Two's-complement INTEGER value that must not be negative. */
export function nonNegative(b: asn1js.BaseBlock, what: string): bigint {
  if (!(b instanceof asn1js.Integer)) throw new DerError(`${what}: not an INTEGER`);
  const v = b.toBigInt();
  if (v < 0n) throw new DerError(`${what}: negative INTEGER`);
  return v;
}

/** A small non-negative INTEGER (versions, lengths) as a number. */
export function smallInt(b: asn1js.BaseBlock, what: string): number {
  const v = nonNegative(b, what);
  if (v > 0xffffffffn) throw new DerError(`${what}: INTEGER too large`);
  return Number(v);
}

/**
 * The magnitude of an INTEGER pkijs has passed through convertFromDER() (RSA key fields: the
 * sign octet is stripped). The caller checks the sign on the node as received.
 */
export function magnitude(i: asn1js.Integer): bigint {
  let v = 0n;
  for (const byte of i.valueBlock.valueHexView) v = (v << 8n) | BigInt(byte);
  return v;
}

/** A BIT STRING of whole octets (keys, signatures). */
export function octetAligned(b: asn1js.BaseBlock, what: string): Uint8Array {
  if (!(b instanceof asn1js.BitString) || b.idBlock.tagClass !== UNIVERSAL) throw new DerError(`${what}: not a BIT STRING`);
  if (b.valueBlock.unusedBits !== 0) throw new DerError(`${what}: not octet-aligned`);
  return b.valueBlock.valueHexView;
}

/** An OCTET STRING's contents. */
export function octetString(b: asn1js.BaseBlock, what: string): Uint8Array {
  if (!(b instanceof asn1js.OctetString) || b.idBlock.tagClass !== UNIVERSAL) throw new DerError(`${what}: not an OCTET STRING`);
  return b.valueBlock.valueHexView;
}

export { latin1 } from '../util/bytes.js';

// ---------------------------------------------------------------- writing

/** DER of an asn1js value (asn1js writes definite, minimal lengths). */
export function encodeDer(b: { toBER(sizeOnly?: boolean): ArrayBuffer }): Uint8Array {
  return new Uint8Array(b.toBER(false));
}

/** DER of a pkijs object. */
export function pkiDer(o: { toSchema(): { toBER(sizeOnly?: boolean): ArrayBuffer } }): Uint8Array {
  return encodeDer(o.toSchema());
}

/** A non-negative INTEGER, minimally encoded. */
export function integer(v: bigint): asn1js.Integer {
  if (v < 0n) throw new RangeError('negative INTEGER');
  return asn1js.Integer.fromBigInt(v);
}
