// Server certificate verification through the engine: chains minted at test time, the real
// verifier, and the alert each failure puts on the wire.

import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { ClientConfig } from '../../src/connection/config.js';
import { AlertDescription as A, CertificateError, PeerAlertError } from '../../src/errors.js';
import { nobleProvider, signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import { mintTestPki, type TestPki } from '../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { SignatureScheme } from '../../src/wire/codepoints.js';
import { runPair } from '../helpers/scripted.js';

let pki: TestPki;
let otherPki: TestPki;

beforeAll(async () => {
  pki = await mintTestPki({ keyType: 'p256', serverNames: ['localhost', 'www.example.test', '127.0.0.1'] });
  otherPki = await mintTestPki({ keyType: 'p256' });
}, 60_000);

function serverFor(p: TestPki) {
  return createServerConnection({
    certificateChain: [p.server.certDer, p.intermediate.certDer],
    signingKey: signingKeyFromMaterial(p.server.key),
  });
}

function clientTrusting(p: TestPki, extra: Partial<ClientConfig> = {}) {
  return createClientConnection({
    serverName: 'localhost',
    verifier: new WebPkiServerVerifier({ trustAnchors: [p.root.certDer], verifier: nobleProvider.verifier }),
    ...extra,
  });
}

function expectCertificateFailure(o: ReturnType<typeof runPair>, alert: number, check: string): void {
  expect(o.clientError).toBeInstanceOf(CertificateError);
  expect(o.clientError!.alert).toBe(alert);
  expect((o.clientError as CertificateError).check).toBe(check);
  // The server reads the same alert off the wire.
  expect(o.serverError).toBeInstanceOf(PeerAlertError);
  expect(o.serverError!.alert).toBe(alert);
  expect(o.client.handshakeComplete).toBe(false);
}

describe('server certificate verification', () => {
  it('a chain to a configured anchor verifies; the peer chain is reported', () => {
    const o = runPair({ clientConn: clientTrusting(pki), serverConn: serverFor(pki) });
    expect(o.clientError).toBeUndefined();
    expect(o.client.handshakeComplete).toBe(true);
    expect(o.client.parameters.signatureScheme).toBe(SignatureScheme.ecdsa_secp256r1_sha256);
    expect(o.client.parameters.peerCertificates).toHaveLength(2);
  });

  it('names: another DNS SAN, and an IP SAN (not sent as SNI)', () => {
    expect(runPair({ clientConn: clientTrusting(pki, { serverName: 'www.example.test' }), serverConn: serverFor(pki) }).client.handshakeComplete).toBe(true);
    const ip = runPair({ clientConn: clientTrusting(pki, { serverName: '127.0.0.1' }), serverConn: serverFor(pki) });
    expect(ip.client.handshakeComplete).toBe(true);
    expect(ip.server.parameters.serverName).toBeUndefined();
  });

  it('an untrusted chain → unknown_ca', () => {
    const o = runPair({ clientConn: clientTrusting(otherPki), serverConn: serverFor(pki) });
    expectCertificateFailure(o, A.unknown_ca, 'issuer');
  });

  it('an expired certificate (by the injected clock) → certificate_expired', () => {
    const future = new Date(pki.server.cert.notAfter.getTime() + 86_400_000);
    const o = runPair({ clientConn: clientTrusting(pki, { now: () => future }), serverConn: serverFor(pki) });
    expectCertificateFailure(o, A.certificate_expired, 'validity');
  });

  it('a certificate not yet valid (by the injected clock) → certificate_expired', () => {
    const past = new Date(pki.server.cert.notBefore.getTime() - 86_400_000);
    const o = runPair({ clientConn: clientTrusting(pki, { now: () => past }), serverConn: serverFor(pki) });
    expectCertificateFailure(o, A.certificate_expired, 'validity');
  });

  it('a wrong name → bad_certificate', () => {
    const o = runPair({ clientConn: clientTrusting(pki, { serverName: 'evil.test' }), serverConn: serverFor(pki) });
    expectCertificateFailure(o, A.bad_certificate, 'hostname');
  });

  it('skipping verification is explicit, and then an untrusted chain is accepted', () => {
    const o = runPair({
      clientConn: createClientConnection({ serverName: 'evil.test', insecureSkipVerify: true }),
      serverConn: serverFor(pki),
    });
    expect(o.client.handshakeComplete).toBe(true);
  });

  for (const keyType of ['p384', 'ed25519', 'rsa2048'] as const) {
    it(`${keyType} server certificates`, async () => {
      const p = await mintTestPki({ keyType });
      const o = runPair({ clientConn: clientTrusting(p), serverConn: serverFor(p) });
      expect(o.clientError).toBeUndefined();
      // RSA signing goes through WebCrypto (async): the pair awaits nothing, so drive it.
      if (!o.client.handshakeComplete) {
        await o.server.pending;
        o.server.process();
        const again = runPair({ clientConn: o.client, serverConn: o.server });
        expect(again.clientError).toBeUndefined();
      }
      expect(o.client.handshakeComplete).toBe(true);
      expect(o.client.parameters.signatureSchemeName).toBe(
        keyType === 'p384' ? 'ecdsa_secp384r1_sha384' : keyType === 'ed25519' ? 'ed25519' : 'rsa_pss_rsae_sha256',
      );
    }, 30_000);
  }
});
