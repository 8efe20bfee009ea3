import { constants, generateKeyPairSync, privateEncrypt, randomBytes, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHA1_DIGEST, SHA256, SHA384, SHA512, type DigestAlgorithm } from '../../../src/crypto/noble/hash.js';
import { defaultRandom } from '../../../src/crypto/noble/random.js';
import { nobleVerifier } from '../../../src/crypto/noble/verify.js';
import type { HashAlgorithm } from '../../../src/crypto/provider.js';
import {
  createRsaSigningKey,
  modInverse,
  modPow,
  rsaPkcs1v15Verify,
  rsaPrivateKeyProblem,
  rsaPssSign,
  rsaPssVerify,
} from '../../../src/crypto/rsa/index.js';
import { emsaPkcs1v15Encode, emsaPssEncode } from '../../../src/crypto/rsa/verify.js';
import { i2osp, os2ip } from '../../../src/crypto/rsa/math.js';
import { TlsError, TlsUsageError } from '../../../src/errors.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../../src/util/bytes.js';
import { SignatureScheme } from '../../../src/wire/codepoints.js';
import { loadPrivateKeys, loadTrace } from '../../../vectors/rfc8448/index.js';
import { bigFromHex, generateRsa, nodeRsaKeys, rsaMaterialFromNode, seededRandom, type RsaMaterial } from '../../helpers/node-crypto.js';

const HASHES: [HashAlgorithm, string][] = [
  [SHA256, 'sha256'],
  [SHA384, 'sha384'],
  [SHA512, 'sha512'],
];

function rfcKey(): RsaMaterial {
  const k = loadPrivateKeys().rsa;
  return {
    kind: 'rsa',
    n: bigFromHex(k.n),
    e: bigFromHex(k.e),
    d: bigFromHex(k.d),
    p: bigFromHex(k.p),
    q: bigFromHex(k.q),
    dp: bigFromHex(k.dp),
    dq: bigFromHex(k.dq),
    qi: bigFromHex(k.qi),
  };
}

function generateRsaE3(): { material: RsaMaterial; privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'] } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, publicExponent: 3 });
  return { material: rsaMaterialFromNode(privateKey), privateKey };
}

const flip = (b: Uint8Array, i: number): Uint8Array => {
  const c = b.slice();
  c[i]! ^= 1;
  return c;
};

describe('bigint arithmetic', () => {
  it('modPow matches naive exponentiation; modInverse inverts', () => {
    const rnd = seededRandom(7);
    const buf = new Uint8Array(40);
    for (let i = 0; i < 200; i++) {
      rnd(buf);
      const m = (os2ip(buf.subarray(0, 12)) | 1n) + 2n;
      const b = os2ip(buf.subarray(12, 30));
      const e = os2ip(buf.subarray(30, 31));
      let naive = 1n;
      for (let j = 0n; j < e; j++) naive = (naive * b) % m;
      expect(modPow(b, e, m)).toBe(naive);
      const inv = modInverse(b, m);
      if (inv !== null) expect((inv * b) % m).toBe(1n);
    }
    expect(modPow(5n, 0n, 7n)).toBe(1n);
    expect(modPow(5n, 3n, 1n)).toBe(0n);
    expect(modPow(-2n, 3n, 7n)).toBe(6n); // (-8) mod 7
    expect(modInverse(6n, 9n)).toBeNull();
  });

  it('I2OSP / OS2IP', () => {
    expect(toHex(i2osp(0x0102n, 4)!)).toBe('00000102');
    expect(i2osp(0x010203n, 2)).toBeNull();
    expect(os2ip(fromHex('000102'))).toBe(0x102n);
    expect(os2ip(new Uint8Array(0))).toBe(0n);
  });
});

