// The default randomness source: WebCrypto's getRandomValues (feature-detected).
import { tlsError } from '../../errors.js';
import type { RandomSource } from '../provider.js';

/** getRandomValues fills at most 65536 bytes per call (WebCrypto §10.1.1). */
const MAX_CHUNK = 65536;

export const defaultRandom: RandomSource = (out: Uint8Array): void => {
  const c = globalThis.crypto;
  if (c === undefined || typeof c.getRandomValues !== 'function') {
    throw tlsError('internal_error', 'no secure random source: globalThis.crypto.getRandomValues is unavailable');
  }
  for (let off = 0; off < out.length; off += MAX_CHUNK) {
    // A SharedArrayBuffer-backed view is refused by getRandomValues itself.
    c.getRandomValues(out.subarray(off, Math.min(out.length, off + MAX_CHUNK)) as Uint8Array<ArrayBuffer>);
  }
};

export { randomBytes } from '../random.js';
