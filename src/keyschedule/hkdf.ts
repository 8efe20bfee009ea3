// HKDF-Expand-Label and Derive-Secret (RFC 8446 §7.1).

import type { HashAlgorithm } from '../crypto/provider.js';
import { tlsError } from '../errors.js';
import { utf8 } from '../util/bytes.js';

/** RFC 8446 §7.1: every HkdfLabel.label starts with this prefix. */
const LABEL_PREFIX = 'tls13 ';

/**
 * "tls13 " + label as UTF-8, cached: a handshake expands a dozen fixed labels. Bounded, since
 * exporter labels come from the application. The arrays are never handed out.
 */
const labelCache = new Map<string, Uint8Array>();
function encodedLabel(label: string): Uint8Array {
  let b = labelCache.get(label);
  if (b === undefined) {
    b = utf8(LABEL_PREFIX + label);
    if (labelCache.size < 64) labelCache.set(label, b);
  }
  return b;
}

/**
 * Builds the HkdfLabel structure (RFC 8446 §7.1):
 *   struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel;
 */
export function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const fullLabel = encodedLabel(label);
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw tlsError('internal_error', `HkdfLabel: bad length ${length}`);
  // RFC 8446 §7.1: label<7..255>, context<0..255>.
  if (fullLabel.length > 255) throw tlsError('internal_error', `HkdfLabel: label too long (${fullLabel.length})`);
  if (context.length > 255) throw tlsError('internal_error', `HkdfLabel: context too long (${context.length})`);
  const out = new Uint8Array(2 + 1 + fullLabel.length + 1 + context.length);
  out[0] = length >>> 8;
  out[1] = length & 0xff;
  out[2] = fullLabel.length;
  out.set(fullLabel, 3);
  out[3 + fullLabel.length] = context.length;
  out.set(context, 4 + fullLabel.length);
  return out;
}

/** RFC 8446 §7.1: HKDF-Expand(Secret, HkdfLabel, Length), label prefixed with "tls13 ". */
export function hkdfExpandLabel(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  // RFC 5869 §2.3: L <= 255*HashLen.
  if (length > 255 * hash.outputLen) throw tlsError('internal_error', `HKDF-Expand-Label: length ${length} too large`);
  return hash.hkdfExpand(secret, hkdfLabel(label, context, length), length);
}

/**
 * RFC 8446 §7.1: Derive-Secret(Secret, Label, Messages) =
 *   HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length).
 * Takes the transcript hash: callers hash the messages.
 */
export function deriveSecret(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  if (transcriptHash.length !== hash.outputLen) {
    throw tlsError('internal_error', `Derive-Secret: transcript hash is ${transcriptHash.length} bytes, want ${hash.outputLen}`);
  }
  return hkdfExpandLabel(hash, secret, label, transcriptHash, hash.outputLen);
}

/** RFC 8446 §7.1: Transcript-Hash("") for the "derived" and binder secrets; the hash of no messages. */
export function emptyHash(hash: HashAlgorithm): Uint8Array {
  let h = emptyHashes.get(hash);
  if (h === undefined) emptyHashes.set(hash, (h = hash.digest(new Uint8Array(0))));
  return h.slice(); // callers own what they get
}

const emptyHashes = new WeakMap<HashAlgorithm, Uint8Array>();
