// The chain validator remembers signatures that verified (per validator, by exact certificate
// bytes) and skips only those: every other check still runs on every verification.
import { describe, expect, it } from 'vitest';
import type { SignatureVerifier } from '../../../src/crypto/provider.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { nodeProvider } from '../../../src/crypto/node/index.js';
import { CertificateError } from '../../../src/errors.js';
import { SignatureScheme } from '../../../src/wire/codepoints.js';
import { CertificateCache } from '../../../src/x509/certificate.js';
import { mintTestPki } from '../../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';

function counting(inner: SignatureVerifier): SignatureVerifier & { calls: number } {
  const v = {
    calls: 0,
    schemes: inner.schemes,
    verify(scheme: number, key: Parameters<SignatureVerifier['verify']>[1], message: Uint8Array, signature: Uint8Array): boolean {
      v.calls++;
      return inner.verify(scheme, key, message, signature);
    },
  };
  return v;
}

async function expectCheck(f: () => unknown, check: string): Promise<void> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CertificateError);
  expect((err as CertificateError).check).toBe(check);
}

describe('verified-signature cache', async () => {
  const pki = await mintTestPki({ serverNames: ['localhost'] });
  const chain = [pki.server.certDer, pki.intermediate.certDer];
  const now = new Date();

  it('a chain seen again costs no signature verification; another validator verifies for itself', () => {
    const sigs = counting(nobleProvider.verifier);
    const cache = new CertificateCache();
    const v = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: sigs, certificateCache: cache });
    v.verify({ chain, serverName: 'localhost', now });
    expect(sigs.calls).toBe(2); // leaf by intermediate, intermediate by root
    v.verify({ chain: chain.map((c) => c.slice()), serverName: 'localhost', now }); // same bytes, new arrays
    expect(sigs.calls).toBe(2);
    const other = counting(nodeProvider.verifier);
    new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: other }).verify({ chain, serverName: 'localhost', now });
    expect(other.calls).toBe(2);
    // The parse cache emptied: new objects, verified again.
    cache.clear();
    v.verify({ chain, serverName: 'localhost', now });
    expect(sigs.calls).toBe(4);
  });

  it('the certificate cache belongs to the verifier: none is shared unless passed in', () => {
    const a = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier });
    const b = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier });
    const fromA = a.verify({ chain, serverName: 'localhost', now });
    const fromB = b.verify({ chain, serverName: 'localhost', now });
    expect(fromB.leaf).not.toBe(fromA.leaf); // each parsed its own
    expect(a.verify({ chain, serverName: 'localhost', now }).leaf).toBe(fromA.leaf); // and keeps it
    const shared = new CertificateCache();
    const c = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, certificateCache: shared });
    const d = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, certificateCache: shared });
    expect(d.verify({ chain, serverName: 'localhost', now }).leaf).toBe(c.verify({ chain, serverName: 'localhost', now }).leaf);
    expect(shared.size).toBe(3); // root, intermediate, leaf
  });

  it('a cache holds at most `capacity` certificates, least recently used out first', () => {
    const small = new CertificateCache(2);
    const [leaf, inter, root] = [pki.server.certDer, pki.intermediate.certDer, pki.root.certDer].map((d) => small.parse(d));
    expect(small.size).toBe(2);
    expect(small.parse(pki.root.certDer)).toBe(root);
    expect(small.parse(pki.intermediate.certDer)).toBe(inter);
    expect(small.parse(pki.server.certDer)).not.toBe(leaf); // evicted first
    expect(() => new CertificateCache(0)).toThrow(RangeError);
  });

  it('every other check still runs: name, clock, schemes allowed, and failures are never cached', async () => {
    const sigs = counting(nobleProvider.verifier);
    const v = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: sigs });
    v.verify({ chain, serverName: 'localhost', now });
    await expectCheck(() => v.verify({ chain, serverName: 'other.test', now }), 'hostname');
    await expectCheck(() => v.verify({ chain, serverName: 'localhost', now: new Date(now.getTime() + 400 * 86_400_000) }), 'validity');
    await expectCheck(
      () => v.verify({ chain, serverName: 'localhost', now, signatureAlgorithmsCert: [SignatureScheme.rsa_pss_rsae_sha256] }),
      'signature-algorithms-cert',
    );
    // A forged signature on the same certificate body: different bytes, verified, refused — every time.
    const forged = pki.server.certDer.slice();
    forged[forged.length - 3]! ^= 1;
    const before = sigs.calls;
    await expectCheck(() => v.verify({ chain: [forged, pki.intermediate.certDer], serverName: 'localhost', now }), 'signature');
    await expectCheck(() => v.verify({ chain: [forged, pki.intermediate.certDer], serverName: 'localhost', now }), 'signature');
    expect(sigs.calls).toBe(before + 2);
  });
});
