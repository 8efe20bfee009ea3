// Audit finding 1 on the wire: a peer's chain carries same-name "CA" certificates with hostile
// RSA keys (a public exponent of thousands of bits). Both roles refuse them at parse, never
// exponentiate by them, and send unsupported_certificate (as for an unsupported curve).
import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import { AlertDescription as A, CertificateError, PeerAlertError } from '../../src/errors.js';
import { nobleProvider, signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import type { PrivateKeyMaterial, PublicKey, SignatureVerifier } from '../../src/crypto/provider.js';
import { generateKey, mintCertificate, mintTestPki, type TestPki } from '../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { WebPkiClientVerifier } from '../../src/x509/client-verify.js';
import { runPair, type PairOutcome } from '../helpers/scripted.js';

const TWO_32 = 1n << 32n;
let pki: TestPki;
let hostileChain: Uint8Array[];
let leafKey: PrivateKeyMaterial;

function randomModulus(bits: number): bigint {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(bits / 8));
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n | (1n << BigInt(bits - 1)) | 1n;
}

/** Records the keys the verifier is asked to use. */
function spy(): SignatureVerifier & { keys: PublicKey[] } {
  const inner = nobleProvider.verifier;
  const keys: PublicKey[] = [];
  return { schemes: inner.schemes, keys, verify: (s, k, m, sig) => (keys.push(k), inner.verify(s, k, m, sig)) };
}

beforeAll(async () => {
  pki = await mintTestPki({ serverNames: ['localhost'] });
  // The repro's shape: "Evil CA" (untrusted) signs the leaf; fakes named "Evil CA", CA:TRUE, no
  // key identifiers, 4096-bit n and e ≈ n/4, certified by anyone.
  const evil = await mintCertificate({ subject: 'Evil CA', keyType: 'rsa2048', isCA: true, omitKeyIdentifiers: true });
  leafKey = await generateKey('p256');
  const leaf = await mintCertificate({ subject: 'localhost', key: leafKey, issuer: evil, sans: ['localhost'], eku: ['serverAuth', 'clientAuth'], omitKeyIdentifiers: true });
  const n = randomModulus(4096);
  const fakes: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    const key: PrivateKeyMaterial = { kind: 'rsa', n, e: ((n >> 2n) - BigInt(2 * i)) | 1n, d: 1n, p: 1n, q: 1n, dp: 1n, dq: 1n, qi: 1n };
    fakes.push((await mintCertificate({ subject: 'Evil CA', key, issuer: pki.root, isCA: true, omitKeyIdentifiers: true })).certDer);
  }
  hostileChain = [leaf.certDer, ...fakes];
}, 60_000);

function expectRefused(o: PairOutcome, verifying: 'client' | 'server', v: { keys: PublicKey[] }): void {
  const [own, peer] = verifying === 'client' ? [o.clientError, o.serverError] : [o.serverError, o.clientError];
  expect(own).toBeInstanceOf(CertificateError);
  expect({ alert: own!.alertName, check: (own as CertificateError).check }).toEqual({ alert: 'unsupported_certificate', check: 'public-key' });
  // The alert went on the wire: the other side read it.
  expect(peer).toBeInstanceOf(PeerAlertError);
  expect(peer!.alert).toBe(A.unsupported_certificate);
  expect(v.keys.filter((k) => k.kind === 'rsa' && k.e > TWO_32)).toEqual([]);
}

describe('audit #1: hostile RSA exponents in a Certificate message', () => {
  it('audit #1: an mTLS server receiving the hostile client chain sends unsupported_certificate', () => {
    const v = spy();
    const o = runPair({
      clientConn: createClientConnection({
        serverName: 'localhost',
        verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
        clientCertificates: [{ chain: hostileChain, key: signingKeyFromMaterial(leafKey) }],
      }),
      serverConn: createServerConnection({
        certificateChain: [pki.server.certDer, pki.intermediate.certDer],
        signingKey: signingKeyFromMaterial(pki.server.key),
        clientAuth: { mode: 'required', sendAuthorities: false, verifier: new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: v }) },
      }),
    });
    expect(o.server.handshakeComplete).toBe(false);
    expectRefused(o, 'server', v);
  });

  it('audit #1: a client receiving the hostile server chain sends unsupported_certificate', () => {
    const v = spy();
    const o = runPair({
      clientConn: createClientConnection({ serverName: 'localhost', verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: v }) }),
      serverConn: createServerConnection({ certificateChain: hostileChain, signingKey: signingKeyFromMaterial(leafKey) }),
    });
    expect(o.client.handshakeComplete).toBe(false);
    expectRefused(o, 'client', v);
  });
});
