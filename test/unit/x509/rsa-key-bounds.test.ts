// RSA key bounds: the public exponent (audit finding 1, issue 14) and the modulus size on every
// certificate of the path, trust anchor included (issue 12 group 4).
import { createHash, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { nodeProvider } from '../../../src/crypto/node/index.js';
import { webCryptoProvider } from '../../../src/crypto/webcrypto/index.js';
import { WebCryptoServerVerifier } from '../../../src/x509/webcrypto.js';
import type { PrivateKeyMaterial, PublicKey, SignatureVerifier } from '../../../src/crypto/provider.js';
import { gcd, i2osp, modInverse, modPow, os2ip } from '../../../src/crypto/rsa/math.js';
import { emsaPkcs1v15Encode } from '../../../src/crypto/rsa/verify.js';
import { AlertDescription as A } from '../../../src/errors.js';
import { fromHex } from '../../../src/util/bytes.js';
import { SignatureScheme as S } from '../../../src/wire/codepoints.js';
import { WebPkiClientVerifier } from '../../../src/x509/client-verify.js';
import { parseCertificate } from '../../../src/x509/certificate.js';
import { parsePkcs8PrivateKey, parseSpki, encodeSpki } from '../../../src/x509/keys.js';
import { type MintedCertificate, type TestPki, mintCertificate, mintTestPki } from '../../../src/testing/mint.js';
import { InsecureSkipVerification, WebPkiServerVerifier } from '../../../src/x509/verify.js';
import { expectFail } from '../../helpers/x509.js';

const HOST = 'server.test';
const now = new Date();
const TWO_32 = 1n << 32n;

/** A key with only the public half meaningful: enough to be certified by mint. */
const publicOnly = (n: bigint, e: bigint): PrivateKeyMaterial => ({ kind: 'rsa', n, e, d: 1n, p: 1n, q: 1n, dp: 1n, dq: 1n, qi: 1n });

/** A random odd modulus of exactly `bits` bits (no factors known: a "key" an attacker can send). */
function randomModulus(bits: number): bigint {
  let n = 0n;
  const bytes = new Uint8Array(bits / 8);
  globalThis.crypto.getRandomValues(bytes);
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n | (1n << BigInt(bits - 1)) | 1n;
}

/** An RSA-1024 key from node:crypto, as PKCS#8 material (mint only makes 2048 bits and up). */
function rsa1024(): PrivateKeyMaterial {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return parsePkcs8PrivateKey(new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })));
}

/** DER surgery: `cert` with its signature BIT STRING replaced (sized for a hostile key's modulus). */
function withSignature(cert: Uint8Array, sig: Uint8Array): Uint8Array {
  const tlv = (o: number): { h: number; end: number } => {
    let len = cert[o + 1]!;
    let h = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + cert[o + 2 + i]!;
      h += n;
    }
    return { h, end: o + h + len };
  };
  const derLen = (n: number): number[] => {
    if (n < 128) return [n];
    const out: number[] = [];
    for (; n; n = Math.floor(n / 256)) out.unshift(n & 255);
    return [0x80 | out.length, ...out];
  };
  const outer = tlv(0);
  const alg = tlv(tlv(outer.h).end);
  const body = [...cert.subarray(outer.h, alg.end), 0x03, ...derLen(sig.length + 1), 0, ...sig];
  return Uint8Array.from([0x30, ...derLen(body.length), ...body]);
}

/** Records the keys a verifier is asked to use. */
function spy(inner: SignatureVerifier): SignatureVerifier & { keys: PublicKey[] } {
  const keys: PublicKey[] = [];
  return { schemes: inner.schemes, keys, verify: (scheme, key, message, signature) => (keys.push(key), inner.verify(scheme, key, message, signature)) };
}

let pki: TestPki;
beforeAll(async () => {
  pki = await mintTestPki({ serverNames: [HOST] });
}, 60_000);

