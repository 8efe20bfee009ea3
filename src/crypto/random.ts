// Drawing bytes from a RandomSource (the provider's `random`; RFC 8446 §4.1.2 randoms, §4.6.1 tickets).
import type { RandomSource } from './provider.js';

/** n fresh random bytes from `random`. */
export function randomBytes(random: RandomSource, n: number): Uint8Array {
  const out = new Uint8Array(n);
  random(out);
  return out;
}
