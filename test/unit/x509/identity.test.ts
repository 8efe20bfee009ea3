// Identity (subject, SANs, SPIFFE ID), SPKI pinning, verifier policies (withPolicy),
// signature_algorithms_cert, and the rsa_pss_pss_* / rsa_pss_rsae_* key binding.

import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { AlertDescription as A, CertificateError, TlsError } from '../../../src/errors.js';
import { toHex } from '../../../src/util/bytes.js';
import { SignatureScheme as S } from '../../../src/wire/codepoints.js';
import { WebPkiClientVerifier } from '../../../src/x509/client-verify.js';
import { formatPin, ipToText, isSpiffeId, parsePin, peerIdentity, spkiSha256 } from '../../../src/x509/identity.js';
import { type TestPki, mintCertificate, mintTestPki } from '../../../src/testing/mint.js';
import { requireSpiffeId, withPolicy } from '../../../src/x509/policy.js';
import { type VerifiedChain, type WebPkiVerifierOptions, WebPkiServerVerifier, keyAllowsScheme } from '../../../src/x509/verify.js';

let pki: TestPki;
const now = new Date();
beforeAll(async () => {
  pki = await mintTestPki({ serverNames: ['server.test', '2001:db8::1'], clientUri: 'spiffe://example.org/ns/prod/sa/web' });
});

async function failure(f: () => unknown): Promise<CertificateError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(CertificateError);
    return e as CertificateError;
  }
  throw new Error('expected a CertificateError');
}

const serverVerifier = (o: Partial<WebPkiVerifierOptions> = {}) => new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, ...o });
const clientVerifier = (o: Partial<WebPkiVerifierOptions> = {}) => new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, ...o });
const serverChain = (): Uint8Array[] => [pki.server.certDer, pki.intermediate.certDer];
const clientChain = (): Uint8Array[] => [pki.client.certDer, pki.intermediate.certDer];

describe('identity', () => {
  it('the verified chain carries subject, SANs and the SPIFFE ID', () => {
    const c = clientVerifier().verify({ chain: clientChain(), now });
    expect(c.identity).toMatchObject({
      subject: 'CN=client, O=tls13-engine test PKI',
      commonName: 'client',
      uri: ['spiffe://example.org/ns/prod/sa/web'],
      spiffeId: 'spiffe://example.org/ns/prod/sa/web',
    });
    const s = serverVerifier().verify({ chain: serverChain(), serverName: 'server.test', now });
    expect(s.identity).toMatchObject({ dns: ['server.test'], ip: ['2001:db8::1'], spiffeId: undefined });
    expect(s.identity!.spkiSha256).toEqual(new Uint8Array(createHash('sha256').update(pki.server.cert.spki).digest()));
  });

  it('SPIFFE ID: exactly one URI SAN, valid syntax', async () => {
    expect(isSpiffeId('spiffe://example.org/a/b')).toBe(true);
    expect(isSpiffeId('spiffe://example.org')).toBe(true);
    for (const bad of ['SPIFFE://example.org/a', 'spiffe://Example.org/a', 'spiffe://example.org/a/', 'spiffe://example.org/a/../b', 'spiffe://example.org:8443/a', 'spiffe://u@example.org/a', 'spiffe://example.org/a?q', 'https://example.org/a']) {
      expect(isSpiffeId(bad), bad).toBe(false);
    }
    const two = await mintCertificate({ subject: 'two', sans: ['spiffe://example.org/a', 'https://example.org/'] });
    expect(peerIdentity(two.cert).spiffeId).toBeUndefined();
  });

  it('IP text forms (RFC 5952)', () => {
    expect(ipToText(Uint8Array.of(192, 0, 2, 1))).toBe('192.0.2.1');
    expect(ipToText(Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1))).toBe('2001:db8::1:0:0:1');
    expect(ipToText(new Uint8Array(16))).toBe('::');
  });
});

