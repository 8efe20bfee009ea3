import { constants, generateKeyPairSync, randomBytes, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { defaultRandom } from '../../../src/crypto/noble/random.js';
import { publicKeyOfMaterial, signingKeyFromMaterial } from '../../../src/crypto/noble/signing.js';
import { nobleVerifier } from '../../../src/crypto/noble/verify.js';
import type { PublicKey } from '../../../src/crypto/provider.js';
import { TlsError, TlsUsageError } from '../../../src/errors.js';
import { concatBytes, toHex, utf8 } from '../../../src/util/bytes.js';
import { SignatureScheme as S } from '../../../src/wire/codepoints.js';
import { fromB64u, generateEc, generateRsa, nodeEcPublic, seededRandom, type Curve } from '../../helpers/node-crypto.js';

const V = nobleVerifier;
const EC: [Curve, number, string][] = [
  ['P-256', S.ecdsa_secp256r1_sha256, 'sha256'],
  ['P-384', S.ecdsa_secp384r1_sha384, 'sha384'],
  ['P-521', S.ecdsa_secp521r1_sha512, 'sha512'],
];

describe('ECDSA', () => {
  for (const [curve, scheme, hash] of EC) {
    it(`${curve}: our signer ↔ node:crypto, both directions`, async () => {
      const k = generateEc(curve);
      const sk = signingKeyFromMaterial({ kind: 'ec', curve, d: k.d, publicPoint: k.point });
      expect(sk.schemes).toEqual([scheme]);
      const pub: PublicKey = { kind: 'ec', curve, point: k.point };
      expect(publicKeyOfMaterial({ kind: 'ec', curve, d: k.d })).toEqual(pub);
      for (let i = 0; i < 3; i++) {
        const msg = randomBytes(90);
        const ours = await sk.signer(scheme).sign(msg);
        expect(ours[0]).toBe(0x30); // DER SEQUENCE
        expect(nodeVerify(hash, msg, k.publicKey, ours)).toBe(true);
        expect(V.verify(scheme, pub, msg, ours)).toBe(true);
        const theirs = new Uint8Array(nodeSign(hash, msg, k.privateKey));
        expect(V.verify(scheme, pub, msg, theirs)).toBe(true);
        expect(V.verify(scheme, pub, concatBytes(msg, new Uint8Array(1)), theirs)).toBe(false);
        const bad = theirs.slice();
        bad[bad.length - 1]! ^= 1;
        expect(V.verify(scheme, pub, msg, bad)).toBe(false);
      }
      // A key on this curve parsed from node agrees with publicKeyOfMaterial.
      expect(toHex(nodeEcPublic(curve, k.point).export({ format: 'der', type: 'spki' }))).toBe(
        toHex(k.publicKey.export({ format: 'der', type: 'spki' })),
      );
    });
  }

  it('the scheme hash is used over any curve: P-256 key with SHA-384 and SHA-1', () => {
    const k = generateEc('P-256');
    const pub: PublicKey = { kind: 'ec', curve: 'P-256', point: k.point };
    const msg = utf8('certificate tbs');
    const sig384 = new Uint8Array(nodeSign('sha384', msg, k.privateKey));
    expect(V.verify(S.ecdsa_secp384r1_sha384, pub, msg, sig384)).toBe(true);
    expect(V.verify(S.ecdsa_secp256r1_sha256, pub, msg, sig384)).toBe(false);
    const sig1 = new Uint8Array(nodeSign('sha1', msg, k.privateKey));
    expect(V.verify(S.ecdsa_sha1, pub, msg, sig1)).toBe(true);
    // P-384 key with SHA-256 (digest shorter than the order) and P-521 with SHA-512 (shorter too).
    const k384 = generateEc('P-384');
    const sig = new Uint8Array(nodeSign('sha256', msg, k384.privateKey));
    expect(V.verify(S.ecdsa_secp256r1_sha256, { kind: 'ec', curve: 'P-384', point: k384.point }, msg, sig)).toBe(true);
  });

  it('accepts high-S signatures (valid ECDSA; other stacks emit them)', () => {
    const k = generateEc('P-256');
    const pub: PublicKey = { kind: 'ec', curve: 'P-256', point: k.point };
    const msg = utf8('high s');
    const sig = p256.Signature.fromBytes(new Uint8Array(nodeSign('sha256', msg, k.privateKey)), 'der');
    const n = p256.Point.Fn.ORDER;
    const flipped = new p256.Signature(sig.r, n - sig.s).toBytes('der');
    expect(V.verify(S.ecdsa_secp256r1_sha256, pub, msg, flipped)).toBe(true);
  });

  it('refuses compact (non-DER) signatures', () => {
    const k = generateEc('P-256');
    const msg = utf8('compact');
    const der = new Uint8Array(nodeSign('sha256', msg, k.privateKey));
    const compact = p256.Signature.fromBytes(der, 'der').toBytes('compact');
    expect(V.verify(S.ecdsa_secp256r1_sha256, { kind: 'ec', curve: 'P-256', point: k.point }, msg, compact)).toBe(false);
  });

  it('hedged signatures: same injected entropy → same signature, different → different', async () => {
    const k = generateEc('P-256');
    const m = { kind: 'ec' as const, curve: 'P-256' as const, d: k.d };
    const msg = utf8('hedge');
    const a = await signingKeyFromMaterial(m, { random: seededRandom(5) }).signer(S.ecdsa_secp256r1_sha256).sign(msg);
    const b = await signingKeyFromMaterial(m, { random: seededRandom(5) }).signer(S.ecdsa_secp256r1_sha256).sign(msg);
    const c = await signingKeyFromMaterial(m, { random: seededRandom(6) }).signer(S.ecdsa_secp256r1_sha256).sign(msg);
    expect(toHex(a)).toBe(toHex(b));
    expect(toHex(a)).not.toBe(toHex(c));
  });

  it('refuses invalid EC material', () => {
    const k = generateEc('P-256');
    const other = generateEc('P-256');
    expect(() => signingKeyFromMaterial({ kind: 'ec', curve: 'P-256', d: k.d, publicPoint: other.point })).toThrow(TlsUsageError);
    expect(() => signingKeyFromMaterial({ kind: 'ec', curve: 'P-256', d: k.d, publicPoint: new Uint8Array(3) })).toThrow(TlsUsageError);
    expect(() => signingKeyFromMaterial({ kind: 'ec', curve: 'P-256', d: new Uint8Array(32) })).toThrow(TlsUsageError);
    const nBytes = p256.Point.Fn.toBytes(p256.Point.Fn.ORDER - 1n);
    expect(signingKeyFromMaterial({ kind: 'ec', curve: 'P-256', d: nBytes }).schemes).toEqual([S.ecdsa_secp256r1_sha256]);
    const orderBytes = p256.Point.Fn.toBytes(0n).map(() => 0xff); // 2^256 - 1 > n
    expect(() => signingKeyFromMaterial({ kind: 'ec', curve: 'P-256', d: orderBytes })).toThrow(TlsUsageError);
    const nItself = new Uint8Array(32);
    const hex = p256.Point.Fn.ORDER.toString(16);
    for (let i = 0; i < 32; i++) nItself[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    expect(() => signingKeyFromMaterial({ kind: 'ec', curve: 'P-256', d: nItself })).toThrow(TlsUsageError);
    // A scalar with a leading zero byte (33 bytes) is accepted and padded.
    const padded = concatBytes(new Uint8Array(1), k.d);
    expect(publicKeyOfMaterial({ kind: 'ec', curve: 'P-256', d: padded })).toEqual({ kind: 'ec', curve: 'P-256', point: k.point });
    expect(() => signingKeyFromMaterial({ kind: 'ec', curve: 'P-256', d: k.d }).signer(S.ecdsa_secp384r1_sha384)).toThrow(TlsError);
  });
});

describe('EdDSA', () => {
  it('Ed25519: our signer ↔ node:crypto, both directions', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    const seed = fromB64u(jwk.d!);
    const pub: PublicKey = { kind: 'ed25519', key: fromB64u(jwk.x!) };
    expect(publicKeyOfMaterial({ kind: 'ed25519', seed })).toEqual(pub);
    const sk = signingKeyFromMaterial({ kind: 'ed25519', seed });
    expect(sk.schemes).toEqual([S.ed25519]);
    const msg = randomBytes(200);
    const ours = await sk.signer(S.ed25519).sign(msg);
    expect(toHex(ours)).toBe(toHex(new Uint8Array(nodeSign(null, msg, privateKey)))); // deterministic (RFC 8032)
    expect(nodeVerify(null, msg, publicKey, ours)).toBe(true);
    expect(V.verify(S.ed25519, pub, msg, ours)).toBe(true);
    expect(V.verify(S.ed25519, pub, msg.subarray(1), ours)).toBe(false);
    expect(() => signingKeyFromMaterial({ kind: 'ed25519', seed: new Uint8Array(31) })).toThrow(TlsUsageError);
  });

  it('Ed448: node:crypto signatures verify', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed448');
    const pub: PublicKey = { kind: 'ed448', key: fromB64u(publicKey.export({ format: 'jwk' }).x!) };
    const msg = randomBytes(77);
    const sig = new Uint8Array(nodeSign(null, msg, privateKey));
    expect(V.verify(S.ed448, pub, msg, sig)).toBe(true);
    const bad = sig.slice();
    bad[3]! ^= 4;
    expect(V.verify(S.ed448, pub, msg, bad)).toBe(false);
  });
});

