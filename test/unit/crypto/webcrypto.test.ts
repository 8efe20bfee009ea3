// The WebCrypto provider's parts that are not the shared conformance suite (providers.test.ts):
// certificate verifiers whose chain signatures SubtleCrypto verifies ahead of the synchronous
// validator, the signature format conversions, and async signing keys in a handshake.
import { describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../../src/connection/index.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { derToP1363, p1363ToDer, WebCryptoClientVerifier, WebCryptoServerVerifier, webCryptoProvider } from '../../../src/crypto/webcrypto/index.js';
import { CertificateError } from '../../../src/errors.js';
import { connectPair } from '../../../src/transport/memory.js';
import { fromHex, toHex } from '../../../src/util/bytes.js';
import { mintTestPki, type KeyType } from '../../../src/x509/mint.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';

describe('ECDSA signature formats', () => {
  it('DER ↔ r || s, strict DER only', () => {
    const der = fromHex('3006020101020102');
    expect(toHex(derToP1363(der, 32)!)).toBe(`${'00'.repeat(31)}01${'00'.repeat(31)}02`);
    expect(toHex(p1363ToDer(derToP1363(der, 32)!))).toBe('3006020101020102');
    const high = fromHex(`3046022100${'ff'.repeat(32)}022100${'80'.repeat(32)}`);
    expect(toHex(p1363ToDer(derToP1363(high, 32)!))).toBe(toHex(high));
    expect(derToP1363(fromHex('3006020201020102'), 32)).toBeUndefined(); // non-minimal
    expect(derToP1363(fromHex('30060201ff020102'), 32)).toBeUndefined(); // negative
    expect(derToP1363(fromHex('300602010102010200'), 32)).toBeUndefined(); // trailing byte
    expect(derToP1363(fromHex('3007020101020102'), 32)).toBeUndefined(); // wrong length
  });
});

describe.each(['p256', 'p384', 'rsa2048', 'ed25519'] as KeyType[])('WebCrypto verifiers, %s chain', async (keyType) => {
  const pki = await mintTestPki({ keyType, serverNames: ['localhost'] });
  const chain = [pki.server.certDer, pki.intermediate.certDer];
  const now = new Date();

  it('verify what WebPkiServerVerifier verifies, with SubtleCrypto answering every chain signature', async () => {
    const v = new WebCryptoServerVerifier({ trustAnchors: [pki.root.certDer] });
    const r = await v.verify({ chain, serverName: 'localhost', now });
    const ref = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }).verify({ chain, serverName: 'localhost', now });
    expect(r.chain.map((c) => toHex(c.der))).toEqual(ref.chain.map((c) => toHex(c.der)));
    expect(r.identity).toEqual(ref.identity);
    expect(v.stats).toEqual({ prefetched: 2, fallback: 0 });
    await v.verify({ chain, serverName: 'localhost', now }); // the validator's cache: no more questions
    expect(v.stats).toEqual({ prefetched: 2, fallback: 0 });
  });

  it('refuse a forged signature and a wrong name, as WebPkiServerVerifier does', async () => {
    const v = new WebCryptoServerVerifier({ trustAnchors: [pki.root.certDer] });
    const forged = pki.server.certDer.slice();
    forged[forged.length - 5]! ^= 0x10;
    await expect(v.verify({ chain: [forged, pki.intermediate.certDer], serverName: 'localhost', now })).rejects.toSatisfy(
      (e: unknown) => e instanceof CertificateError && (e.check === 'signature' || e.check === 'parse'),
    );
    await expect(v.verify({ chain, serverName: 'other.test', now })).rejects.toSatisfy((e: unknown) => e instanceof CertificateError && e.check === 'hostname');
  });

  it('client certificates (clientAuth) through WebCryptoClientVerifier', async () => {
    const v = new WebCryptoClientVerifier({ trustAnchors: [pki.root.certDer] });
    expect(v.authorities.length).toBe(1);
    const r = await v.verify({ chain: [pki.client.certDer, pki.intermediate.certDer], now });
    expect(toHex(r.leaf.der)).toBe(toHex(pki.client.certDer));
  });

  it('a handshake with the webcrypto provider: async signing, SubtleCrypto chain verification', async () => {
    const verifier = new WebCryptoServerVerifier({ trustAnchors: [pki.root.certDer] });
    const client = createClientConnection({ provider: webCryptoProvider, serverName: 'localhost', verifier });
    const server = createServerConnection({
      provider: webCryptoProvider,
      certificateChain: chain,
      signingKey: webCryptoProvider.signingKey!(pki.server.key),
    });
    const p = await connectPair(client, server).handshake();
    expect(p.client.version).toBe('TLSv1.3');
    expect(verifier.stats.fallback).toBe(0);
  });
});