describe('SPKI SHA-256 pinning', () => {
  it('parsePin reads hex (with colons) and base64, optionally prefixed', () => {
    const pin = spkiSha256(pki.server.cert);
    const { hex, base64 } = formatPin(pin);
    expect(parsePin(hex)).toEqual(pin);
    expect(parsePin(hex.toUpperCase().match(/../g)!.join(':'))).toEqual(pin);
    expect(parsePin(base64)).toEqual(pin);
    expect(parsePin(`sha256/${base64}`)).toEqual(pin);
    expect(() => parsePin('abcd')).toThrow(TypeError);
    expect(() => serverVerifier({ pins: [Uint8Array.of(1, 2, 3)] })).toThrow(/32 bytes/);
  });

  it("'and-ca': a valid path with any pinned key (leaf, intermediate or root)", async () => {
    for (const c of [pki.server, pki.intermediate, pki.root]) {
      expect(serverVerifier({ pins: [spkiSha256(c.cert)] }).verify({ chain: serverChain(), now }).chain).toHaveLength(3);
    }
    const e = await failure(() => serverVerifier({ pins: [spkiSha256(pki.client.cert)] }).verify({ chain: serverChain(), now }));
    expect({ alert: e.alertName, check: e.check }).toEqual({ alert: 'bad_certificate', check: 'pin' });
    // And the CA still counts: a pinned key in an untrusted chain is refused.
    const other = await mintCertificate({ subject: 'server.test', sans: ['server.test'] });
    const e2 = await failure(() => serverVerifier({ pins: [spkiSha256(other.cert)] }).verify({ chain: [other.certDer], now }));
    expect(e2.alertName).toBe('unknown_ca');
  });

  it("'instead-of-ca': a self-signed leaf with a pinned key, no anchors needed", async () => {
    const self = await mintCertificate({ subject: 'pinned', sans: ['server.test'], eku: ['serverAuth'] });
    const v = new WebPkiServerVerifier({ trustAnchors: [], verifier: nobleProvider.verifier, pins: [spkiSha256(self.cert)], pinMode: 'instead-of-ca' });
    const r = v.verify({ chain: [self.certDer], serverName: 'server.test', now });
    expect(r.chain).toHaveLength(1);
    // Pins are about keys: another certificate for the pinned key also passes; another key does not.
    const reissued = await mintCertificate({ subject: 'pinned again', key: self.key, sans: ['server.test'] });
    expect(v.verify({ chain: [reissued.certDer], now }).chain).toHaveLength(1);
    const e = await failure(() => v.verify({ chain: serverChain(), now }));
    expect({ alert: e.alertName, check: e.check }).toEqual({ alert: 'bad_certificate', check: 'pin' });
    // Validity and hostname still apply.
    const e2 = await failure(() => v.verify({ chain: [self.certDer], serverName: 'other.test', now }));
    expect(e2.check).toBe('hostname');
    expect(() => new WebPkiServerVerifier({ trustAnchors: [], verifier: nobleProvider.verifier, pinMode: 'instead-of-ca' })).toThrow(/needs pins/);
  });

  it('the client verifier pins too', async () => {
    const v = clientVerifier({ pins: [spkiSha256(pki.server.cert)] });
    const e = await failure(() => v.verify({ chain: clientChain(), now }));
    expect(e.check).toBe('pin');
  });
});

