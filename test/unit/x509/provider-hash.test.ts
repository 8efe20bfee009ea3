// X.509 hashing goes through the provider (issue 13): SPKI pins, PeerIdentity.spkiSha256 and
// SHA-2 OCSP CertIDs use WebPkiVerifierOptions.hash (a provider's `hash`), else defaultProvider()'s.
import { beforeAll, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import type { CryptoProvider } from '../../../src/crypto/provider.js';
import { WebPkiClientVerifier } from '../../../src/x509/client-verify.js';
import { spkiSha256 } from '../../../src/x509/identity.js';
import { type TestPki, mintOcspResponse, mintTestPki } from '../../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';

let pki: TestPki;
const now = new Date();
beforeAll(async () => {
  pki = await mintTestPki({ serverNames: ['server.test'] });
});

function countingHash(): { hash: CryptoProvider['hash']; names: string[] } {
  const names: string[] = [];
  return { names, hash: (name) => (names.push(name), nobleProvider.hash(name)) };
}

describe('x509 hashing through the provider', () => {
  it("pins and the peer identity's SPKI hash use the verifier's `hash`", () => {
    const { hash, names } = countingHash();
    const v = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, pins: [spkiSha256(pki.server.cert)], hash });
    const result = v.verify({ chain: [pki.server.certDer, pki.intermediate.certDer], serverName: 'server.test', now });
    expect(result.identity!.spkiSha256).toEqual(spkiSha256(pki.server.cert));
    expect(names.length).toBeGreaterThanOrEqual(2); // a pin lookup and the identity
    expect(new Set(names)).toEqual(new Set(['SHA-256']));
    const c = countingHash();
    new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, hash: c.hash }).verify({ chain: [pki.client.certDer, pki.intermediate.certDer], now });
    expect(c.names).toEqual(['SHA-256']);
  });

  it("a SHA-256 OCSP CertID is hashed with the verifier's `hash`", async () => {
    const { hash, names } = countingHash();
    const staple = await mintOcspResponse({ cert: pki.server, issuer: pki.intermediate, status: 'good', certIdHash: 'SHA-256' });
    const v = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, hash });
    v.verify({ chain: [pki.server.certDer, pki.intermediate.certDer], serverName: 'server.test', now, ocspResponse: staple });
    expect(names.filter((n) => n === 'SHA-256').length).toBeGreaterThanOrEqual(3); // CertID name and key hashes, identity
  });
});