describe('audit #1: RSA public exponent of any size', () => {
  it('audit #1: every provider refuses a valid signature by a key with e > 2^32 (no modular exponentiation by it)', async () => {
    // A real key pair with e = 2^32 + small odd: p, q from node, d computed here.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const j = privateKey.export({ format: 'jwk' });
    const big = (s: string | undefined): bigint => BigInt('0x' + Buffer.from(s!, 'base64url').toString('hex'));
    const [n, p, q] = [big(j.n), big(j.p), big(j.q)];
    const phi = (p - 1n) * (q - 1n);
    let e = TWO_32 + 1n;
    while (gcd(e, phi) !== 1n) e += 2n;
    const d = modInverse(e, phi)!;
    const message = new TextEncoder().encode('audit #1');
    const prefix = fromHex('3031300d060960864801650304020105000420');
    const em = emsaPkcs1v15Encode(prefix, new Uint8Array(createHash('sha256').update(message).digest()), 256)!;
    const signature = i2osp(modPow(os2ip(em), d, n), 256)!;
    const key: PublicKey = { kind: 'rsa', n, e, bits: 2048 };
    // The same signature verifies with e's arithmetic (the key pair is consistent) …
    expect(modPow(os2ip(signature), e, n)).toBe(os2ip(em));
    // … but no provider uses such a key, for certificates or CertificateVerify.
    for (const provider of [nobleProvider, nodeProvider, webCryptoProvider]) {
      expect(await provider.verifier.verify(S.rsa_pkcs1_sha256, key, message, signature)).toBe(false);
      if (provider.handshakeVerifier) expect(await provider.handshakeVerifier.verify(S.rsa_pkcs1_sha256, key, message, signature)).toBe(false);
    }
    // And parsing refuses it as an unusable key (as an unsupported curve).
    expect(() => parseSpki(encodeSpki(key))).toThrow(/exponent/);
  });

  it('audit #1: exponents 3 and 2^32 - 1 are accepted; even, 1, and 2^32 + 1 are not', () => {
    const n = randomModulus(2048);
    for (const e of [3n, 65537n, TWO_32 - 1n]) expect(parseSpki(encodeSpki({ kind: 'rsa', n, e, bits: 2048 }))).toMatchObject({ kind: 'rsa', e });
    for (const e of [1n, 65536n, TWO_32 + 1n, (n >> 2n) | 1n]) expect(() => parseSpki(encodeSpki({ kind: 'rsa', n, e, bits: 2048 }))).toThrow();
  });

  it('audit #1: a leaf with a huge exponent fails at parse with unsupported_certificate / public-key, in every verifier', async () => {
    const leaf = await mintCertificate({ subject: HOST, issuer: pki.intermediate, key: publicOnly(randomModulus(2048), TWO_32 + 15n), sans: [HOST], eku: ['serverAuth', 'clientAuth'] });
    const chain = [leaf.certDer, pki.intermediate.certDer];
    const anchors = [pki.root.certDer];
    await expectFail(() => new WebPkiServerVerifier({ trustAnchors: anchors, verifier: nobleProvider.verifier }).verify({ chain, serverName: HOST, now }), A.unsupported_certificate, 'public-key');
    await expectFail(() => new WebPkiClientVerifier({ trustAnchors: anchors, verifier: nodeProvider.verifier }).verify({ chain, now }), A.unsupported_certificate, 'public-key');
    await expectFail(() => new WebCryptoServerVerifier({ trustAnchors: anchors }).verify({ chain, serverName: HOST, now }), A.unsupported_certificate, 'public-key');
    // insecureSkipVerify takes the leaf's key for CertificateVerify: refused there too.
    await expectFail(() => new InsecureSkipVerification().verify({ chain, now }), A.unsupported_certificate, 'public-key');
  });

  it('audit #1: hostile candidate issuers (8192-bit n, e ≈ n/4) are never used to verify a signature', async () => {
    // The repro's shape: an untrusted "Evil CA" signs a leaf; same-name fakes carry hostile keys.
    const evil = await mintCertificate({ subject: 'Evil CA', keyType: 'rsa2048', isCA: true, omitKeyIdentifiers: true });
    const leaf = await mintCertificate({ subject: HOST, issuer: evil, sans: [HOST], eku: ['serverAuth'], omitKeyIdentifiers: true });
    const n = randomModulus(8192);
    const fakes: MintedCertificate[] = [];
    for (let i = 0; i < 3; i++) {
      fakes.push(await mintCertificate({ subject: 'Evil CA', issuer: pki.root, key: publicOnly(n, ((n >> 2n) - BigInt(2 * i)) | 1n), isCA: true, omitKeyIdentifiers: true }));
    }
    // A signature as long as the fakes' modulus, so that RSAVP1 would run modPow over all of e.
    const sig = new Uint8Array(1024).fill(7);
    sig[0] = 1;
    const chain = [withSignature(leaf.certDer, sig), ...fakes.map((f) => f.certDer)];
    const v = spy(nobleProvider.verifier);
    const t0 = performance.now();
    await expectFail(() => new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: v }).verify({ chain, serverName: HOST, now }), A.unsupported_certificate, 'public-key');
    const ms = performance.now() - t0;
    expect(v.keys.filter((k) => k.kind === 'rsa' && k.e >= TWO_32)).toEqual([]);
    // Before the bound each fake cost ~1 s of modPow on noble; now none is parsed into the pool.
    expect(ms).toBeLessThan(1000);
  });

  it('audit #1: an over-long modulus (16384 bits, e = 65537) is refused before its signature is checked: bad_certificate / key-size', async () => {
    const evil = await mintCertificate({ subject: 'Evil CA', keyType: 'rsa2048', isCA: true, omitKeyIdentifiers: true });
    const leaf = await mintCertificate({ subject: HOST, issuer: evil, sans: [HOST], eku: ['serverAuth'], omitKeyIdentifiers: true });
    const fake = await mintCertificate({ subject: 'Evil CA', issuer: pki.root, key: publicOnly(randomModulus(16384), 65537n), isCA: true, omitKeyIdentifiers: true });
    const v = spy(nobleProvider.verifier);
    const verifier = (extra = {}) => new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: v, ...extra });
    await expectFail(() => verifier().verify({ chain: [leaf.certDer, fake.certDer], serverName: HOST, now }), A.bad_certificate, 'key-size');
    expect(v.keys.filter((k) => k.kind === 'rsa' && k.bits > 8192)).toEqual([]);
    // Raised upper bound (16384 at most): the key is used, and the bogus signature fails.
    await expectFail(() => verifier({ maxRsaModulusBits: 16384 }).verify({ chain: [leaf.certDer, fake.certDer], serverName: HOST, now }), A.bad_certificate, 'signature');
    expect(v.keys.some((k) => k.kind === 'rsa' && k.bits === 16384)).toBe(true);
    // Beyond the parse-time ceiling, or below the floor, the option itself is refused.
    expect(() => verifier({ maxRsaModulusBits: 16385 })).toThrow(RangeError);
    expect(() => verifier({ minRsaModulusBits: 4096, maxRsaModulusBits: 3072 })).toThrow(RangeError);
    // A key beyond 16384 bits does not even parse.
    const huge = await mintCertificate({ subject: 'Huge', issuer: pki.root, key: publicOnly(randomModulus(16392), 65537n), isCA: true });
    expect(() => parseCertificate(huge.certDer)).toThrow(/16384/);
  });
});