describe('withPolicy (verifier hooks)', () => {
  it('runs after the chain verified, sync or async, and keeps authorities', async () => {
    const seen: string[] = [];
    const v = withPolicy(clientVerifier(), (c) => void seen.push(c.identity!.subject), async (c) => c.chain.length === 3);
    expect(v.authorities).toEqual(clientVerifier().authorities);
    const r = v.verify({ chain: clientChain(), now });
    expect(r).toBeInstanceOf(Promise);
    expect((await r).leaf.der).toEqual(pki.client.certDer);
    expect(seen).toEqual(['CN=client, O=tls13-engine test PKI']);
    // All synchronous: the result is too.
    const sync = withPolicy(serverVerifier(), () => true).verify({ chain: serverChain(), now }) as VerifiedChain;
    expect(sync.chain).toHaveLength(3);
  });

  it('false or a thrown error → access_denied / policy; a TlsError keeps its alert; the chain check comes first', async () => {
    const deny = withPolicy(clientVerifier(), async () => false);
    const e = await failure(() => deny.verify({ chain: clientChain(), now }));
    expect({ alert: e.alertName, check: e.check }).toEqual({ alert: 'access_denied', check: 'policy' });
    const boom = withPolicy(clientVerifier(), () => {
      throw new Error('not on the list');
    });
    expect((await failure(() => boom.verify({ chain: clientChain(), now }))).message).toContain('not on the list');
    const own = withPolicy(clientVerifier(), () => {
      throw new CertificateError(A.certificate_unknown, 'my-check', 'nope');
    });
    expect((await failure(() => own.verify({ chain: clientChain(), now }))).check).toBe('my-check');
    // A chain that fails (here: serverAuth only, presented as a client certificate) never reaches the policy.
    let called = false;
    const wrongEku = withPolicy(clientVerifier(), () => void (called = true));
    await expect(async () => wrongEku.verify({ chain: serverChain(), now })).rejects.toThrow(TlsError);
    expect(called).toBe(false);
  });

  it('requireSpiffeId: an exact ID, a trust domain, a pattern', async () => {
    const input = { chain: clientChain(), now };
    await withPolicy(clientVerifier(), requireSpiffeId('spiffe://example.org/ns/prod/sa/web')).verify(input);
    await withPolicy(clientVerifier(), requireSpiffeId('spiffe://example.org')).verify(input);
    await withPolicy(clientVerifier(), requireSpiffeId(/\/ns\/prod\//)).verify(input);
    const e = await failure(() => withPolicy(clientVerifier(), requireSpiffeId(['spiffe://other.org'])).verify(input));
    expect({ alert: e.alertName, check: e.check }).toEqual({ alert: 'access_denied', check: 'policy' });
    const e2 = await failure(() => withPolicy(serverVerifier(), requireSpiffeId('spiffe://example.org')).verify({ chain: serverChain(), now }));
    expect(e2.message).toContain('no SPIFFE ID');
  });
});

describe('signature_algorithms_cert (RFC 8446 §4.2.3)', () => {
  it('accepts a chain signed with listed schemes, rejects others with unsupported_certificate', async () => {
    const v = serverVerifier();
    expect(v.verify({ chain: serverChain(), now, signatureAlgorithmsCert: [S.ecdsa_secp256r1_sha256] }).chain).toHaveLength(3);
    const e = await failure(() => v.verify({ chain: serverChain(), now, signatureAlgorithmsCert: [S.ed25519, S.rsa_pss_rsae_sha256] }));
    expect({ alert: e.alertName, check: e.check }).toEqual({ alert: 'unsupported_certificate', check: 'signature-algorithms-cert' });
  });

  it("the anchor's self-signature is not subject to it", async () => {
    // The root signs itself with RSASSA-PSS and the leaf with PKCS#1 v1.5; only the latter counts.
    const root = await mintCertificate({ subject: 'rsa root', keyType: 'rsa2048', isCA: true, rsaPss: true });
    expect(root.cert.signatureScheme).toBe(S.rsa_pss_rsae_sha256);
    const leaf = await mintCertificate({ subject: 'leaf', issuer: root, sans: ['x.test'] });
    expect(leaf.cert.signatureScheme).toBe(S.rsa_pkcs1_sha256);
    const v = new WebPkiServerVerifier({ trustAnchors: [root.certDer], verifier: nobleProvider.verifier });
    expect(v.verify({ chain: [leaf.certDer], now, signatureAlgorithmsCert: [S.rsa_pkcs1_sha256] }).chain).toHaveLength(2);
  });

  it('applies to client chains too', async () => {
    const e = await failure(() => clientVerifier().verify({ chain: clientChain(), now, signatureAlgorithmsCert: [S.ecdsa_secp384r1_sha384] }));
    expect(e.check).toBe('signature-algorithms-cert');
  });
});

describe('RSASSA-PSS keys: rsa_pss_pss_* vs rsa_pss_rsae_*', () => {
  it('a CA with an id-RSASSA-PSS key signs with PSS, verified as rsa_pss_pss_sha256', async () => {
    const root = await mintCertificate({ subject: 'PSS root', keyType: 'rsa2048', isCA: true, pssKey: true, rsaPss: true });
    expect(root.cert.publicKey).toMatchObject({ kind: 'rsa', pss: true });
    const leaf = await mintCertificate({ subject: 'leaf', issuer: root, rsaPss: true, sans: ['x.test'] });
    const v = new WebPkiServerVerifier({ trustAnchors: [root.certDer], verifier: nobleProvider.verifier });
    expect(v.verify({ chain: [leaf.certDer], now, signatureAlgorithmsCert: [S.rsa_pss_pss_sha256] }).chain).toHaveLength(2);
    // Listing only the rsae scheme does not cover a PSS key's signature.
    const e = await failure(() => v.verify({ chain: [leaf.certDer], now, signatureAlgorithmsCert: [S.rsa_pss_rsae_sha256] }));
    expect(e.check).toBe('signature-algorithms-cert');
    // A PKCS#1 v1.5 signature by a PSS key is refused (RFC 4055 §1.2).
    const bad = await mintCertificate({ subject: 'pkcs1', issuer: root, sans: ['x.test'] });
    const e2 = await failure(() => v.verify({ chain: [bad.certDer], now }));
    expect({ alert: e2.alertName, check: e2.check }).toEqual({ alert: 'bad_certificate', check: 'signature-algorithm' });
  });

  it('the noble verifier binds schemes to key kinds', async () => {
    const k = await mintCertificate({ subject: 'k', keyType: 'rsa2048', rsaPss: true });
    const rsae = k.cert.publicKey;
    const msg = k.cert.tbs;
    expect(nobleProvider.verifier.verify(S.rsa_pss_rsae_sha256, rsae, msg, k.cert.signature)).toBe(true);
    expect(nobleProvider.verifier.verify(S.rsa_pss_pss_sha256, rsae, msg, k.cert.signature)).toBe(false);
    const pssKey = { ...(rsae as Extract<typeof rsae, { kind: 'rsa' }>), pss: true as const };
    expect(nobleProvider.verifier.verify(S.rsa_pss_pss_sha256, pssKey, msg, k.cert.signature)).toBe(true);
    expect(nobleProvider.verifier.verify(S.rsa_pss_rsae_sha256, pssKey, msg, k.cert.signature)).toBe(false);
  });

  it('keyAllowsScheme for CertificateVerify', async () => {
    const pss = await mintCertificate({ subject: 'pss', keyType: 'rsa2048', pssKey: true, rsaPss: true });
    const rsa = await mintCertificate({ subject: 'rsa', keyType: 'rsa2048' });
    expect(keyAllowsScheme(pss.cert, S.rsa_pss_pss_sha384)).toBe(true);
    expect(keyAllowsScheme(pss.cert, S.rsa_pss_rsae_sha256)).toBe(false);
    expect(keyAllowsScheme(rsa.cert, S.rsa_pss_rsae_sha256)).toBe(true);
    expect(keyAllowsScheme(rsa.cert, S.rsa_pss_pss_sha256)).toBe(false);
    expect(toHex(pss.cert.spki)).toContain('06092a864886f70d01010a');
  });
});
