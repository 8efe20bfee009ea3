import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignatureVerifier } from '../../../src/crypto/provider.js';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { AlertDescription as A, CertificateError } from '../../../src/errors.js';
import { fromHex, toHex } from '../../../src/util/bytes.js';
import { SignatureScheme } from '../../../src/wire/codepoints.js';
import { type ParsedCertificate, parseCertificate } from '../../../src/x509/certificate.js';
import {
  type MintCertificateOptions,
  type MintedCertificate,
  type TestPki,
  mintCertificate,
  mintTestPki,
} from '../../../src/testing/mint.js';
import { pemDecode } from '../../../src/x509/pem.js';
import {
  InsecureSkipVerification,
  type PathChecker,
  type WebPkiVerifierOptions,
  WebPkiServerVerifier,
} from '../../../src/x509/verify.js';
import { rfc8448ServerRsa } from './fixtures.js';
import { DAY, expectFail, hasOpenssl, nodeSignatureVerifier, openssl, tempDir } from '../../helpers/x509.js';

const NB = new Date('2030-01-01T00:00:00Z');
const NA = new Date('2031-01-01T00:00:00Z');
const NOW = new Date('2030-06-01T00:00:00Z');
const HOST = 'server.test';

const subjects = (chain: ParsedCertificate[]): string[] => chain.map((c) => c.subject.text);

const verifiers: [string, SignatureVerifier][] = [
  ['node:crypto test verifier', nodeSignatureVerifier()],
  ['nobleProvider.verifier', nobleProvider.verifier],
];