describe('verifier: scheme/key binding and garbage', () => {
  const ec = generateEc('P-256');
  const ecPub: PublicKey = { kind: 'ec', curve: 'P-256', point: ec.point };
  const ed = generateKeyPairSync('ed25519');
  const edPub: PublicKey = { kind: 'ed25519', key: fromB64u(ed.publicKey.export({ format: 'jwk' }).x!) };
  const rsa = generateRsa(2048);
  const rsaPub: PublicKey = { kind: 'rsa', n: rsa.material.n, e: rsa.material.e, bits: 2048 };
  const msg = utf8('binding');

  it('lists every scheme', () => {
    expect([...V.schemes].sort((a, b) => a - b)).toEqual(Object.values(S).sort((a, b) => a - b));
  });

  it('a scheme with the wrong key kind is false', () => {
    const ecSig = new Uint8Array(nodeSign('sha256', msg, ec.privateKey));
    const edSig = new Uint8Array(nodeSign(null, msg, ed.privateKey));
    const pssSig = new Uint8Array(
      nodeSign('sha256', msg, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
    );
    const pkcsSig = new Uint8Array(nodeSign('sha256', msg, rsa.privateKey));
    // Sanity: each verifies under its own scheme and key.
    expect(V.verify(S.ecdsa_secp256r1_sha256, ecPub, msg, ecSig)).toBe(true);
    expect(V.verify(S.ed25519, edPub, msg, edSig)).toBe(true);
    expect(V.verify(S.rsa_pss_rsae_sha256, rsaPub, msg, pssSig)).toBe(true);
    expect(V.verify(S.rsa_pkcs1_sha256, rsaPub, msg, pkcsSig)).toBe(true);
    // RFC 8446 §4.2.3: rsa_pss_pss_* only with an id-RSASSA-PSS key (PublicKey.pss), rsa_pss_rsae_*
    // and PKCS#1 only with an rsaEncryption key.
    const pssPub = { ...rsaPub, pss: true } as typeof rsaPub;
    expect(V.verify(S.rsa_pss_pss_sha256, pssPub, msg, pssSig)).toBe(true);
    expect(V.verify(S.rsa_pss_pss_sha256, rsaPub, msg, pssSig)).toBe(false);
    expect(V.verify(S.rsa_pss_rsae_sha256, pssPub, msg, pssSig)).toBe(false);
    expect(V.verify(S.rsa_pkcs1_sha256, pssPub, msg, pkcsSig)).toBe(false);
    // Crossed.
    expect(V.verify(S.ecdsa_secp256r1_sha256, edPub, msg, ecSig)).toBe(false);
    expect(V.verify(S.ecdsa_secp256r1_sha256, rsaPub, msg, ecSig)).toBe(false);
    expect(V.verify(S.ed25519, ecPub, msg, edSig)).toBe(false);
    expect(V.verify(S.ed448, edPub, msg, edSig)).toBe(false);
    expect(V.verify(S.rsa_pss_rsae_sha256, ecPub, msg, pssSig)).toBe(false);
    expect(V.verify(S.rsa_pkcs1_sha256, rsaPub, msg, pssSig)).toBe(false);
    expect(V.verify(S.rsa_pss_rsae_sha256, rsaPub, msg, pkcsSig)).toBe(false);
    expect(V.verify(0x9999, ecPub, msg, ecSig)).toBe(false);
    expect(V.verify(S.rsa_pkcs1_sha1, rsaPub, msg, new Uint8Array(nodeSign('sha1', msg, rsa.privateKey)))).toBe(true);
  });

  it('garbage never throws', () => {
    const rnd = seededRandom(11);
    const bytes = (n: number): Uint8Array => {
      const b = new Uint8Array(n);
      rnd(b);
      return b;
    };
    const keys: PublicKey[] = [
      ecPub,
      edPub,
      rsaPub,
      { kind: 'ec', curve: 'P-256', point: new Uint8Array(0) },
      { kind: 'ec', curve: 'P-384', point: bytes(97) },
      { kind: 'ec', curve: 'P-999' as 'P-256', point: ec.point },
      { kind: 'ed25519', key: bytes(5) },
      { kind: 'ed448', key: bytes(57) },
      { kind: 'rsa', n: 0n, e: 0n, bits: 0 },
      { kind: 'rsa', n: -5n, e: 65537n, bits: 3 },
      { kind: 'rsa', n: rsa.material.n, e: rsa.material.n + 2n, bits: 2048 },
      { kind: 'bogus' } as unknown as PublicKey,
      null as unknown as PublicKey,
    ];
    const sigs = [new Uint8Array(0), bytes(1), bytes(64), bytes(72), bytes(114), bytes(256), new Uint8Array(256).fill(0xff)];
    for (const scheme of [...V.schemes, 0, 0xffff]) {
      for (const key of keys) {
        for (const sig of sigs) {
          expect(() => V.verify(scheme, key, msg, sig)).not.toThrow();
          expect(V.verify(scheme, key, msg, sig)).toBe(false);
        }
        expect(V.verify(scheme, key, null as unknown as Uint8Array, sigs[2]!)).toBe(false);
        expect(V.verify(scheme, key, msg, undefined as unknown as Uint8Array)).toBe(false);
      }
    }
  });
});

describe('signingKeyFromMaterial (RSA)', () => {
  it('RSA material gives the PSS key; publicKeyOfMaterial', async () => {
    const { material, publicKey } = generateRsa(2048);
    const sk = signingKeyFromMaterial(material, { useWebCrypto: false, random: defaultRandom });
    expect(sk.schemes).toEqual([S.rsa_pss_rsae_sha256, S.rsa_pss_rsae_sha384, S.rsa_pss_rsae_sha512]);
    const msg = utf8('rsa');
    const sig = sk.signer(S.rsa_pss_rsae_sha384).sign(msg);
    expect(sig).toBeInstanceOf(Uint8Array);
    expect(nodeVerify('sha384', msg, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, sig as Uint8Array)).toBe(true);
    const pub = publicKeyOfMaterial(material);
    expect(pub).toEqual({ kind: 'rsa', n: material.n, e: material.e, bits: 2048 });
    expect(V.verify(S.rsa_pss_rsae_sha384, pub, msg, await sig)).toBe(true);
    expect(signingKeyFromMaterial(material).signer(S.rsa_pss_rsae_sha256).sign(msg)).toBeInstanceOf(Promise);
  });
});