describe('x509 group 4: weak keys', () => {
  let weakRoot: MintedCertificate;
  let weakChain: { inter: MintedCertificate; leaf: MintedCertificate };
  beforeAll(async () => {
    weakRoot = await mintCertificate({ subject: 'Weak Root', key: rsa1024(), isCA: true });
    const inter = await mintCertificate({ subject: 'Under Weak Root', issuer: weakRoot, isCA: true });
    weakChain = { inter, leaf: await mintCertificate({ subject: HOST, issuer: inter, sans: [HOST], eku: ['serverAuth', 'clientAuth'] }) };
  }, 60_000);

  it('x509 group 4: an RSA-1024 root (trust anchor) → bad_certificate / key-size, for both verifiers', async () => {
    const opts = { trustAnchors: [weakRoot.certDer], verifier: nobleProvider.verifier };
    const chain = [weakChain.leaf.certDer, weakChain.inter.certDer];
    await expectFail(() => new WebPkiServerVerifier(opts).verify({ chain, serverName: HOST, now }), A.bad_certificate, 'key-size');
    await expectFail(() => new WebPkiClientVerifier(opts).verify({ chain, now }), A.bad_certificate, 'key-size');
  });

  it('x509 group 4: an RSA-1024 intermediate or leaf → bad_certificate / key-size', async () => {
    const weakInter = await mintCertificate({ subject: 'Weak CA', issuer: pki.root, key: rsa1024(), isCA: true });
    const leafUnder = await mintCertificate({ subject: HOST, issuer: weakInter, sans: [HOST], eku: ['serverAuth'] });
    const weakLeaf = await mintCertificate({ subject: HOST, issuer: pki.intermediate, key: rsa1024(), sans: [HOST], eku: ['serverAuth'] });
    const v = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier });
    await expectFail(() => v.verify({ chain: [leafUnder.certDer, weakInter.certDer], serverName: HOST, now }), A.bad_certificate, 'key-size');
    await expectFail(() => v.verify({ chain: [weakLeaf.certDer, pki.intermediate.certDer], serverName: HOST, now }), A.bad_certificate, 'key-size');
  });

  it('x509 group 4: the minimum is configurable upward only (minRsaModulusBits)', async () => {
    const rsaPki = await mintTestPki({ keyType: 'rsa2048', serverNames: [HOST] });
    const opts = { trustAnchors: [rsaPki.root.certDer], verifier: nobleProvider.verifier };
    const chain = [rsaPki.server.certDer, rsaPki.intermediate.certDer];
    expect(new WebPkiServerVerifier(opts).verify({ chain, serverName: HOST, now }).chain).toHaveLength(3);
    await expectFail(() => new WebPkiServerVerifier({ ...opts, minRsaModulusBits: 3072 }).verify({ chain, serverName: HOST, now }), A.bad_certificate, 'key-size');
    expect(() => new WebPkiServerVerifier({ ...opts, minRsaModulusBits: 1024 })).toThrow(RangeError);
  });

  it('x509 group 4: an EC key on an unsupported curve fails as before (unsupported_certificate / public-key)', async () => {
    // P-256's OID 1.2.840.10045.3.1.7 → prime192v1 (…3.1.1), same length, in the leaf's SPKI.
    const der = pki.server.certDer.slice();
    const oid = fromHex('06082a8648ce3d030107');
    const at = der.findIndex((_, i) => oid.every((b, k) => der[i + k] === b));
    expect(at).toBeGreaterThan(0);
    der[at + oid.length - 1] = 0x01;
    const v = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier });
    await expectFail(() => v.verify({ chain: [der, pki.intermediate.certDer], serverName: HOST, now }), A.unsupported_certificate, 'public-key');
  });
});