describe.each(verifiers)('WebPkiServerVerifier with %s', (_name, sigVerifier) => {
  let pki: TestPki;
  const mk = (o: Omit<MintCertificateOptions, 'notBefore' | 'notAfter'> & { notBefore?: Date; notAfter?: Date }): Promise<MintedCertificate> =>
    mintCertificate({ notBefore: NB, notAfter: NA, ...o });
  const leafOpts = (issuer: MintedCertificate, extra: Partial<MintCertificateOptions> = {}): MintCertificateOptions => ({
    subject: HOST,
    issuer,
    sans: [HOST],
    eku: ['serverAuth'],
    notBefore: NB,
    notAfter: NA,
    ...extra,
  });
  const verifierFor = (opts: Partial<WebPkiVerifierOptions> = {}): WebPkiServerVerifier =>
    new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: sigVerifier, ...opts });
  /** `serverName` null: none given (no hostname check). */
  const verify = (chain: Uint8Array[], opts: Partial<WebPkiVerifierOptions> = {}, serverName: string | null = HOST, now = NOW) =>
    verifierFor(opts).verify(serverName === null ? { chain, now } : { chain, serverName, now });

  beforeAll(async () => {
    pki = await mintTestPki({ keyType: 'p256', serverNames: [HOST, '192.0.2.7'], notBefore: NB, notAfter: NA });
  });

  describe('accepts', () => {
    it('an ordered chain', () => {
      const r = verify([pki.server.certDer, pki.intermediate.certDer]);
      expect(subjects(r.chain)).toEqual([
        'CN=server.test, O=tls13-engine test PKI',
        'CN=Test Intermediate CA, O=tls13-engine test PKI',
        'CN=Test Root CA, O=tls13-engine test PKI',
      ]);
      expect(r.leaf).toBe(r.chain[0]);
      expect(r.leaf.der).toEqual(pki.server.certDer);
    });

    it('a shuffled chain with the root and an unrelated certificate', async () => {
      const stray = await mk({ subject: 'stray', isCA: true });
      const r = verify([pki.server.certDer, pki.root.certDer, stray.certDer, pki.intermediate.certDer]);
      expect(r.chain).toHaveLength(3);
      expect(r.chain[2]!.der).toEqual(pki.root.certDer);
    });

    it('an intermediate from configuration', () => {
      const r = verify([pki.server.certDer], { intermediates: [pki.intermediate.certDer] });
      expect(r.chain).toHaveLength(3);
    });

    it('an IP literal server name, and no server name at all', () => {
      expect(verify([pki.server.certDer, pki.intermediate.certDer], {}, '192.0.2.7').chain).toHaveLength(3);
      expect(verify([pki.server.certDer, pki.intermediate.certDer], {}, null).chain).toHaveLength(3);
    });

    it('validity bounds are inclusive', () => {
      const chain = [pki.server.certDer, pki.intermediate.certDer];
      expect(verify(chain, {}, HOST, NB).chain).toHaveLength(3);
      expect(verify(chain, {}, HOST, NA).chain).toHaveLength(3);
    });

    it('a leaf with anyExtendedKeyUsage, or with no EKU', async () => {
      for (const eku of [['any'], []] as const) {
        const leaf = await mintCertificate(leafOpts(pki.intermediate, { eku: [...eku] }));
        expect(verify([leaf.certDer, pki.intermediate.certDer]).chain).toHaveLength(3);
      }
    });

    it('a pinned self-signed leaf listed as a trust anchor', async () => {
      const self = await mk({ subject: HOST, sans: [HOST], eku: ['serverAuth'] });
      const r = verify([self.certDer], { trustAnchors: [self.certDer] });
      expect(r.chain).toHaveLength(1);
    });

    it('RSA, Ed25519, P-384 and mixed PKIs, and RSASSA-PSS signatures', async () => {
      for (const [keyType, caKeyType] of [['rsa2048', 'rsa2048'], ['ed25519', 'ed25519'], ['p384', 'p384'], ['rsa2048', 'p384'], ['p256', 'ed25519']] as const) {
        const p = await mintTestPki({ keyType, caKeyType, serverNames: [HOST], notBefore: NB, notAfter: NA });
        const r = verifierFor({ trustAnchors: [p.root.certDer] }).verify({ chain: [p.server.certDer, p.intermediate.certDer], serverName: HOST, now: NOW });
        expect(r.chain).toHaveLength(3);
      }
      const rsaRoot = await mk({ subject: 'pss root', keyType: 'rsa2048', isCA: true });
      const leaf = await mintCertificate(leafOpts(rsaRoot, { rsaPss: true }));
      expect(leaf.cert.signatureScheme).toBe(SignatureScheme.rsa_pss_rsae_sha256);
      expect(verify([leaf.certDer], { trustAnchors: [rsaRoot.certDer] }).chain).toHaveLength(2);
    });

    it('backtracks: an expired presented intermediate, a valid configured one (same name and key)', async () => {
      const expiredCopy = await mintCertificate({
        subject: { organization: 'tls13-engine test PKI', commonName: 'Test Intermediate CA' },
        key: pki.intermediate.key,
        issuer: pki.root,
        isCA: true,
        notBefore: NB,
        notAfter: new Date(NOW.getTime() - DAY),
      });
      const chain = [pki.server.certDer, expiredCopy.certDer];
      await expectFail(() => verify(chain), A.certificate_expired, 'validity');
      const r = verify(chain, { intermediates: [pki.intermediate.certDer] });
      expect(r.chain[1]!.der).toEqual(pki.intermediate.certDer);
    });

    it('backtracks: a same-name intermediate with another key is skipped', async () => {
      const impostor = await mk({
        subject: { organization: 'tls13-engine test PKI', commonName: 'Test Intermediate CA' },
        issuer: pki.root,
        isCA: true,
      });
      // Leaf without AKI, so the impostor is actually tried (and its signature check fails).
      const leaf = await mintCertificate(leafOpts(pki.intermediate, { omitKeyIdentifiers: true }));
      const r = verify([leaf.certDer, impostor.certDer, pki.intermediate.certDer]);
      expect(r.chain[1]!.der).toEqual(pki.intermediate.certDer);
      // Only the impostor: its signature failure is the reported error, not unknown_ca.
      await expectFail(() => verify([leaf.certDer, impostor.certDer]), A.bad_certificate, 'signature');
    });

    it('path checkers see the path and can claim critical extensions', async () => {
      const leaf = await mintCertificate(leafOpts(pki.intermediate, { extraExtensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, value: Uint8Array.of(5, 0) }] }));
      const chain = [leaf.certDer, pki.intermediate.certDer];
      await expectFail(() => verify(chain), A.unsupported_certificate, 'critical-extension');
      const seen: string[][] = [];
      const checker: PathChecker = {
        handlesExtensions: ['1.3.6.1.4.1.99999.1'],
        check: (path) => void seen.push(subjects([...path])),
      };
      expect(verify(chain, { pathCheckers: [checker] }).chain).toHaveLength(3);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toHaveLength(3);
      const revoker: PathChecker = {
        check: () => {
          throw new CertificateError(A.certificate_revoked, 'revocation', 'revoked');
        },
      };
      await expectFail(() => verify([pki.server.certDer, pki.intermediate.certDer], { pathCheckers: [revoker] }), A.certificate_revoked, 'revocation');
    });
  });

  describe('rejects', () => {
    it('a missing intermediate → unknown_ca', async () => {
      const e = await expectFail(() => verify([pki.server.certDer]), A.unknown_ca, 'issuer');
      expect(e.message).toContain('Test Intermediate CA');
    });

    it('a chain to another root → unknown_ca', async () => {
      const other = await mk({ subject: 'Other Root', isCA: true });
      await expectFail(() => verify([pki.server.certDer, pki.intermediate.certDer], { trustAnchors: [other.certDer] }), A.unknown_ca, 'issuer');
    });

    it('a self-signed leaf not among the anchors → unknown_ca', async () => {
      const self = await mk({ subject: HOST, sans: [HOST], eku: ['serverAuth'] });
      await expectFail(() => verify([self.certDer]), A.unknown_ca, 'issuer');
    });

    it('an expired leaf → certificate_expired', async () => {
      const leaf = await mintCertificate(leafOpts(pki.intermediate, { notAfter: new Date(NOW.getTime() - 1000) }));
      const e = await expectFail(() => verify([leaf.certDer, pki.intermediate.certDer]), A.certificate_expired, 'validity');
      expect(e.message).toMatch(/expired/);
    });

    it('a not-yet-valid leaf → certificate_expired (RFC 8446 §6.2: "not currently valid")', async () => {
      const leaf = await mintCertificate(leafOpts(pki.intermediate, { notBefore: new Date(NOW.getTime() + 1000) }));
      const e = await expectFail(() => verify([leaf.certDer, pki.intermediate.certDer]), A.certificate_expired, 'validity');
      expect(e.message).toMatch(/not valid before/);
    });

    it('an expired intermediate or root → certificate_expired', async () => {
      const chain = [pki.server.certDer, pki.intermediate.certDer];
      const later = new Date(NA.getTime() + 1000);
      // The leaf is checked first; for the CA checks, make a leaf that outlives its issuers.
      const longLeaf = await mintCertificate(leafOpts(pki.intermediate, { notAfter: new Date(NA.getTime() + 10 * DAY) }));
      await expectFail(() => verify([longLeaf.certDer, pki.intermediate.certDer], {}, HOST, later), A.certificate_expired, 'validity');
      await expectFail(() => verify(chain, {}, HOST, later), A.certificate_expired, 'validity');
      const shortRoot = await mk({ subject: 'Short Root', isCA: true, notAfter: new Date(NOW.getTime() - DAY) });
      const leaf = await mintCertificate(leafOpts(shortRoot));
      await expectFail(() => verify([leaf.certDer], { trustAnchors: [shortRoot.certDer] }), A.certificate_expired, 'validity');
    });

    it('the wrong host name → bad_certificate / hostname', async () => {
      const e = await expectFail(() => verify([pki.server.certDer, pki.intermediate.certDer], {}, 'other.test'), A.bad_certificate, 'hostname');
      expect(e.message).toContain('server.test');
      await expectFail(() => verify([pki.server.certDer, pki.intermediate.certDer], {}, '192.0.2.8'), A.bad_certificate, 'hostname');
    });

    it('an issuer with CA:false, or without basicConstraints → bad_certificate', async () => {
      for (const extra of [{ isCA: false }, { omitBasicConstraints: true }]) {
        const notCa = await mk({ subject: 'Not A CA', issuer: pki.root, keyUsage: ['keyCertSign'], ...extra });
        const leaf = await mintCertificate(leafOpts(notCa));
        await expectFail(() => verify([leaf.certDer, notCa.certDer]), A.bad_certificate, 'basic-constraints');
      }
    });

    it('an issuer whose KeyUsage lacks keyCertSign → bad_certificate / key-usage', async () => {
      const ca = await mk({ subject: 'KU CA', issuer: pki.root, isCA: true, keyUsage: ['digitalSignature', 'cRLSign'] });
      const leaf = await mintCertificate(leafOpts(ca));
      await expectFail(() => verify([leaf.certDer, ca.certDer]), A.bad_certificate, 'key-usage');
    });

    it('pathLenConstraint exceeded → bad_certificate / path-length', async () => {
      // root → pki.intermediate (pathLen 0) → sub-CA → leaf: one intermediate too many.
      const sub = await mk({ subject: 'Sub CA', issuer: pki.intermediate, isCA: true });
      const leaf = await mintCertificate(leafOpts(sub));
      await expectFail(() => verify([leaf.certDer, sub.certDer, pki.intermediate.certDer]), A.bad_certificate, 'path-length');
      // The same shape under pathLen 1 is fine.
      const int1 = await mk({ subject: 'Int pathLen 1', issuer: pki.root, isCA: true, pathLen: 1 });
      const sub1 = await mk({ subject: 'Sub CA 1', issuer: int1, isCA: true });
      const leaf1 = await mintCertificate(leafOpts(sub1));
      expect(verify([leaf1.certDer, sub1.certDer, int1.certDer]).chain).toHaveLength(4);
      // A root with pathLen 0 allows no intermediate at all.
      const strictRoot = await mk({ subject: 'Strict Root', isCA: true, pathLen: 0 });
      const int2 = await mk({ subject: 'Int 2', issuer: strictRoot, isCA: true });
      const leaf2 = await mintCertificate(leafOpts(int2));
      await expectFail(() => verify([leaf2.certDer, int2.certDer], { trustAnchors: [strictRoot.certDer] }), A.bad_certificate, 'path-length');
    });

    it('a leaf for clientAuth only → unsupported_certificate / eku', async () => {
      await expectFail(() => verify([pki.client.certDer, pki.intermediate.certDer], {}, null), A.unsupported_certificate, 'eku');
      const leaf = await mintCertificate(leafOpts(pki.intermediate, { eku: ['clientAuth', 'codeSigning'] }));
      await expectFail(() => verify([leaf.certDer, pki.intermediate.certDer]), A.unsupported_certificate, 'eku');
    });

    it('an intermediate restricted to clientAuth → unsupported_certificate / eku', async () => {
      const ca = await mk({ subject: 'Client CA', issuer: pki.root, isCA: true, eku: ['clientAuth'] });
      const leaf = await mintCertificate(leafOpts(ca));
      await expectFail(() => verify([leaf.certDer, ca.certDer]), A.unsupported_certificate, 'eku');
    });

    it('a leaf whose KeyUsage lacks digitalSignature (RFC 8446 §4.4.2.2) → unsupported_certificate', async () => {
      const leaf = await mintCertificate(leafOpts(pki.intermediate, { keyUsage: ['keyEncipherment'] }));
      await expectFail(() => verify([leaf.certDer, pki.intermediate.certDer]), A.unsupported_certificate, 'key-usage');
    });

    it('a corrupted signature → bad_certificate / signature', async () => {
      for (const corrupt of ['signature', 'tbs'] as const) {
        const der = pki.server.certDer.slice();
        const cert = parseCertificate(pki.server.certDer);
        // Flip a byte in the signature value, or in the subject CN inside the TBS.
        const at = corrupt === 'signature' ? der.length - 5 : toHex(der).indexOf(toHex(new TextEncoder().encode('server.test'))) / 2;
        expect(at).toBeGreaterThan(cert.tbs.length > 0 ? 100 : 0);
        der[at]! ^= 0x01;
        await expectFail(() => verify([der, pki.intermediate.certDer], {}, null), A.bad_certificate, 'signature');
      }
    });

    it('an unknown critical extension in an intermediate → unsupported_certificate', async () => {
      // policyConstraints (RFC 5280 §4.2.1.11): policies are not processed.
      const ca = await mk({ subject: 'PC CA', issuer: pki.root, isCA: true, extraExtensions: [{ oid: '2.5.29.36', critical: true, value: Uint8Array.of(0x30, 0x03, 0x80, 0x01, 0x00) }] });
      const leaf = await mintCertificate(leafOpts(ca));
      await expectFail(() => verify([leaf.certDer, ca.certDer]), A.unsupported_certificate, 'critical-extension');
    });

    it('a malformed (empty) critical nameConstraints → bad_certificate / name-constraints', async () => {
      const ca = await mk({ subject: 'NC CA', issuer: pki.root, isCA: true, extraExtensions: [{ oid: '2.5.29.30', critical: true, value: Uint8Array.of(0x30, 0) }] });
      const leaf = await mintCertificate(leafOpts(ca));
      await expectFail(() => verify([leaf.certDer, ca.certDer]), A.bad_certificate, 'name-constraints');
    });

    it('a signature scheme the provider lacks → unsupported_certificate / signature-algorithm', async () => {
      const edOnly: SignatureVerifier = { schemes: [SignatureScheme.ed25519], verify: (...a) => sigVerifier.verify(...a) };
      await expectFail(() => verify([pki.server.certDer, pki.intermediate.certDer], { verifier: edOnly }), A.unsupported_certificate, 'signature-algorithm');
    });

    it('chains longer than maxChainLength → unknown_ca', async () => {
      await expectFail(() => verify([pki.server.certDer, pki.intermediate.certDer], { maxChainLength: 2 }), A.unknown_ca, 'chain-length');
      expect(verify([pki.server.certDer, pki.intermediate.certDer], { maxChainLength: 3 }).chain).toHaveLength(3);
    });

    it('a cross-signing loop terminates with unknown_ca', async () => {
      // CA "A" and CA "B" certify each other; neither reaches the root.
      const a0 = await mk({ subject: 'Loop A', isCA: true });
      const b = await mk({ subject: 'Loop B', issuer: a0, isCA: true });
      const a = await mk({ subject: 'Loop A', key: a0.key, issuer: b, isCA: true });
      const leaf = await mintCertificate(leafOpts(a));
      await expectFail(() => verify([leaf.certDer, a.certDer, b.certDer, a0.certDer]), A.unknown_ca, 'issuer');
    });

    it('an empty chain → decode_error; garbage → bad_certificate / parse', async () => {
      await expectFail(() => verify([]), A.decode_error, 'chain');
      await expectFail(() => verify([Uint8Array.of(1, 2, 3)]), A.bad_certificate, 'parse');
      await expectFail(() => verify([pki.server.certDer, Uint8Array.of(0x30, 0x01)]), A.bad_certificate, 'parse');
    });

    it('the RFC 8448 self-signed certificate is untrusted, expired today, and its RSA-1024 key is under the minimum', async () => {
      const der = fromHex(rfc8448ServerRsa);
      await expectFail(() => verify([der], {}, null, new Date('2027-01-01Z')), A.certificate_expired, 'validity');
      // Issue 12 group 4: RSA of 2048 bits at least on every certificate, a pinned anchor included
      // (the leaf's own checks come before any path search, so this is reported over unknown_ca).
      await expectFail(() => verify([der], {}, null, new Date('2020-01-01Z')), A.bad_certificate, 'key-size');
      await expectFail(() => verify([der], { trustAnchors: [der] }, null, new Date('2020-01-01Z')), A.bad_certificate, 'key-size');
      // With the minimum met, an unknown self-signed leaf is unknown_ca ('a self-signed leaf not among the anchors').
    });
  });

  it('requires at least one trust anchor', () => {
    expect(() => new WebPkiServerVerifier({ trustAnchors: [], verifier: sigVerifier })).toThrow(TypeError);
  });
});

