import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305 } from '../../../src/crypto/noble/aead.js';
import type { AeadAlgorithm } from '../../../src/crypto/provider.js';
import { toHex } from '../../../src/util/bytes.js';

const NODE: [AeadAlgorithm, 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'][] = [
  [AES_128_GCM, 'aes-128-gcm'],
  [AES_256_GCM, 'aes-256-gcm'],
  [CHACHA20_POLY1305, 'chacha20-poly1305'],
];

function nodeSeal(alg: string, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array {
  const c = createCipheriv(alg as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
  c.setAAD(aad);
  return new Uint8Array(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
}

function nodeOpen(alg: string, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array): Uint8Array {
  const d = createDecipheriv(alg as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
  d.setAAD(aad);
  d.setAuthTag(ct.subarray(ct.length - 16));
  return new Uint8Array(Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]));
}

describe('AEAD parameters', () => {
  it('lengths and record limits (RFC 8446 §5.5)', () => {
    expect([AES_128_GCM.keyLen, AES_256_GCM.keyLen, CHACHA20_POLY1305.keyLen]).toEqual([16, 32, 32]);
    for (const [a] of NODE) {
      expect(a.nonceLen).toBe(12);
      expect(a.tagLen).toBe(16);
    }
    expect(AES_128_GCM.recordLimit).toBe(Math.floor(2 ** 24.5));
    expect(AES_256_GCM.recordLimit).toBe(23726566);
    expect(CHACHA20_POLY1305.recordLimit).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('create() refuses a key of the wrong length', () => {
    for (const [a] of NODE) {
      expect(() => a.create(new Uint8Array(a.keyLen + 1))).toThrow(RangeError);
      expect(() => a.create(new Uint8Array(0))).toThrow(RangeError);
    }
  });
});

for (const [alg, nodeName] of NODE) {
  describe(alg.name, () => {
    const key = randomBytes(alg.keyLen);
    const k = alg.create(key);

    it('round trips, including empty plaintext and empty AAD', () => {
      for (const len of [0, 1, 15, 16, 17, 255, 16384 + 256]) {
        const nonce = randomBytes(12);
        const aad = randomBytes(len % 14);
        const pt = randomBytes(len);
        const ct = k.seal(nonce, aad, pt);
        expect(ct).toHaveLength(len + 16);
        expect(toHex(k.open(nonce, aad, ct)!)).toBe(toHex(pt));
      }
    });

    it('the key object is reusable and independent of the caller’s key buffer', () => {
      const kb = new Uint8Array(randomBytes(alg.keyLen));
      const k2 = alg.create(kb);
      const nonce = randomBytes(12);
      const first = k2.seal(nonce, new Uint8Array(0), new Uint8Array([1, 2, 3]));
      kb.fill(0);
      expect(toHex(k2.seal(nonce, new Uint8Array(0), new Uint8Array([1, 2, 3])))).toBe(toHex(first));
    });

    it('one flipped bit anywhere (ciphertext, tag, AAD, nonce) → null', () => {
      const nonce = new Uint8Array(randomBytes(12));
      const aad = new Uint8Array(randomBytes(13));
      const pt = randomBytes(40);
      const ct = k.seal(nonce, aad, pt);
      for (let bit = 0; bit < ct.length * 8; bit += 7) {
        const bad = ct.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        expect(k.open(nonce, aad, bad)).toBeNull();
      }
      const badAad = aad.slice();
      badAad[0]! ^= 0x80;
      expect(k.open(nonce, badAad, ct)).toBeNull();
      const badNonce = nonce.slice();
      badNonce[11]! ^= 1;
      expect(k.open(badNonce, aad, ct)).toBeNull();
      const otherKey = alg.create(randomBytes(alg.keyLen));
      expect(otherKey.open(nonce, aad, ct)).toBeNull();
    });

    it('open never throws: short input, wrong nonce length → null', () => {
      const nonce = randomBytes(12);
      for (const len of [0, 1, 15]) expect(k.open(nonce, new Uint8Array(0), new Uint8Array(len))).toBeNull();
      expect(k.open(new Uint8Array(0), new Uint8Array(0), new Uint8Array(32))).toBeNull();
      expect(k.open(new Uint8Array(8), new Uint8Array(0), new Uint8Array(32))).toBeNull();
      expect(k.open(nonce, new Uint8Array(0), new Uint8Array(16))).toBeNull(); // a tag over nothing, forged
    });

    it(`matches node:crypto ${nodeName} in both directions on random inputs`, () => {
      for (let i = 0; i < 40; i++) {
        const nk = randomBytes(alg.keyLen);
        const ours = alg.create(nk);
        const nonce = randomBytes(12);
        const aad = randomBytes(randomInt(0, 30));
        const pt = randomBytes(randomInt(0, 600));
        const sealed = ours.seal(nonce, aad, pt);
        expect(toHex(sealed)).toBe(toHex(nodeSeal(nodeName, nk, nonce, aad, pt)));
        expect(toHex(nodeOpen(nodeName, nk, nonce, aad, sealed))).toBe(toHex(pt));
        expect(toHex(ours.open(nonce, aad, nodeSeal(nodeName, nk, nonce, aad, pt))!)).toBe(toHex(pt));
      }
    });

    it('accepts unaligned views (subarrays at odd offsets)', () => {
      const buf = new Uint8Array(randomBytes(200));
      const nonce = buf.subarray(1, 13);
      const aad = buf.subarray(13, 18);
      const pt = buf.subarray(19, 120);
      const ct = k.seal(nonce, aad, pt);
      const shifted = new Uint8Array(ct.length + 3);
      shifted.set(ct, 3);
      expect(toHex(k.open(nonce, aad, shifted.subarray(3))!)).toBe(toHex(pt));
    });
  });
}
