// Big-integer helpers for RSA (RFC 8017 §4: I2OSP / OS2IP) and modular arithmetic over bigint.

/** OS2IP (RFC 8017 §4.2): big-endian bytes to a non-negative integer. */
export function os2ip(bytes: Uint8Array): bigint {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += bytes[i]!.toString(16).padStart(2, '0');
  return hex.length === 0 ? 0n : BigInt('0x' + hex);
}

/** I2OSP (RFC 8017 §4.1): integer to exactly `len` big-endian bytes; null when x >= 256^len. */
export function i2osp(x: bigint, len: number): Uint8Array | null {
  if (x < 0n) return null;
  const hex = x.toString(16);
  const digits = hex.length + (hex.length & 1);
  if (digits / 2 > len) return null;
  const padded = hex.padStart(len * 2, '0');
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = parseInt(padded.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The minimal big-endian encoding of a non-negative integer (at least one byte). */
export function bigintToBytes(x: bigint): Uint8Array {
  const hex = x.toString(16);
  return i2osp(x, Math.max(1, (hex.length + 1) >> 1))!;
}

export function bitLength(x: bigint): number {
  return x <= 0n ? 0 : x.toString(2).length;
}

export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/**
 * base^exp mod m, left to right with a fixed 4-bit window: four squarings then one
 * table multiplication per exponent nibble, zero nibbles included (a regular sequence).
 */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m <= 0n) throw new RangeError('modPow: modulus must be positive');
  if (exp < 0n) throw new RangeError('modPow: negative exponent');
  if (m === 1n) return 0n;
  const b = mod(base, m);
  const table: bigint[] = [1n, b];
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * b) % m);
  const nibbles = exp.toString(16);
  let acc = 1n;
  for (let i = 0; i < nibbles.length; i++) {
    if (i > 0) {
      acc = (acc * acc) % m;
      acc = (acc * acc) % m;
      acc = (acc * acc) % m;
      acc = (acc * acc) % m;
    }
    acc = (acc * table[parseInt(nibbles[i]!, 16)]!) % m;
  }
  return acc;
}

export function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** a^-1 mod m (extended Euclid); null when gcd(a, m) != 1. */
export function modInverse(a: bigint, m: bigint): bigint | null {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return null;
  return mod(oldS, m);
}
