// Audit finding 4 (chains cost bounded work before authentication) and issue 12's
// chain-length wrong rejection: the path builder's bounds, measured on minted chains.

import { beforeAll, describe, expect, it } from 'vitest';
import type { SignatureVerifier } from '../../../src/crypto/provider.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { nodeProvider } from '../../../src/crypto/node/index.js';
import { WebCryptoClientVerifier } from '../../../src/x509/webcrypto.js';
import { AlertDescription as A } from '../../../src/errors.js';
import { parseCertificate } from '../../../src/x509/certificate.js';
import { type MintedCertificate, type TestPki, generateKey, mintCertificate, mintTestPki } from '../../../src/testing/mint.js';
import { type WebPkiVerifierOptions } from '../../../src/x509/verify.js';
import { WebPkiClientVerifier } from '../../../src/x509/client-verify.js';
import { expectFail, rethrow, timed } from '../../helpers/x509.js';

function counting(inner: SignatureVerifier): SignatureVerifier & { calls: number } {
  const v = {
    calls: 0,
    schemes: inner.schemes,
    verify: (...a: Parameters<SignatureVerifier['verify']>): boolean => {
      v.calls++;
      return inner.verify(...a);
    },
  };
  return v;
}


const providers: [string, SignatureVerifier][] = [
  ['noble', nobleProvider.verifier],
  ['node', nodeProvider.verifier],
];