describe('InsecureSkipVerification', () => {
  it('parses the leaf only', async () => {
    const self = await mintCertificate({ subject: 'anything', notBefore: new Date('2000-01-01Z'), notAfter: new Date('2000-01-02Z') });
    const r = new InsecureSkipVerification().verify({ chain: [self.certDer, Uint8Array.of(0)], serverName: 'wrong', now: new Date() });
    expect(r.chain).toEqual([r.leaf]);
    expect(r.leaf.subject.text).toBe('CN=anything');
    await expectFail(() => new InsecureSkipVerification().verify({ chain: [], now: new Date() }), A.decode_error, 'chain');
  });
});

describe.skipIf(!hasOpenssl)('chains made by OpenSSL', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const v = nodeSignatureVerifier();
  const read = (f: string): Uint8Array => pemDecode(readFileSync(tmp.path(f), 'utf8'), 'CERTIFICATE')[0]!;

  beforeAll(() => {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', tmp.path('ca.key'), '-out', tmp.path('ca.pem'), '-days', '3', '-subj', '/CN=OpenSSL Root',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    writeFileSync(tmp.path('leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:openssl.test,IP:::1\nauthorityKeyIdentifier=keyid\n');
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', tmp.path('leaf.key'), '-out', tmp.path('leaf.csr'), '-subj', '/CN=openssl.test']);
    for (const [name, digest] of [['leaf', '-sha384'], ['leaf-sha1', '-sha1']]) {
      openssl(['x509', '-req', '-in', tmp.path('leaf.csr'), '-CA', tmp.path('ca.pem'), '-CAkey', tmp.path('ca.key'), '-CAcreateserial', digest!,
        '-days', '2', '-extfile', tmp.path('leaf.ext'), '-out', tmp.path(`${name}.pem`)]);
    }
  });

  it('verifies an RSA root → ECDSA leaf chain', () => {
    for (const sv of [v, nobleProvider.verifier]) {
      const r = new WebPkiServerVerifier({ trustAnchors: [read('ca.pem')], verifier: sv }).verify({ chain: [read('leaf.pem')], serverName: 'openssl.test', now: new Date() });
      expect(r.chain.map((c) => c.subject.text)).toEqual(['CN=openssl.test', 'CN=OpenSSL Root']);
      expect(r.leaf.signatureScheme).toBe(SignatureScheme.rsa_pkcs1_sha384);
      expect(new WebPkiServerVerifier({ trustAnchors: [read('ca.pem')], verifier: sv }).verify({ chain: [read('leaf.pem')], serverName: '::1', now: new Date() }).chain).toHaveLength(2);
    }
  });

  it('skips an extraneous certificate with an unsupported key type; reports it when no path is found', async () => {
    openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024', '-out', tmp.path('dsap.pem')]);
    openssl(['genpkey', '-paramfile', tmp.path('dsap.pem'), '-out', tmp.path('dsa.key')]);
    // Named as the leaf's issuer, so that path building parses it (others are never parsed).
    openssl(['req', '-x509', '-key', tmp.path('dsa.key'), '-subj', '/O=tls13-engine test PKI/CN=Test Intermediate CA', '-days', '1', '-out', tmp.path('dsa.pem')]);
    const dsa = read('dsa.pem');
    const p = await mintTestPki({ serverNames: [HOST], notBefore: NB, notAfter: NA });
    const wv = new WebPkiServerVerifier({ trustAnchors: [p.root.certDer], verifier: v });
    expect(wv.verify({ chain: [p.server.certDer, dsa, p.intermediate.certDer], serverName: HOST, now: NOW }).chain).toHaveLength(3);
    await expectFail(() => wv.verify({ chain: [p.server.certDer, dsa], serverName: HOST, now: NOW }), A.unsupported_certificate, 'public-key');
    // As the leaf it is fatal.
    await expectFail(() => wv.verify({ chain: [dsa], now: NOW }), A.unsupported_certificate, 'public-key');
  });

  it('rejects SHA-1 signed certificates unless allowSha1 (RFC 8446 §4.4.2.4)', async () => {
    const input = { chain: [read('leaf-sha1.pem')], serverName: 'openssl.test', now: new Date() };
    await expectFail(() => new WebPkiServerVerifier({ trustAnchors: [read('ca.pem')], verifier: v }).verify(input), A.bad_certificate, 'signature-algorithm');
    const r = new WebPkiServerVerifier({ trustAnchors: [read('ca.pem')], verifier: v, allowSha1: true }).verify(input);
    expect(r.leaf.signatureScheme).toBe(SignatureScheme.rsa_pkcs1_sha1);
  });
});