describe('RFC 8448 §2 server RSA key (1024 bits)', () => {
  const key = rfcKey();
  const { publicKey } = nodeRsaKeys(key);

  it('is consistent', () => {
    expect(rsaPrivateKeyProblem(key)).toBeNull();
    expect(key.n.toString(2)).toHaveLength(1024);
  });

  it('our PSS signatures verify with node:crypto and with ours, for every hash', () => {
    for (const [h, nodeName] of HASHES) {
      const msg = randomBytes(100);
      if (h === SHA512) {
        // RFC 8017 §9.1.1: emLen (128) < hLen + sLen + 2 (130).
        expect(() => rsaPssSign(key, h, msg, defaultRandom)).toThrow(RangeError);
        expect(rsaPssSign(key, h, msg, defaultRandom, 62)).toHaveLength(128);
        continue;
      }
      const sig = rsaPssSign(key, h, msg, defaultRandom);
      expect(sig).toHaveLength(128);
      expect(
        nodeVerify(nodeName, msg, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: h.outputLen }, sig),
      ).toBe(true);
      expect(rsaPssVerify(key, h, h.outputLen, msg, sig)).toBe(true);
      expect(rsaPssVerify(key, h, h.outputLen, flip(msg, 0), sig)).toBe(false);
    }
  });

  it('an injected salt makes signing deterministic (blinding does not change the result)', () => {
    const msg = utf8('deterministic');
    const salt = fromHex('00'.repeat(31) + '01');
    const a = rsaPssSign(key, SHA256, msg, defaultRandom, 32, { salt });
    const b = rsaPssSign(key, SHA256, msg, seededRandom(3), 32, { salt });
    expect(toHex(a)).toBe(toHex(b));
    // Unblinded textbook RSA of the same encoding gives the same signature.
    const em = emsaPssEncode(SHA256, msg, salt, 1023)!;
    expect(toHex(i2osp(modPow(os2ip(em), key.d, key.n), 128)!)).toBe(toHex(a));
    expect(() => rsaPssSign(key, SHA256, msg, defaultRandom, 32, { salt: new Uint8Array(5) })).toThrow(RangeError);
  });

  it('the CertificateVerify of RFC 8448 §3 verifies with rsa_pss_rsae_sha256', () => {
    const trace = loadTrace('simple-1rtt');
    const transcript = SHA256.digest(
      concatBytes(
        trace.value('ClientHello'),
        trace.value('ServerHello'),
        trace.value('EncryptedExtensions'),
        trace.value('Certificate'),
      ),
    );
    const cv = trace.value('CertificateVerify');
    expect(toHex(cv.subarray(0, 8))).toBe('0f00008408040080'); // type, length, rsa_pss_rsae_sha256, sig length
    const signature = cv.subarray(8);
    const content = (ctx: string): Uint8Array =>
      concatBytes(new Uint8Array(64).fill(0x20), utf8(ctx), new Uint8Array([0]), transcript);
    const pub = { kind: 'rsa' as const, n: key.n, e: key.e, bits: 1024 };
    const serverContent = content('TLS 1.3, server CertificateVerify');
    expect(nobleVerifier.verify(SignatureScheme.rsa_pss_rsae_sha256, pub, serverContent, signature)).toBe(true);
    expect(rsaPssVerify(key, SHA256, 32, serverContent, signature)).toBe(true);
    expect(nobleVerifier.verify(SignatureScheme.rsa_pss_rsae_sha256, pub, content('TLS 1.3, client CertificateVerify'), signature)).toBe(false);
    expect(nobleVerifier.verify(SignatureScheme.rsa_pss_rsae_sha384, pub, serverContent, signature)).toBe(false);
    expect(nobleVerifier.verify(SignatureScheme.rsa_pkcs1_sha256, pub, serverContent, signature)).toBe(false);
  });
});