describe('audit #4: certificate chains cost bounded work before authentication', () => {
  let pki: TestPki;
  /** 700 small CA certificates named x0…x699, issued by the root: extraneous to any path. */
  const extra: Uint8Array[] = [];
  const now = new Date();
  const verifier = (sig: SignatureVerifier, opts: Partial<WebPkiVerifierOptions> = {}): WebPkiClientVerifier =>
    new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: sig, ...opts });

  beforeAll(async () => {
    pki = await mintTestPki({ serverNames: ['localhost'] });
    const key = await generateKey('p256');
    for (let i = 0; i < 700; i++) {
      extra.push((await mintCertificate({ subject: 'x' + i, key, issuer: { certDer: pki.root.certDer, key: pki.root.key }, isCA: true, omitKeyIdentifiers: true })).certDer);
    }
  }, 120_000);

  it.each(providers)('audit #4: 700 extraneous certificates → bad_certificate before any is parsed or verified (%s)', async (_name, inner) => {
    const sig = counting(inner);
    const { ms, error } = timed(() => verifier(sig).verify({ chain: [pki.client.certDer, ...extra, pki.intermediate.certDer], now }));
    await expectFail(rethrow(error), A.bad_certificate, 'certificate-count');
    expect(sig.calls).toBe(0);
    expect(ms).toBeLessThan(200); // measured < 1 ms; was 0.8–1.2 s
  });

  it('audit #4: maxPresentedCertificates (default 16) is an option', async () => {
    const chain = [pki.client.certDer, ...extra.slice(0, 14), pki.intermediate.certDer];
    expect(verifier(nobleProvider.verifier).verify({ chain, now }).chain).toHaveLength(3);
    await expectFail(() => verifier(nobleProvider.verifier).verify({ chain: [...chain, extra[20]!], now }), A.bad_certificate, 'certificate-count');
    await expectFail(() => verifier(nobleProvider.verifier, { maxPresentedCertificates: 4 }).verify({ chain: chain.slice(0, 5), now }), A.bad_certificate, 'certificate-count');
    expect(verifier(nobleProvider.verifier, { maxPresentedCertificates: 32 }).verify({ chain: [...chain, ...extra.slice(20, 36)], now }).chain).toHaveLength(3);
    expect(() => verifier(nobleProvider.verifier, { maxPresentedCertificates: 0 })).toThrow(RangeError);
  });

  it('audit #4: extraneous certificates whose names cannot link are never parsed', async () => {
    // Each keeps well-formed names but has a broken public key: parsing it would fail.
    const broken = extra.slice(0, 14).map((der) => {
      const b = der.slice();
      const c = parseCertificate(der);
      const at = indexOf(b, c.spki) + c.spki.length - 8;
      b[at]! ^= 0xff;
      expect(() => parseCertificate(b)).toThrow();
      return b;
    });
    expect(verifier(nobleProvider.verifier).verify({ chain: [pki.client.certDer, ...broken, pki.intermediate.certDer], now }).chain).toHaveLength(3);
    // Names that do not even frame as a certificate still fail, cheaply.
    await expectFail(() => verifier(nobleProvider.verifier).verify({ chain: [pki.client.certDer, Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01), pki.intermediate.certDer], now }), A.bad_certificate, 'parse');
  });

  describe('64 same-name P-521 candidate issuers (noble)', () => {
    let leaf: MintedCertificate;
    const fakes: Uint8Array[] = [];
    beforeAll(async () => {
      const evilKey = await generateKey('p521');
      const evil = await mintCertificate({ subject: 'Evil521', key: evilKey, isCA: true, omitKeyIdentifiers: true });
      leaf = await mintCertificate({ subject: 'leaf', issuer: evil, eku: ['clientAuth'], omitKeyIdentifiers: true });
      for (let i = 0; i < 64; i++) fakes.push((await mintCertificate({ subject: 'Evil521', keyType: 'p521', issuer: evil, isCA: true, omitKeyIdentifiers: true })).certDer);
    }, 120_000);

    it.each(providers)('audit #4: 64 same-name P-521 candidates → bad_certificate within milliseconds, no signature verified (%s)', async (_name, inner) => {
      const sig = counting(inner);
      const { ms, error } = timed(() => verifier(sig).verify({ chain: [leaf.certDer, ...fakes], now }));
      await expectFail(rethrow(error), A.bad_certificate, 'certificate-count');
      expect(sig.calls).toBe(0);
      expect(ms).toBeLessThan(200); // measured < 1 ms; was 0.9 s (noble), 0.3 s (node)
    });

    it.each(providers)('audit #4: 15 of them, within the cap: more candidates than the bound, and no signature verified (%s)', async (_name, inner) => {
      const sig = counting(inner);
      const { ms, error } = timed(() => verifier(sig).verify({ chain: [leaf.certDer, ...fakes.slice(0, 15)], now }));
      await expectFail(rethrow(error), A.bad_certificate, 'path-building');
      expect(sig.calls).toBe(0);
      expect(ms).toBeLessThan(300); // measured ~10 ms; was 220 ms (noble), 90 ms (node)
    });

    it('audit #4: 4 of them: no path to an anchor, so no signature is verified', async () => {
      const sig = counting(nobleProvider.verifier);
      // Same-name CAs are self-issued: the search stops at two of them.
      await expectFail(() => verifier(sig).verify({ chain: [leaf.certDer, ...fakes.slice(0, 4)], now }), A.unknown_ca, 'chain-length');
      expect(sig.calls).toBe(0);
    });
  });

  describe('300 same-name P-256 candidates before the real issuer', () => {
    let realIssuer: MintedCertificate;
    let leaf: MintedCertificate;
    const fakes: Uint8Array[] = [];
    const name = { organization: 'bench', commonName: 'Same Name CA' };
    beforeAll(async () => {
      realIssuer = await mintCertificate({ subject: name, issuer: pki.root, isCA: true, omitKeyIdentifiers: true });
      leaf = await mintCertificate({ subject: 'leaf', issuer: realIssuer, eku: ['clientAuth'], omitKeyIdentifiers: true });
      // Claim the root as issuer, signed by a key that is not the root's.
      const forger = await generateKey('p256');
      for (let i = 0; i < 300; i++) fakes.push((await mintCertificate({ subject: name, issuer: { certDer: pki.root.certDer, key: forger }, isCA: true, omitKeyIdentifiers: true })).certDer);
    }, 120_000);

    it.each(providers)('audit #4: 300 same-name P-256 candidates, then the real issuer → bad_certificate within milliseconds (%s)', async (_name, inner) => {
      const sig = counting(inner);
      const { ms, error } = timed(() => verifier(sig).verify({ chain: [leaf.certDer, ...fakes, realIssuer.certDer], now }));
      await expectFail(rethrow(error), A.bad_certificate, 'certificate-count');
      expect(sig.calls).toBe(0);
      expect(ms).toBeLessThan(200); // measured < 1 ms; was 0.6 s (noble), 0.4 s (node)
    });

    it.each(providers)('audit #4: within the cap, candidate issuers per certificate are bounded (8) → bad_certificate (%s)', async (_name, inner) => {
      const sig = counting(inner);
      const { ms, error } = timed(() => verifier(sig).verify({ chain: [leaf.certDer, ...fakes.slice(0, 14), realIssuer.certDer], now }));
      await expectFail(rethrow(error), A.bad_certificate, 'path-building');
      expect(sig.calls).toBeLessThanOrEqual(8);
      expect(ms).toBeLessThan(300); // measured ~20–30 ms (noble)
    });

    it('audit #4: a few same-name candidates before the real issuer still validate', async () => {
      const sig = counting(nobleProvider.verifier);
      expect(verifier(sig).verify({ chain: [leaf.certDer, ...fakes.slice(0, 3), realIssuer.certDer], now }).chain).toHaveLength(3);
      // Each forged candidate costs one verification under the root's key; then two for the path.
      expect(sig.calls).toBe(5);
    });
  });

  it('audit #4: what is parsed per validation is bounded (1,024 DER elements) → bad_certificate, fast', async () => {
    // 400 unknown non-critical extensions (ignored when parsed): ~1,200 elements, ~40 ms of pkijs.
    const extraExtensions = Array.from({ length: 400 }, (_, i) => ({ oid: `1.3.6.1.4.1.99999.${i}`, critical: false, value: Uint8Array.of(5, 0) }));
    const fatLeaf = await mintCertificate({ subject: 'fat leaf', issuer: pki.intermediate, eku: ['clientAuth'], extraExtensions });
    const sig = counting(nobleProvider.verifier);
    const { ms, error } = timed(() => verifier(sig).verify({ chain: [fatLeaf.certDer, pki.intermediate.certDer], now }));
    await expectFail(rethrow(error), A.bad_certificate, 'certificate-size');
    expect(sig.calls).toBe(0);
    expect(ms).toBeLessThan(200); // measured < 1 ms
    // Fat candidate issuers: parsing stops at the bound too.
    const fatIssuers: Uint8Array[] = [];
    for (let i = 0; i < 4; i++) {
      const subject = { organization: 'tls13-engine test PKI', commonName: 'Test Intermediate CA' };
      fatIssuers.push((await mintCertificate({ subject, issuer: pki.root, isCA: true, omitKeyIdentifiers: true, extraExtensions: extraExtensions.slice(0, 120) })).certDer);
    }
    const leaf = await mintCertificate({ subject: 'leaf', issuer: pki.intermediate, eku: ['clientAuth'], omitKeyIdentifiers: true });
    const t = timed(() => verifier(nobleProvider.verifier).verify({ chain: [leaf.certDer, ...fatIssuers, pki.intermediate.certDer], now }));
    await expectFail(rethrow(t.error), A.bad_certificate, 'certificate-size');
    expect(t.ms).toBeLessThan(300); // measured ~20 ms
  });

  it('audit #4: signature verifications per validation are bounded (8) → bad_certificate', async () => {
    // Genuine intermediates of the root, all with the leaf issuer's name, none of which signed
    // the leaf: each costs two verifications (its own under the root, the leaf under it).
    const name = 'Crowded CA';
    const signer = await mintCertificate({ subject: name, issuer: pki.root, isCA: true, omitKeyIdentifiers: true });
    const leaf = await mintCertificate({ subject: 'leaf', issuer: signer, eku: ['clientAuth'], omitKeyIdentifiers: true });
    const decoys: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) decoys.push((await mintCertificate({ subject: name, issuer: pki.root, isCA: true, omitKeyIdentifiers: true })).certDer);
    const sig = counting(nobleProvider.verifier);
    await expectFail(() => verifier(sig).verify({ chain: [leaf.certDer, ...decoys], now }), A.bad_certificate, 'path-building');
    expect(sig.calls).toBe(8);
  });

  it('audit #4: a signature is verified only with a key the path can use (certified from an anchor down)', async () => {
    // A rogue CA that no anchor certifies: its signature on the leaf is never checked.
    const rogue = await mintCertificate({ subject: 'Rogue CA', isCA: true, keyType: 'p521', omitKeyIdentifiers: true });
    const leaf = await mintCertificate({ subject: 'leaf', issuer: rogue, eku: ['clientAuth'], omitKeyIdentifiers: true });
    const sig = counting(nobleProvider.verifier);
    await expectFail(() => verifier(sig).verify({ chain: [leaf.certDer, rogue.certDer], now }), A.unknown_ca, 'issuer');
    expect(sig.calls).toBe(0);
    // Candidates the path cannot use (not a CA, no keyCertSign, expired) cost no verification either.
    const subject = { organization: 'tls13-engine test PKI', commonName: 'Test Intermediate CA' }; // the intermediate's name
    const unusable = [
      await mintCertificate({ subject, issuer: pki.root, isCA: false, omitKeyIdentifiers: true }),
      await mintCertificate({ subject, issuer: pki.root, isCA: true, keyUsage: ['cRLSign'], omitKeyIdentifiers: true }),
      await mintCertificate({ subject, issuer: pki.root, isCA: true, notAfter: new Date(now.getTime() - 1000), notBefore: new Date(now.getTime() - 9000), omitKeyIdentifiers: true }),
    ];
    const sig2 = counting(nobleProvider.verifier);
    const orphan = await mintCertificate({ subject: 'orphan', issuer: { certDer: pki.intermediate.certDer, key: await generateKey('p256') }, eku: ['clientAuth'], omitKeyIdentifiers: true });
    const { error } = timed(() => verifier(sig2).verify({ chain: [orphan.certDer, ...unusable.map((c) => c.certDer)], now }));
    expect(error).toBeDefined();
    expect(sig2.calls).toBe(0);
  });

  it('audit #4: hostile chains cannot evict validated certificates from the parse cache', () => {
    const sig = counting(nobleProvider.verifier);
    const v = verifier(sig);
    const chain = [pki.client.certDer, pki.intermediate.certDer];
    v.verify({ chain, now }); // v is new: its certificate cache holds only the anchor
    expect(sig.calls).toBe(2);
    // 700 other certificates in chains of 16 (each refused: the intermediate is missing).
    for (let i = 0; i + 15 <= extra.length; i += 15) {
      expect(() => v.verify({ chain: [pki.client.certDer, ...extra.slice(i, i + 15)], now })).toThrow();
    }
    // The validated chain is still cached: its signatures are not verified again.
    v.verify({ chain, now });
    expect(sig.calls).toBe(2);
  });

  it('audit #4: the WebCrypto verifier refuses an oversized chain before prefetching any signature', async () => {
    const v = new WebCryptoClientVerifier({ trustAnchors: [pki.root.certDer] });
    const t0 = performance.now();
    await expectFail(() => v.verify({ chain: [pki.client.certDer, ...extra, pki.intermediate.certDer], now }), A.bad_certificate, 'certificate-count');
    expect(performance.now() - t0).toBeLessThan(200);
    // And a chain within the cap still verifies.
    expect((await v.verify({ chain: [pki.client.certDer, pki.intermediate.certDer], now })).chain).toHaveLength(3);
  });
});

