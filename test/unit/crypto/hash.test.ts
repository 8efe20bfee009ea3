import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SHA256, SHA384, SHA512, hashByName } from '../../../src/crypto/noble/hash.js';
import { fromHex, toHex, utf8 } from '../../../src/util/bytes.js';

const NODE_NAME = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const;
const ALL = [SHA256, SHA384, SHA512];

describe('HKDF (RFC 5869 Appendix A, SHA-256)', () => {
  const cases = [
    {
      name: 'A.1',
      ikm: '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b',
      salt: '000102030405060708090a0b0c',
      info: 'f0f1f2f3f4f5f6f7f8f9',
      L: 42,
      prk: '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
      okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    },
    {
      name: 'A.2',
      ikm:
        '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f' +
        '303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f',
      salt:
        '606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f' +
        '909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf',
      info:
        'b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf' +
        'e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff',
      L: 82,
      prk: '06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244',
      okm:
        'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09' +
        'da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87',
    },
    {
      name: 'A.3',
      ikm: '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b',
      salt: '',
      info: '',
      L: 42,
      prk: '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04',
      okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    },
  ];
  for (const c of cases) {
    it(`test case ${c.name}`, () => {
      const prk = SHA256.hkdfExtract(fromHex(c.salt), fromHex(c.ikm));
      expect(toHex(prk)).toBe(c.prk);
      expect(toHex(SHA256.hkdfExpand(prk, fromHex(c.info), c.L))).toBe(c.okm);
    });
  }

  it('matches node hkdfSync for SHA-384 and SHA-512', () => {
    for (const h of [SHA384, SHA512]) {
      const ikm = randomBytes(48);
      const salt = randomBytes(h.outputLen);
      const info = randomBytes(20);
      const okm = h.hkdfExpand(h.hkdfExtract(salt, ikm), info, 100);
      const expected = new Uint8Array(hkdfSync(NODE_NAME[h.name], ikm, salt, info, 100));
      expect(toHex(okm)).toBe(toHex(expected));
    }
  });

  it('zero-length expand output and the 255 * HashLen limit', () => {
    const prk = SHA256.hkdfExtract(new Uint8Array(0), new Uint8Array(32));
    expect(SHA256.hkdfExpand(prk, new Uint8Array(0), 0)).toHaveLength(0);
    expect(SHA256.hkdfExpand(prk, new Uint8Array(0), 255 * 32)).toHaveLength(255 * 32);
    expect(() => SHA256.hkdfExpand(prk, new Uint8Array(0), 255 * 32 + 1)).toThrow();
  });
});

describe('hashes and HMAC', () => {
  it('names, output lengths, hashByName', () => {
    expect(ALL.map((h) => [h.name, h.outputLen])).toEqual([
      ['SHA-256', 32],
      ['SHA-384', 48],
      ['SHA-512', 64],
    ]);
    for (const h of ALL) expect(hashByName(h.name)).toBe(h);
  });

  it('known answers for "abc" (FIPS 180-4 examples)', () => {
    expect(toHex(SHA256.digest(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(SHA384.digest(utf8('abc')))).toBe(
      'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
    );
    expect(toHex(SHA512.digest(utf8('abc')))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd' +
        '454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  it('digest, hmac agree with node:crypto on random inputs', () => {
    for (const h of ALL) {
      for (const len of [0, 1, 55, 56, 64, 111, 112, 128, 1000]) {
        const data = randomBytes(len);
        const key = randomBytes(len % 200);
        expect(toHex(h.digest(data))).toBe(createHash(NODE_NAME[h.name]).update(data).digest('hex'));
        expect(toHex(h.hmac(key, data))).toBe(createHmac(NODE_NAME[h.name], key).update(data).digest('hex'));
      }
    }
  });

  it('incremental hashing with clone() keeps going after an intermediate digest', () => {
    for (const h of ALL) {
      const a = randomBytes(100);
      const b = randomBytes(77);
      const running = h.create().update(a);
      const mid = running.clone().digest();
      expect(toHex(mid)).toBe(toHex(h.digest(a)));
      expect(running.update(b)).toBe(running);
      const fork = running.clone();
      fork.update(a);
      expect(toHex(running.digest())).toBe(toHex(h.digest(new Uint8Array([...a, ...b]))));
      expect(toHex(fork.digest())).toBe(toHex(h.digest(new Uint8Array([...a, ...b, ...a]))));
    }
  });
});