describe('verifying node:crypto signatures (2048-bit keys)', () => {
  let k: ReturnType<typeof generateRsa>;
  let other: ReturnType<typeof generateRsa>;
  beforeAll(() => {
    k = generateRsa(2048);
    other = generateRsa(2048);
  });

  it('RSA-PSS with salt = hash length, SHA-256/384/512', () => {
    for (const [h, nodeName] of HASHES) {
      const msg = randomBytes(333);
      const sig = new Uint8Array(
        nodeSign(nodeName, msg, { key: k.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: h.outputLen }),
      );
      expect(rsaPssVerify(k.material, h, h.outputLen, msg, sig)).toBe(true);
      // Wrong: message, signature bit, length, key, hash, salt length.
      expect(rsaPssVerify(k.material, h, h.outputLen, flip(msg, 5), sig)).toBe(false);
      expect(rsaPssVerify(k.material, h, h.outputLen, msg, flip(sig, 100))).toBe(false);
      expect(rsaPssVerify(k.material, h, h.outputLen, msg, sig.subarray(1))).toBe(false);
      expect(rsaPssVerify(k.material, h, h.outputLen, msg, concatBytes(new Uint8Array(1), sig))).toBe(false);
      expect(rsaPssVerify(other.material, h, h.outputLen, msg, sig)).toBe(false);
      expect(rsaPssVerify(k.material, h === SHA256 ? SHA384 : SHA256, h.outputLen, msg, sig)).toBe(false);
      expect(rsaPssVerify(k.material, h, h.outputLen + 1, msg, sig)).toBe(false);
      expect(rsaPssVerify(k.material, h, 0, msg, sig)).toBe(false);
      expect(rsaPssVerify(k.material, h, -1, msg, sig)).toBe(false);
    }
  });

  it('RSA-PSS with salt length 0 verifies only with saltLength 0', () => {
    const msg = randomBytes(10);
    const sig = new Uint8Array(nodeSign('sha256', msg, { key: k.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 0 }));
    expect(rsaPssVerify(k.material, SHA256, 0, msg, sig)).toBe(true);
    expect(rsaPssVerify(k.material, SHA256, 32, msg, sig)).toBe(false);
  });

  it('PKCS#1 v1.5, SHA-1/256/384/512', () => {
    const all: [DigestAlgorithm, string][] = [[SHA1_DIGEST, 'sha1'], ...HASHES];
    for (const [h, nodeName] of all) {
      const msg = randomBytes(50);
      const sig = new Uint8Array(nodeSign(nodeName, msg, k.privateKey));
      expect(rsaPkcs1v15Verify(k.material, h, msg, sig)).toBe(true);
      expect(rsaPkcs1v15Verify(k.material, h, flip(msg, 0), sig)).toBe(false);
      expect(rsaPkcs1v15Verify(k.material, h, msg, flip(sig, 255))).toBe(false);
      expect(rsaPkcs1v15Verify(k.material, h, msg, sig.subarray(0, 255))).toBe(false);
      expect(rsaPkcs1v15Verify(other.material, h, msg, sig)).toBe(false);
      expect(rsaPss(k.material, msg, sig)).toBe(false);
    }
    const sig = new Uint8Array(nodeSign('sha256', utf8('x'), k.privateKey));
    expect(rsaPkcs1v15Verify(k.material, SHA384, utf8('x'), sig)).toBe(false);
    expect(rsaPkcs1v15Verify(k.material, SHA1_DIGEST, utf8('x'), sig)).toBe(false);
  });

  it('PKCS#1 v1.5 compares the whole encoding (raw RSA on crafted encodings)', () => {
    const msg = utf8('message');
    const digest = SHA256.digest(msg);
    const raw = (em: Uint8Array): Uint8Array =>
      new Uint8Array(privateEncrypt({ key: k.privateKey, padding: constants.RSA_NO_PADDING }, em));
    const prefixNull = fromHex('3031300d060960864801650304020105000420');
    const good = emsaPkcs1v15Encode(prefixNull, digest, 256)!;
    expect(rsaPkcs1v15Verify(k.material, SHA256, msg, raw(good))).toBe(true);
    // Absent parameters are an accepted exact encoding (RFC 8017 §B.1).
    const absent = emsaPkcs1v15Encode(fromHex('302f300b06096086480165030402010420'), digest, 256)!;
    expect(rsaPkcs1v15Verify(k.material, SHA256, msg, raw(absent))).toBe(true);
    // Block type 2.
    const bt2 = good.slice();
    bt2[1] = 2;
    expect(rsaPkcs1v15Verify(k.material, SHA256, msg, raw(bt2))).toBe(false);
    // A non-0xff padding byte.
    const ps = good.slice();
    ps[10] = 0xfe;
    expect(rsaPkcs1v15Verify(k.material, SHA256, msg, raw(ps))).toBe(false);
    // Shorter padding with trailing garbage after the digest (the classic lenient-parser forgery shape).
    const garbage = new Uint8Array(256);
    garbage[1] = 1;
    const t = concatBytes(prefixNull, digest);
    garbage.fill(0xff, 2, 2 + 8);
    garbage.set(t, 11);
    garbage.fill(0x42, 11 + t.length);
    expect(rsaPkcs1v15Verify(k.material, SHA256, msg, raw(garbage))).toBe(false);
    // The same DigestInfo with a BER (non-DER) long-form length.
    const ber = emsaPkcs1v15Encode(fromHex('308131300d060960864801650304020105000420'), digest, 256)!;
    expect(rsaPkcs1v15Verify(k.material, SHA256, msg, raw(ber))).toBe(false);
    // Another hash's OID with this digest.
    const wrongOid = emsaPkcs1v15Encode(fromHex('3031300d060960864801650304020205000420'), digest, 256)!;
    expect(rsaPkcs1v15Verify(k.material, SHA256, msg, raw(wrongOid))).toBe(false);
  });

  it('PSS encodings with a bad trailer or top bits are refused', () => {
    const msg = utf8('pss');
    const raw = (em: Uint8Array): Uint8Array =>
      new Uint8Array(privateEncrypt({ key: k.privateKey, padding: constants.RSA_NO_PADDING }, em));
    const em = emsaPssEncode(SHA256, msg, randomBytes(32), 2047)!;
    expect(em).toHaveLength(256);
    expect(rsaPssVerify(k.material, SHA256, 32, msg, raw(em))).toBe(true);
    const trailer = em.slice();
    trailer[255] = 0xbd;
    expect(rsaPssVerify(k.material, SHA256, 32, msg, raw(trailer))).toBe(false);
    // emBits = 2047: the top bit must be clear. Find a salt whose EM with that bit set is still < n.
    let top = em;
    for (let i = 0; i < 100; i++) {
      top = emsaPssEncode(SHA256, msg, randomBytes(32), 2047)!;
      top[0]! |= 0x80;
      if (os2ip(top) < k.material.n) break;
    }
    expect(os2ip(top) < k.material.n).toBe(true);
    expect(rsaPssVerify(k.material, SHA256, 32, msg, raw(top))).toBe(false);
  });

  it('our 2048-bit PSS signatures verify with node:crypto', () => {
    const msg = randomBytes(64);
    const sig = rsaPssSign(k.material, SHA384, msg, defaultRandom);
    expect(sig).toHaveLength(256);
    expect(nodeVerify('sha384', msg, { key: k.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, sig)).toBe(true);
  });
});

function rsaPss(key: RsaMaterial, msg: Uint8Array, sig: Uint8Array): boolean {
  return rsaPssVerify(key, SHA256, 32, msg, sig);
}

describe('key checks', () => {
  it('refuses moduli under 1024 bits even for valid signatures', () => {
    const small = generateRsa(768);
    const msg = utf8('small');
    const sig = new Uint8Array(nodeSign('sha256', msg, small.privateKey));
    expect(rsaPkcs1v15Verify(small.material, SHA256, msg, sig)).toBe(false);
    expect(() => createRsaSigningKey(small.material, { useWebCrypto: false })).toThrow(TlsUsageError);
  });

  it('refuses even exponents and exponents below 3, and s >= n', () => {
    const { material } = generateRsa(1024);
    const msg = utf8('e');
    const sig = rsaPssSign(material, SHA256, msg, defaultRandom);
    expect(rsaPssVerify(material, SHA256, 32, msg, sig)).toBe(true);
    expect(rsaPssVerify({ n: material.n, e: 65536n }, SHA256, 32, msg, sig)).toBe(false);
    expect(rsaPssVerify({ n: material.n, e: 1n }, SHA256, 32, msg, sig)).toBe(false);
    expect(rsaPssVerify({ n: material.n, e: -65537n }, SHA256, 32, msg, sig)).toBe(false);
    expect(rsaPssVerify({ n: material.n, e: 0n }, SHA256, 32, msg, sig)).toBe(false);
    const nBytes = i2osp(material.n, 128)!;
    expect(rsaPssVerify(material, SHA256, 32, msg, nBytes)).toBe(false);
    expect(rsaPssVerify({ n: 0n, e: 65537n }, SHA256, 32, msg, sig)).toBe(false);
    expect(rsaPssVerify({ n: -material.n, e: 65537n }, SHA256, 32, msg, sig)).toBe(false);
  });

  it('accepts e = 3', () => {
    const { material, privateKey } = generateRsaE3();
    const msg = utf8('e3');
    const sig = new Uint8Array(nodeSign('sha256', msg, privateKey));
    expect(material.e).toBe(3n);
    expect(rsaPkcs1v15Verify(material, SHA256, msg, sig)).toBe(true);
  });

  it('refuses inconsistent private material', () => {
    const key = rfcKey();
    expect(() => createRsaSigningKey({ ...key, n: key.n + 2n }, { useWebCrypto: false })).toThrow(TlsUsageError);
    expect(() => createRsaSigningKey({ ...key, dp: key.dp + 1n }, { useWebCrypto: false })).toThrow(TlsUsageError);
    expect(() => createRsaSigningKey({ ...key, qi: key.qi + 1n }, { useWebCrypto: false })).toThrow(TlsUsageError);
    expect(() => rsaPssSign({ ...key, d: key.d + 2n, dp: (key.d + 2n) % (key.p - 1n), dq: (key.d + 2n) % (key.q - 1n) }, SHA256, utf8('x'), defaultRandom)).toThrow(TlsUsageError);
  });
});


describe('RSA SigningKey', () => {
  const key = rfcKey();
  const { publicKey } = nodeRsaKeys(key);
  const PSS = [SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pss_rsae_sha384, SignatureScheme.rsa_pss_rsae_sha512];

  it('offers the rsa_pss_rsae schemes the modulus fits; other schemes are refused', () => {
    const sk = createRsaSigningKey(key, { useWebCrypto: false });
    // 1024 bits: no room for SHA-512 with a 64-byte salt.
    expect(sk.schemes).toEqual(PSS.slice(0, 2));
    expect(() => sk.signer(SignatureScheme.rsa_pss_rsae_sha512)).toThrow(TlsError);
    expect(createRsaSigningKey(generateRsa(2048).material, { useWebCrypto: false }).schemes).toEqual(PSS);
    expect(() => sk.signer(SignatureScheme.rsa_pkcs1_sha256)).toThrow(TlsError);
    expect(() => sk.signer(SignatureScheme.ecdsa_secp256r1_sha256)).toThrow(TlsError);
  });

  it('the bigint path signs synchronously', () => {
    const sk = createRsaSigningKey(key, { useWebCrypto: false, random: seededRandom(9) });
    for (const [i, scheme] of PSS.slice(0, 2).entries()) {
      const [h, nodeName] = HASHES[i]!;
      const msg = randomBytes(70);
      const sig = sk.signer(scheme).sign(msg);
      expect(sig).toBeInstanceOf(Uint8Array);
      expect(nodeVerify(nodeName, msg, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: h.outputLen }, sig as Uint8Array)).toBe(true);
    }
  });

  it('the WebCrypto path returns a Promise whose signature verifies (and is the default here)', async () => {
    for (const sk of [createRsaSigningKey(key, { useWebCrypto: true }), createRsaSigningKey(key)]) {
      for (const [i, scheme] of PSS.slice(0, 2).entries()) {
        const [h, nodeName] = HASHES[i]!;
        const msg = randomBytes(70);
        const pending = sk.signer(scheme).sign(msg);
        expect(pending).toBeInstanceOf(Promise);
        const sig = await pending;
        expect(sig).toHaveLength(128);
        expect(rsaPssVerify(key, h, h.outputLen, msg, sig)).toBe(true);
        expect(nodeVerify(nodeName, msg, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: h.outputLen }, sig)).toBe(true);
      }
    }
  });

  it('a 2048-bit key signs all three schemes, on both paths', async () => {
    const { material, publicKey: pub } = generateRsa(2048);
    for (const useWebCrypto of [true, false]) {
      const sk = createRsaSigningKey(material, { useWebCrypto });
      for (const [i, scheme] of PSS.entries()) {
        const [h, nodeName] = HASHES[i]!;
        const msg = randomBytes(20);
        const sig = await sk.signer(scheme).sign(msg);
        expect(sig).toHaveLength(256);
        expect(rsaPssVerify(material, h, h.outputLen, msg, sig)).toBe(true);
        expect(nodeVerify(nodeName, msg, { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: h.outputLen }, sig)).toBe(true);
      }
    }
  });
});