describe('x509 wrong rejection: maxChainLength counts the certificates of the path that are not self-issued intermediates', () => {
  // Root key rollover (RFC 4210 §4.4): the root's name with a new key, certified by the old key.
  let root: MintedCertificate;
  const rolled: MintedCertificate[] = [];
  const now = new Date();
  beforeAll(async () => {
    root = await mintCertificate({ subject: 'Rolling Root', isCA: true });
    let prev = root;
    for (let i = 0; i < 3; i++) {
      const next = await mintCertificate({ subject: 'Rolling Root', key: await generateKey('p256'), issuer: prev, isCA: true });
      expect(next.cert.selfIssued).toBe(true);
      rolled.push(next);
      prev = next;
    }
  });

  /** leaf ← "Issuing CA" ← the root's `depth`-th rolled-over key ← … ← root. */
  async function chainThrough(depth: number): Promise<Uint8Array[]> {
    const top = depth === 0 ? root : rolled[depth - 1]!;
    const issuing = await mintCertificate({ subject: 'Issuing CA', issuer: top, isCA: true });
    const leaf = await mintCertificate({ subject: 'leaf', issuer: issuing, eku: ['clientAuth'] });
    return [leaf.certDer, issuing.certDer, ...rolled.slice(0, depth).reverse().map((c) => c.certDer)];
  }
  const verify = (chain: Uint8Array[], maxChainLength?: number) =>
    new WebPkiClientVerifier({ trustAnchors: [root.certDer], verifier: nobleProvider.verifier, ...(maxChainLength ? { maxChainLength } : {}) }).verify({ chain, now });

  it('x509 wrong rejection: a self-issued intermediate does not count against maxChainLength', async () => {
    const chain = await chainThrough(1);
    const r = verify(chain, 3); // leaf, Issuing CA, root; the self-issued one is not counted
    expect(r.chain.map((c) => c.selfIssued)).toEqual([false, false, true, true]);
    await expectFail(() => verify(chain, 2), A.unknown_ca, 'chain-length');
  });

  it('x509 wrong rejection: … but a path holds at most two self-issued intermediates (maxChainLength + 2 certificates in all)', async () => {
    expect(verify(await chainThrough(2)).chain).toHaveLength(5);
    await expectFail(async () => verify(await chainThrough(3)), A.unknown_ca, 'chain-length');
  });
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}
