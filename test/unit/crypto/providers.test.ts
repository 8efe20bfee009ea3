// One conformance suite for every CryptoProvider (noble, node, webcrypto): the same vectors,
// the same bad inputs, and each provider's output checked by every other provider.
import { constants, createHmac, generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { nodeProvider, createNodeProvider } from '../../../src/crypto/node/index.js';
import { webCryptoProvider } from '../../../src/crypto/webcrypto/index.js';
import type { CryptoProvider, PrivateKeyMaterial, PublicKey } from '../../../src/crypto/provider.js';
import { AlertDescription, TlsError } from '../../../src/errors.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../../src/util/bytes.js';
import { CipherSuite, NamedGroup, SignatureScheme as S } from '../../../src/wire/codepoints.js';
import { loadTrace } from '../../../vectors/rfc8448/index.js';
import { fromB64u, generateEc, generateRsa, scriptedRandom, seededRandom } from '../../helpers/node-crypto.js';

const PROVIDERS: CryptoProvider[] = [nobleProvider, nodeProvider, webCryptoProvider];

/** A key exchange may throw at once (noble, node) or reject later (webcrypto). */
async function expectIllegalParameter(f: () => unknown): Promise<void> {
  let caught: unknown;
  try {
    await f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(TlsError);
  expect((caught as TlsError).alert).toBe(AlertDescription.illegal_parameter);
}

const suiteIds = (p: CryptoProvider): number[] => p.cipherSuites.map((s) => s.id);
const group = (p: CryptoProvider, id: number) => p.groups.find((g) => g.id === id)!;

describe('provider data', () => {
  it('every provider has the three suites and five groups; noble prefers ChaCha20, node AES-GCM', () => {
    for (const p of PROVIDERS) {
      expect([...suiteIds(p)].sort()).toEqual([0x1301, 0x1302, 0x1303]);
      expect(p.groups.map((g) => g.id)).toEqual([NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1, NamedGroup.x448]);
      for (const s of p.cipherSuites) expect(s.hash.name).toBe(s.id === CipherSuite.TLS_AES_256_GCM_SHA384 ? 'SHA-384' : 'SHA-256');
      expect([...p.verifier.schemes].sort()).toEqual([...nobleProvider.verifier.schemes].sort());
      expect(typeof p.signingKey).toBe('function');
    }
    expect(suiteIds(nobleProvider)[0]).toBe(CipherSuite.TLS_CHACHA20_POLY1305_SHA256);
    expect(suiteIds(nodeProvider)).toEqual([0x1301, 0x1302, 0x1303]);
    expect(nodeProvider.name).toBe('node');
    expect(webCryptoProvider.name).toBe('webcrypto');
  });

  it('an injected random source is the provider random', () => {
    const calls: number[] = [];
    const p = createNodeProvider({ random: (out) => (calls.push(out.length), out.fill(9)) });
    const out = new Uint8Array(3);
    p.random(out);
    expect([...out]).toEqual([9, 9, 9]);
    expect(calls).toEqual([3]);
    const big = new Uint8Array(70000);
    nodeProvider.random(big);
    expect(big.subarray(65536).some((b) => b !== 0)).toBe(true);
  });
});

describe.each(PROVIDERS.map((p) => [p.name, p] as const))('%s provider', (_name, provider) => {
  describe('AEAD', () => {
    for (const suite of provider.cipherSuites) {
      const alg = suite.aead;
      it(`${alg.name}: round trip, sealInto in place, every other provider opens it`, () => {
        const key = new Uint8Array(randomBytes(alg.keyLen));
        const k = alg.create(key);
        expect(() => alg.create(new Uint8Array(alg.keyLen + 1))).toThrow(RangeError);
        for (const len of [0, 1, 16, 17, 1024, 16385]) {
          const nonce = new Uint8Array(randomBytes(12));
          const aad = new Uint8Array(randomBytes(5));
          const pt = new Uint8Array(randomBytes(len));
          const ct = k.seal(nonce, aad, pt);
          expect(ct).toHaveLength(len + 16);
          expect(toHex(k.open(nonce, aad, ct)!)).toBe(toHex(pt));
          for (const other of PROVIDERS) {
            const o = other.cipherSuites.find((s) => s.id === suite.id)!.aead.create(key);
            expect(toHex(o.seal(nonce, aad, pt))).toBe(toHex(ct));
            expect(toHex(o.open(nonce, aad, ct)!)).toBe(toHex(pt));
          }
          if (k.sealInto) {
            const buf = new Uint8Array(3 + len + 16);
            buf.set(pt, 3);
            const region = buf.subarray(3);
            k.sealInto(nonce, aad, region.subarray(0, len), region); // in place
            expect(toHex(region)).toBe(toHex(ct));
          }
        }
      });

      it(`${alg.name}: tampering and garbage give null, never a throw`, () => {
        const k = alg.create(new Uint8Array(randomBytes(alg.keyLen)));
        const nonce = new Uint8Array(randomBytes(12));
        const aad = new Uint8Array(randomBytes(13));
        const ct = k.seal(nonce, aad, new Uint8Array(randomBytes(40)));
        for (let bit = 0; bit < ct.length * 8; bit += 11) {
          const bad = ct.slice();
          bad[bit >> 3]! ^= 1 << (bit & 7);
          expect(k.open(nonce, aad, bad)).toBeNull();
        }
        expect(k.open(nonce, aad.subarray(1), ct)).toBeNull();
        for (const len of [0, 1, 15, 16]) expect(k.open(nonce, aad, new Uint8Array(len))).toBeNull();
        expect(k.open(new Uint8Array(8), aad, ct)).toBeNull();
        // Results are plain Uint8Arrays (a Buffer's slice() would share memory).
        expect(Object.getPrototypeOf(k.open(nonce, aad, ct))).toBe(Uint8Array.prototype);
        expect(Object.getPrototypeOf(k.seal(nonce, aad, new Uint8Array(3)))).toBe(Uint8Array.prototype);
      });
    }
  });

  describe('hashes, HMAC, HKDF', () => {
    it('RFC 5869 A.1 and A.3 (empty salt)', () => {
      const h = provider.hash('SHA-256');
      const prk = h.hkdfExtract(fromHex('000102030405060708090a0b0c'), fromHex('0b'.repeat(22)));
      expect(toHex(prk)).toBe('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
      expect(toHex(h.hkdfExpand(prk, fromHex('f0f1f2f3f4f5f6f7f8f9'), 42))).toBe(
        '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
      );
      const prk3 = h.hkdfExtract(new Uint8Array(0), fromHex('0b'.repeat(22)));
      expect(toHex(prk3)).toBe('19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04');
      expect(toHex(h.hkdfExpand(prk3, new Uint8Array(0), 42))).toBe(
        '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
      );
      expect(h.hkdfExpand(prk3, new Uint8Array(0), 0)).toHaveLength(0);
      expect(() => h.hkdfExpand(prk3, new Uint8Array(0), 255 * 32 + 1)).toThrow();
    });

    it('digests, HMAC and HKDF agree with noble for every hash; clone keeps going', () => {
      for (const name of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
        const h = provider.hash(name);
        const ref = nobleProvider.hash(name);
        expect(h.name).toBe(name);
        expect(h.outputLen).toBe(ref.outputLen);
        const data = new Uint8Array(randomBytes(300));
        const key = new Uint8Array(randomBytes(40));
        expect(toHex(h.digest(data))).toBe(toHex(ref.digest(data)));
        expect(toHex(h.hmac(key, data))).toBe(createHmac(name.replace('-', '').toLowerCase(), key).update(data).digest('hex'));
        expect(toHex(h.hkdfExpand(h.hkdfExtract(key, data), utf8('info'), 100))).toBe(toHex(ref.hkdfExpand(ref.hkdfExtract(key, data), utf8('info'), 100)));
        const inc = h.create().update(data.subarray(0, 100));
        const mid = inc.clone().digest();
        inc.update(data.subarray(100));
        expect(toHex(mid)).toBe(toHex(ref.digest(data.subarray(0, 100))));
        expect(toHex(inc.digest())).toBe(toHex(ref.digest(data)));
      }
    });
  });

  describe('key exchange', () => {
    it('RFC 8448 §3: injected x25519 private keys give the trace public keys and IKM', async () => {
      const t = loadTrace('simple-1rtt');
      const g = group(provider, NamedGroup.x25519);
      const client = await g.start(scriptedRandom(t.get('client', 'create an ephemeral x25519 key pair', 'private key')));
      const server = await g.start(scriptedRandom(t.get('server', 'create an ephemeral x25519 key pair', 'private key')));
      expect(toHex(client.publicKey)).toBe(toHex(t.get('client', 'create an ephemeral x25519 key pair', 'public key')));
      expect(toHex(await client.complete(server.publicKey))).toBe(toHex(t.value('handshake_ikm')));
      expect(toHex(await server.complete(client.publicKey))).toBe(toHex(t.value('handshake_ikm')));
    });

    for (const id of [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1, NamedGroup.x448]) {
      it(`group 0x${id.toString(16)}: agrees with every provider; same random → same share`, async () => {
        const g = group(provider, id);
        for (const other of PROVIDERS) {
          const o = group(other, id);
          const a = await g.start(other.random);
          const b = await o.start(provider.random);
          expect(a.group).toBe(id);
          expect(toHex(await a.complete(b.publicKey))).toBe(toHex(await b.complete(a.publicKey)));
          const seed = seededRandom(id);
          const seed2 = seededRandom(id);
          expect(toHex((await g.start(seed)).publicKey)).toBe(toHex((await o.start(seed2)).publicKey));
        }
      });
    }

    it('x25519 and x448: wrong lengths and low-order shares are illegal_parameter', async () => {
      const kx = await group(provider, NamedGroup.x25519).start(provider.random);
      for (const bad of [new Uint8Array(0), new Uint8Array(31), new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))]) await expectIllegalParameter(() => kx.complete(bad));
      await expectIllegalParameter(() => kx.complete(fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800')));
      await expectIllegalParameter(() => kx.complete(fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')));
      const kx448 = await group(provider, NamedGroup.x448).start(provider.random);
      await expectIllegalParameter(() => kx448.complete(new Uint8Array(56)));
      await expectIllegalParameter(() => kx448.complete(new Uint8Array(32)));
    });

    const NIST = [
      [NamedGroup.secp256r1, p256, 32],
      [NamedGroup.secp384r1, p384, 48],
      [NamedGroup.secp521r1, p521, 66],
    ] as const;
    for (const [id, curve, len] of NIST) {
      it(`group 0x${id.toString(16)}: scalar draws retried as noble does; malformed shares are illegal_parameter`, async () => {
        const g = group(provider, id);
        const nBytes = fromHex(curve.Point.Fn.ORDER.toString(16).padStart(len * 2, '0'));
        const valid = new Uint8Array(len);
        valid[len - 1] = 7;
        const kx = await g.start(scriptedRandom(new Uint8Array(len), nBytes, new Uint8Array(len).fill(0xff), valid));
        expect(toHex(kx.publicKey)).toBe(toHex(curve.getPublicKey(valid, false)));
        const peer = (await g.start(provider.random)).publicKey;
        await expectIllegalParameter(() => kx.complete(new Uint8Array(0)));
        await expectIllegalParameter(() => kx.complete(peer.subarray(1)));
        await expectIllegalParameter(() => kx.complete(curve.Point.fromBytes(peer).toBytes(true)));
        const off = peer.slice();
        off[off.length - 1]! ^= 1;
        await expectIllegalParameter(() => kx.complete(off));
        const zeros = new Uint8Array(1 + 2 * len);
        zeros[0] = 4;
        await expectIllegalParameter(() => kx.complete(zeros));
        const big = new Uint8Array(1 + 2 * len).fill(0xff);
        big[0] = 4;
        await expectIllegalParameter(() => kx.complete(big));
      });
    }
  });

  describe('signatures', () => {
    const msg = utf8('provider conformance');
    /** The chain verifier, and the CertificateVerify one when the provider has its own (webcrypto: async). */
    const verifiers = [provider.verifier, ...(provider.handshakeVerifier ? [provider.handshakeVerifier] : [])];
    const ecKeys = (['P-256', 'P-384', 'P-521'] as const).map((curve) => ({ curve, ...generateEc(curve) }));
    const ed = generateKeyPairSync('ed25519');
    const edJwk = ed.privateKey.export({ format: 'jwk' });
    const rsa = generateRsa(2048);
    const rsaPub: PublicKey = { kind: 'rsa', n: rsa.material.n, e: rsa.material.e, bits: 2048 };

    it('its SigningKeys sign what every provider verifies (ECDSA on three curves, Ed25519, RSA-PSS)', async () => {
      const cases: [PrivateKeyMaterial, PublicKey][] = [
        ...ecKeys.map((k): [PrivateKeyMaterial, PublicKey] => [{ kind: 'ec', curve: k.curve, d: k.d, publicPoint: k.point }, { kind: 'ec', curve: k.curve, point: k.point }]),
        [{ kind: 'ed25519', seed: fromB64u(edJwk.d!) }, { kind: 'ed25519', key: fromB64u(edJwk.x!) }],
        [rsa.material, rsaPub],
      ];
      for (const [material, pub] of cases) {
        const sk = provider.signingKey!(material);
        for (const scheme of sk.schemes) {
          const sig = await sk.signer(scheme).sign(msg);
          expect(Object.getPrototypeOf(sig)).toBe(Uint8Array.prototype);
          for (const other of PROVIDERS) {
            expect(other.verifier.verify(scheme, pub, msg, sig), `${other.name} verifies ${scheme.toString(16)}`).toBe(true);
            expect(other.verifier.verify(scheme, pub, concatBytes(msg, new Uint8Array(1)), sig)).toBe(false);
            if (other.handshakeVerifier) {
              expect(await other.handshakeVerifier.verify(scheme, pub, msg, sig), `${other.name} handshake verifier, ${scheme.toString(16)}`).toBe(true);
              expect(await other.handshakeVerifier.verify(scheme, pub, concatBytes(msg, new Uint8Array(1)), sig)).toBe(false);
            }
          }
        }
      }
      expect(() => provider.signingKey!({ kind: 'ec', curve: 'P-256', d: new Uint8Array(32) })).toThrow();
      expect(() => provider.signingKey!({ kind: 'ec', curve: 'P-256', d: ecKeys[0]!.d, publicPoint: ecKeys[1]!.point })).toThrow();
    });

    it('verifies node:crypto signatures with the same scheme/key binding as noble (its handshake verifier too)', async () => {
      for (const V of verifiers) {
        const k = ecKeys[0]!;
        const ecPub: PublicKey = { kind: 'ec', curve: 'P-256', point: k.point };
        const sig384 = new Uint8Array(nodeSign('sha384', msg, k.privateKey));
        expect(await V.verify(S.ecdsa_secp384r1_sha384, ecPub, msg, sig384)).toBe(true); // scheme hash over any curve
        expect(await V.verify(S.ecdsa_secp256r1_sha256, ecPub, msg, sig384)).toBe(false);
        const hi = p256.Signature.fromBytes(new Uint8Array(nodeSign('sha256', msg, k.privateKey)), 'der');
        expect(await V.verify(S.ecdsa_secp256r1_sha256, ecPub, msg, new p256.Signature(hi.r, p256.Point.Fn.ORDER - hi.s).toBytes('der'))).toBe(true); // high S
        expect(await V.verify(S.ecdsa_secp256r1_sha256, ecPub, msg, hi.toBytes('compact'))).toBe(false); // not DER
        const compressed: PublicKey = { kind: 'ec', curve: 'P-256', point: p256.Point.fromBytes(k.point).toBytes(true) };
        expect(await V.verify(S.ecdsa_secp256r1_sha256, compressed, msg, hi.toBytes('der'))).toBe(true);
        const pss = new Uint8Array(nodeSign('sha256', msg, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
        const pss0 = new Uint8Array(nodeSign('sha256', msg, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 0 }));
        const pkcs = new Uint8Array(nodeSign('sha256', msg, rsa.privateKey));
        const pssKey = { ...rsaPub, pss: true } as PublicKey;
        expect(await V.verify(S.rsa_pss_rsae_sha256, rsaPub, msg, pss)).toBe(true);
        expect(await V.verify(S.rsa_pss_rsae_sha256, rsaPub, msg, pss0)).toBe(false); // salt length = hash length only
        expect(await V.verify(S.rsa_pss_pss_sha256, pssKey, msg, pss)).toBe(true);
        expect(await V.verify(S.rsa_pss_pss_sha256, rsaPub, msg, pss)).toBe(false);
        expect(await V.verify(S.rsa_pss_rsae_sha256, pssKey, msg, pss)).toBe(false);
        expect(await V.verify(S.rsa_pkcs1_sha256, rsaPub, msg, pkcs)).toBe(true);
        expect(await V.verify(S.rsa_pkcs1_sha256, pssKey, msg, pkcs)).toBe(false);
        expect(await V.verify(S.rsa_pkcs1_sha1, rsaPub, msg, new Uint8Array(nodeSign('sha1', msg, rsa.privateKey)))).toBe(true);
        // RSA key limits (RFC 8446 has none; ours: 1024..16384 bits, odd e >= 3).
        const small = generateKeyPairSync('rsa', { modulusLength: 512 });
        const j = small.publicKey.export({ format: 'jwk' });
        const smallPub: PublicKey = { kind: 'rsa', n: BigInt('0x' + Buffer.from(j.n!, 'base64url').toString('hex')), e: 65537n, bits: 512 };
        expect(await V.verify(S.rsa_pkcs1_sha256, smallPub, msg, new Uint8Array(nodeSign('sha256', msg, small.privateKey)))).toBe(false);
        const ed448 = generateKeyPairSync('ed448');
        const ed448Pub: PublicKey = { kind: 'ed448', key: fromB64u(ed448.publicKey.export({ format: 'jwk' }).x!) };
        expect(await V.verify(S.ed448, ed448Pub, msg, new Uint8Array(nodeSign(null, msg, ed448.privateKey)))).toBe(true);
      }
    });

    it('garbage never throws (nor rejects)', async () => {
      for (const V of verifiers) {
        const rnd = seededRandom(5);
        const bytes = (n: number): Uint8Array => {
          const b = new Uint8Array(n);
          rnd(b);
          return b;
        };
        const keys: PublicKey[] = [
          { kind: 'ec', curve: 'P-256', point: ecKeys[0]!.point },
          { kind: 'ec', curve: 'P-256', point: new Uint8Array(0) },
          { kind: 'ec', curve: 'P-384', point: bytes(97) },
          { kind: 'ec', curve: 'P-999' as 'P-256', point: ecKeys[0]!.point },
          { kind: 'ed25519', key: bytes(5) },
          { kind: 'ed448', key: bytes(57) },
          { kind: 'rsa', n: 0n, e: 0n, bits: 0 },
          { kind: 'rsa', n: rsa.material.n, e: rsa.material.n + 2n, bits: 2048 },
          { kind: 'bogus' } as unknown as PublicKey,
          null as unknown as PublicKey,
        ];
        const sigs = [new Uint8Array(0), bytes(1), bytes(64), bytes(72), bytes(256)];
        for (const scheme of [...V.schemes, 0, 0xffff]) {
          for (const key of keys) {
            for (const sig of sigs) expect(await V.verify(scheme, key, msg, sig)).toBe(false);
            expect(await V.verify(scheme, key, null as unknown as Uint8Array, sigs[2]!)).toBe(false);
          }
        }
      }
    });
  });
});
