import { existsSync, readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDescription, CertificateError } from '../../../src/errors.js';
import { bytesEqual, fromHex, toHex } from '../../../src/util/bytes.js';
import { SignatureScheme } from '../../../src/wire/codepoints.js';
import {
  EkuOid,
  KeyUsage,
  CertificateCache,
  commonName,
  parseCertificate,
} from '../../../src/x509/certificate.js';
import { encodeSpki, publicKeyFromPrivate } from '../../../src/x509/keys.js';
import { type KeyType, mintCertificate, mintTestPki } from '../../../src/testing/mint.js';
import { pemDecode } from '../../../src/x509/pem.js';
import { rfc8448ClientRsa, rfc8448ServerEcdsa, rfc8448ServerRsa } from './fixtures.js';
import { hasOpenssl, nodeSignatureVerifier, openssl, tempDir } from '../../helpers/x509.js';

const verifier = nodeSignatureVerifier();

function expectCertError(f: () => unknown, alert: number, check: string): CertificateError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CertificateError);
    const ce = e as CertificateError;
    expect({ alert: ce.alert, check: ce.check }).toEqual({ alert, check });
    return ce;
  }
  throw new Error('expected a CertificateError');
}

describe('minted certificates', () => {
  const expected: Record<KeyType, [kind: string, scheme: number]> = {
    p256: ['ec', SignatureScheme.ecdsa_secp256r1_sha256],
    p384: ['ec', SignatureScheme.ecdsa_secp384r1_sha384],
    p521: ['ec', SignatureScheme.ecdsa_secp521r1_sha512],
    ed25519: ['ed25519', SignatureScheme.ed25519],
    rsa2048: ['rsa', SignatureScheme.rsa_pkcs1_sha256],
    rsa3072: ['rsa', SignatureScheme.rsa_pkcs1_sha256],
    rsa4096: ['rsa', SignatureScheme.rsa_pkcs1_sha256],
  };

  for (const keyType of ['p256', 'p384', 'p521', 'ed25519', 'rsa2048'] as const) {
    it(`parses a ${keyType} PKI`, async () => {
      const notBefore = new Date('2030-01-02T03:04:05Z');
      const notAfter = new Date('2031-01-02T03:04:05Z');
      const pki = await mintTestPki({ keyType, serverNames: ['example.com', '*.example.com', '192.0.2.1', '2001:db8::1'], notBefore, notAfter });
      const { root, intermediate, server, client } = pki;
      const [kind, scheme] = expected[keyType];

      const s = parseCertificate(server.certDer);
      expect(s.version).toBe(3);
      expect(s.publicKey.kind).toBe(kind);
      expect(s.publicKey).toEqual(publicKeyFromPrivate(server.key));
      expect(s.signatureScheme).toBe(scheme);
      expect(s.subject.text).toBe('CN=example.com, O=tls13-engine test PKI');
      expect(commonName(s.subject)).toBe('example.com');
      expect(s.issuer.text).toBe('CN=Test Intermediate CA, O=tls13-engine test PKI');
      expect(bytesEqual(s.issuer.der, intermediate.cert.subject.der)).toBe(true);
      expect(s.notBefore).toEqual(notBefore);
      expect(s.notAfter).toEqual(notAfter);
      expect(s.subjectAltNames.dns).toEqual(['example.com', '*.example.com']);
      expect(s.subjectAltNames.ip.map(toHex)).toEqual(['c0000201', '20010db8000000000000000000000001']);
      expect(s.basicConstraints).toEqual({ ca: false, pathLen: undefined });
      expect(s.keyUsage! & KeyUsage.digitalSignature).toBeTruthy();
      expect(s.keyUsage! & KeyUsage.keyCertSign).toBe(0);
      expect(s.extKeyUsage).toEqual([EkuOid.serverAuth]);
      expect(s.subjectKeyIdentifier).toHaveLength(20);
      expect(s.authorityKeyIdentifier).toEqual(intermediate.cert.subjectKeyIdentifier);
      expect(s.unhandledCriticalExtensions).toEqual([]);
      expect(s.selfIssued).toBe(false);
      expect(s.serial.length).toBe(16);
      expect(s.serialHex).toBe(toHex(s.serial));

      // The TBS is the exact byte range of the input, and the signature verifies over it.
      const tbsAt = toHex(s.der).indexOf(toHex(s.tbs));
      expect(tbsAt).toBe(8); // 30 82 xx xx | 30 82 …
      expect(verifier.verify(s.signatureScheme!, intermediate.cert.publicKey, s.tbs, s.signature)).toBe(true);

      const r = parseCertificate(root.certDer);
      expect(r.selfIssued).toBe(true);
      expect(r.basicConstraints).toEqual({ ca: true, pathLen: undefined });
      expect(r.keyUsage).toBe(KeyUsage.keyCertSign | KeyUsage.cRLSign);
      expect(r.extKeyUsage).toBeUndefined();
      expect(verifier.verify(r.signatureScheme!, r.publicKey, r.tbs, r.signature)).toBe(true);

      expect(parseCertificate(intermediate.certDer).basicConstraints).toEqual({ ca: true, pathLen: 0 });

      const c = parseCertificate(client.certDer);
      expect(c.subjectAltNames.uri).toEqual(['spiffe://tls13-engine.test/client']);
      expect(c.subjectAltNames.dns).toEqual([]);
      expect(c.extKeyUsage).toEqual([EkuOid.clientAuth]);
    });
  }

  it('maps RSASSA-PSS (SHA-256, salt 32) to rsa_pss_rsae_sha256', async () => {
    const ca = await mintCertificate({ subject: 'pss ca', keyType: 'rsa2048', isCA: true, rsaPss: true });
    expect(ca.cert.signatureScheme).toBe(SignatureScheme.rsa_pss_rsae_sha256);
    expect(ca.cert.signatureAlgorithm.name).toBe('RSASSA-PSS (SHA-256, salt 32)');
    expect(verifier.verify(SignatureScheme.rsa_pss_rsae_sha256, ca.cert.publicKey, ca.cert.tbs, ca.cert.signature)).toBe(true);
  });

  it('lists unknown critical extensions, ignores unknown non-critical ones, and keeps email SANs', async () => {
    const c = await mintCertificate({
      subject: 'odd',
      sans: ['a@example.com', 'URI:urn:x', 'DNS:10.0.0.1'],
      extraExtensions: [
        { oid: '1.2.3.4', critical: true, value: Uint8Array.of(5, 0) },
        { oid: '1.2.3.5', critical: false, value: Uint8Array.of(1, 2, 3) },
        { oid: '2.5.29.30', critical: true, value: Uint8Array.of(0x30, 0) }, // nameConstraints: not processed yet
      ],
    });
    expect(c.cert.unhandledCriticalExtensions).toEqual(['1.2.3.4', '2.5.29.30']);
    expect(c.cert.extensions.map((e) => e.oid)).toContain('1.2.3.5');
    expect(c.cert.subjectAltNames).toEqual({ dns: ['10.0.0.1'], ip: [], uri: ['urn:x'], email: ['a@example.com'] });
  });

  it('UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', async () => {
    const notBefore = new Date('2049-12-31T23:59:59.789Z');
    const notAfter = new Date('2050-01-01T00:00:00Z');
    const c = await mintCertificate({ subject: 'y2050', notBefore, notAfter });
    expect(c.cert.notBefore.toISOString()).toBe('2049-12-31T23:59:59.000Z'); // whole seconds
    expect(c.cert.notAfter).toEqual(notAfter);
    const hex = toHex(c.certDer);
    expect(hex).toContain('170d' + toHex(new TextEncoder().encode('491231235959Z')));
    expect(hex).toContain('180f' + toHex(new TextEncoder().encode('20500101000000Z')));
  });

  it('caches by DER bytes and copies the input', async () => {
    const cache = new CertificateCache();
    const { certDer } = await mintCertificate({ subject: 'cache' });
    const input = certDer.slice();
    const a = cache.parse(input);
    input.fill(0); // mutating the caller's buffer affects neither the cached entry nor its views
    expect(cache.parse(certDer)).toBe(a);
    expect(bytesEqual(a.der, certDer)).toBe(true);
    expect(cache.parse(certDer.slice())).toBe(a);
    expect(cache.parseTransient(certDer)).toBe(a);
  });

  it('parseCertificate has no module-level cache: each call parses, and copies the input', async () => {
    const { certDer } = await mintCertificate({ subject: 'no cache' });
    const input = certDer.slice();
    const a = parseCertificate(input);
    input.fill(0);
    expect(bytesEqual(a.der, certDer)).toBe(true);
    const b = parseCertificate(certDer);
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
  });

  it('parseTransient does not add to a cache; remember does', async () => {
    const cache = new CertificateCache();
    const { certDer } = await mintCertificate({ subject: 'transient' });
    const t = cache.parseTransient(certDer);
    expect(cache.size).toBe(0);
    cache.remember(t);
    expect(cache.parseTransient(certDer)).toBe(t);
    expect(cache.size).toBe(1);
  });
});

describe('RFC 8448 certificates', () => {
  it('parses the server RSA certificate (CN=rsa)', () => {
    const c = parseCertificate(fromHex(rfc8448ServerRsa));
    expect(c.subject.text).toBe('CN=rsa');
    expect(c.issuer.text).toBe('CN=rsa');
    expect(c.selfIssued).toBe(true);
    expect(c.version).toBe(3);
    expect(c.serialHex).toBe('02');
    expect(c.signatureAlgorithm.name).toBe('sha256WithRSAEncryption');
    expect(c.signatureScheme).toBe(SignatureScheme.rsa_pkcs1_sha256);
    expect(c.notBefore.toISOString()).toBe('2016-07-30T01:23:59.000Z');
    expect(c.notAfter.toISOString()).toBe('2026-07-30T01:23:59.000Z');
    expect(c.publicKey.kind === 'rsa' && c.publicKey.bits).toBe(1024);
    expect(c.publicKey.kind === 'rsa' && c.publicKey.e).toBe(65537n);
    expect(c.publicKey.kind === 'rsa' && c.publicKey.n.toString(16).slice(0, 16)).toBe('b4bb498f8279303d');
    expect(c.basicConstraints).toEqual({ ca: false, pathLen: undefined });
    expect(c.keyUsage).toBe(KeyUsage.digitalSignature | KeyUsage.keyEncipherment);
    expect(c.subjectAltNames).toEqual({ dns: [], ip: [], uri: [], email: [] });
    expect(c.extKeyUsage).toBeUndefined();
    // Self-signed: the signature verifies under its own key.
    expect(verifier.verify(c.signatureScheme!, c.publicKey, c.tbs, c.signature)).toBe(true);
  });

  it('parses the ECDSA server and RSA client certificates', () => {
    const e = parseCertificate(fromHex(rfc8448ServerEcdsa));
    expect(e.subject.text).toBe('CN=ecdsa256');
    expect(e.publicKey.kind === 'ec' && e.publicKey.curve).toBe('P-256');
    expect(e.signatureScheme).toBe(SignatureScheme.ecdsa_secp256r1_sha256);
    expect(e.keyUsage).toBe(KeyUsage.digitalSignature);
    expect(verifier.verify(e.signatureScheme!, e.publicKey, e.tbs, e.signature)).toBe(true);
    const c = parseCertificate(fromHex(rfc8448ClientRsa));
    expect(c.subject.text).toBe('CN=client');
    expect(verifier.verify(c.signatureScheme!, c.publicKey, c.tbs, c.signature)).toBe(true);
  });
});

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
describe.skipIf(!existsSync(SYSTEM_BUNDLE))('the system CA bundle', () => {
  it('every root parses and its self-signature verifies', () => {
    const ders = pemDecode(readFileSync(SYSTEM_BUNDLE, 'utf8'), 'CERTIFICATE');
    expect(ders.length).toBeGreaterThan(50);
    for (const der of ders) {
      const c = parseCertificate(der);
      expect(c.version).toBe(3);
      expect(c.basicConstraints?.ca).toBe(true);
      expect(c.unhandledCriticalExtensions).toEqual([]);
      expect(c.signatureScheme, c.subject.text).toBeDefined();
      if (c.selfIssued) expect(verifier.verify(c.signatureScheme!, c.publicKey, c.tbs, c.signature), c.subject.text).toBe(true);
    }
  });
});

describe('malformed certificates → bad_certificate / parse', () => {
  let good: Uint8Array;
  beforeAll(async () => {
    good = (await mintCertificate({ subject: 'm', sans: ['m.example'] })).certDer;
  });
  const bad = (der: Uint8Array): void => void expectCertError(() => parseCertificate(der), AlertDescription.bad_certificate, 'parse');

  it('truncated, trailing data, empty, wrong outer tag', () => {
    bad(good.slice(0, good.length - 1));
    bad(Uint8Array.of(...good, 0));
    bad(new Uint8Array(0));
    bad(Uint8Array.of(0x31, ...good.slice(1)));
  });

  it('BER indefinite length and non-minimal lengths are not DER', () => {
    bad(Uint8Array.of(0x30, 0x80, ...good.slice(4), 0, 0));
    // 30 82 00 7f … : a long form for a short length.
    bad(Uint8Array.of(0x30, 0x82, 0x00, 0x05, 0x02, 0x01, 0x00, 0x05, 0x00));
  });

  it('outer signatureAlgorithm differing from tbsCertificate.signature', async () => {
    const ec = (await mintCertificate({ subject: 'x', keyType: 'p256' })).certDer;
    // ecdsa-with-SHA256 (…04 03 02) → ecdsa-with-SHA384 (…04 03 03) in the outer AlgorithmIdentifier only.
    const hex = toHex(ec);
    const alg = '06082a8648ce3d040302';
    const last = hex.lastIndexOf(alg);
    expect(last).toBeGreaterThan(hex.indexOf(alg));
    bad(fromHex(hex.slice(0, last) + '06082a8648ce3d040303' + hex.slice(last + alg.length)));
  });

  it('malformed known extensions, duplicate extensions', async () => {
    const cases: { oid: string; critical: boolean; value: Uint8Array }[][] = [
      [{ oid: '2.5.29.17', critical: false, value: Uint8Array.of(0x30, 0x03, 0x87, 0x01, 0x7f) }], // 1-byte iPAddress
      [{ oid: '2.5.29.19', critical: true, value: Uint8Array.of(0x30, 0x03, 0x01, 0x01, 0x01) }], // BOOLEAN 0x01 is not DER TRUE
      [{ oid: '2.5.29.37', critical: false, value: Uint8Array.of(0x30, 0x00) }], // empty EKU
      [{ oid: '1.2.3.4', critical: false, value: Uint8Array.of(0) }, { oid: '1.2.3.4', critical: false, value: Uint8Array.of(1) }],
      // Elements pkijs's schemas would skip: a third BasicConstraints element, AKI fields out of order.
      [{ oid: '2.5.29.19', critical: true, value: Uint8Array.of(0x30, 0x08, 0x01, 0x01, 0xff, 0x02, 0x01, 0x00, 0x05, 0x00) }],
      [{ oid: '2.5.29.35', critical: false, value: Uint8Array.of(0x30, 0x05, 0x82, 0x01, 0x01, 0x80, 0x00) }],
      // A dNSName must be an IA5String: 7-bit (RFC 5280 §4.2.1.6).
      [{ oid: '2.5.29.17', critical: false, value: Uint8Array.of(0x30, 0x03, 0x82, 0x01, 0xe9) }],
    ];
    for (const extraExtensions of cases) {
      // mintCertificate parses what it produced, so the failure surfaces there.
      await expect(mintCertificate({ subject: 'x', omitBasicConstraints: true, omitKeyIdentifiers: true, extraExtensions })).rejects.toMatchObject({
        alert: AlertDescription.bad_certificate,
        check: 'parse',
      });
    }
  });
});

describe('certificates edited through asn1js', () => {
  let good: Uint8Array;
  beforeAll(async () => {
    good = (await mintCertificate({ subject: 'm', sans: ['m.example'] })).certDer;
  });
  const bad = (der: Uint8Array): CertificateError => expectCertError(() => parseCertificate(der), AlertDescription.bad_certificate, 'parse');
  type Nodes = asn1js.BaseBlock[];
  const items = (b: asn1js.BaseBlock | undefined): Nodes => (b as asn1js.Constructed).valueBlock.value;
  /** Re-encodes `good` after `f` changes its Certificate and TBSCertificate elements (lengths follow). */
  const edit = (f: (tbs: Nodes, cert: Nodes) => void): Uint8Array => {
    const root = asn1js.fromBER(good.slice()).result;
    f(items(items(root)[0]), items(root));
    return new Uint8Array(root.toBER(false));
  };
  // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, spki, [3] extensions.
  const ATV = (oid: string, value: asn1js.BaseBlock): asn1js.Sequence => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), value] });
  const name = (...rdns: asn1js.Sequence[][]): asn1js.Sequence => new asn1js.Sequence({ value: rdns.map((atvs) => new asn1js.Set({ value: atvs })) });

  it('an unchanged re-encoding parses', () => {
    expect(toHex(edit(() => {}))).toBe(toHex(good));
    expect(parseCertificate(edit(() => {})).subject.text).toBe('CN=m');
  });

  it('multi-valued RDNs and other string types in Names', () => {
    const subject = name(
      [ATV('2.5.4.10', new asn1js.PrintableString({ value: 'Org' }))],
      [ATV('2.5.4.3', new asn1js.Utf8String({ value: 'a' })), ATV('0.9.2342.19200300.100.1.1', new asn1js.BmpString({ value: 'b\u00e9' }))],
      [ATV('1.2.3.4', new asn1js.Integer({ value: 5 }))],
    );
    const c = parseCertificate(edit((tbs) => void (tbs[5] = subject)));
    expect(c.subject.attributes.map((a) => [a.shortName ?? a.oid, a.value])).toEqual([['O', 'Org'], ['CN', 'a'], ['UID', 'b\u00e9'], ['1.2.3.4', '#020105']]);
    expect(c.subject.text.startsWith('1.2.3.4=')).toBe(true);
    expect(c.subject.text.endsWith(', CN=a+UID=b\u00e9, O=Org')).toBe(true);
    expect(toHex(c.subject.der)).toBe(toHex(new Uint8Array(subject.toBER(false))));
    bad(edit((tbs) => void (tbs[5] = name([])))); // an empty RDN
    bad(edit((tbs) => void (tbs[5] = name([ATV('2.5.4.3', new asn1js.Primitive({ idBlock: { tagClass: 1, tagNumber: 12 }, valueHex: Uint8Array.of(0xc3, 0x28) }))]))));
  });

  it('DER rules asn1js does not enforce (X.690 §10, §11)', () => {
    bad(edit((tbs) => void (tbs[1]!.lenBlock.longFormUsed = true))); // 02 81 10 …: long form for a short length
    bad(edit((tbs) => void (tbs[1] = new asn1js.Integer({ valueHex: Uint8Array.of(0x00, 0x01) })))); // non-minimal INTEGER
    const constructedString = new asn1js.Constructed({ idBlock: { tagClass: 1, tagNumber: 12 }, value: [new asn1js.Utf8String({ value: 'm' })] });
    bad(edit((tbs) => void (tbs[5] = name([ATV('2.5.4.3', constructedString)]))));
    bad(edit((_, cert) => void (cert[2] = new asn1js.BitString({ unusedBits: 1, valueHex: Uint8Array.of(0xff) })))); // padding bit set
    const nonMinimalOid = new asn1js.Primitive({ idBlock: { tagClass: 1, tagNumber: 6 }, valueHex: Uint8Array.of(0x55, 0x80, 0x03) });
    bad(edit((tbs) => void (tbs[5] = name([new asn1js.Sequence({ value: [nonMinimalOid, new asn1js.Utf8String({ value: 'm' })] })]))));
  });

  it('elements the pkijs schemas would skip', () => {
    bad(edit((_, cert) => void cert.push(new asn1js.Null())));
    bad(edit((tbs) => void tbs.push(new asn1js.Null())));
    bad(edit((tbs) => void tbs.push(tbs[7]!))); // a second [3]
    bad(edit((tbs, cert) => [tbs[2], cert[1]].forEach((alg) => items(alg).push(new asn1js.Null(), new asn1js.Null()))));
    bad(edit((tbs) => void items(tbs[4]).push(new asn1js.UTCTime({ valueDate: new Date() }))));
    bad(edit((tbs) => void items(items(items(tbs[7])[0])[0]).push(new asn1js.OctetString({ valueHex: new Uint8Array(1) }))));
    bad(edit((tbs) => void (items(tbs[7])[0] = new asn1js.Sequence({ value: [] })))); // empty Extensions
  });

  it('times outside the RFC 5280 §4.1.2.5 profile', () => {
    for (const t of [
      new asn1js.UTCTime({ value: '3001010000Z' }), // no seconds
      new asn1js.UTCTime({ value: '301301000000Z' }), // month 13
      new asn1js.UTCTime({ value: '300230000000Z' }), // 30 February
      new asn1js.UTCTime({ value: '300101000000+0100' }),
      new asn1js.GeneralizedTime({ value: '20500101000000.5Z' }),
    ]) {
      const e = bad(edit((tbs) => void (items(tbs[4])[1] = t)));
      expect(e.message).toMatch(/notAfter/);
    }
  });
});

describe.skipIf(!hasOpenssl)('OpenSSL-generated certificates', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('parses an OpenSSL self-signed certificate with SANs and extensions', () => {
    openssl([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes',
      '-keyout', tmp.path('k.pem'), '-out', tmp.path('c.pem'), '-days', '30',
      '-subj', '/C=DE/O=Example, Inc./CN=openssl.example',
      '-addext', 'subjectAltName=DNS:openssl.example,DNS:*.openssl.example,IP:10.1.2.3,IP:fe80::1,URI:https://openssl.example/',
      '-addext', 'extendedKeyUsage=serverAuth,clientAuth',
      '-addext', 'keyUsage=critical,digitalSignature',
    ]);
    const der = pemDecode(readFileSync(tmp.path('c.pem'), 'utf8'), 'CERTIFICATE')[0]!;
    const c = parseCertificate(der);
    expect(c.subject.text).toBe('CN=openssl.example, O=Example\\, Inc., C=DE');
    expect(c.subject.attributes.map((a) => a.shortName)).toEqual(['C', 'O', 'CN']);
    expect(c.publicKey.kind === 'ec' && c.publicKey.curve).toBe('P-384');
    expect(c.signatureScheme).toBe(SignatureScheme.ecdsa_secp256r1_sha256); // OpenSSL's default digest is SHA-256
    expect(c.subjectAltNames.dns).toEqual(['openssl.example', '*.openssl.example']);
    expect(c.subjectAltNames.ip.map(toHex)).toEqual(['0a010203', 'fe800000000000000000000000000001']);
    expect(c.subjectAltNames.uri).toEqual(['https://openssl.example/']);
    expect(c.extKeyUsage).toEqual([EkuOid.serverAuth, EkuOid.clientAuth]);
    expect(c.keyUsage).toBe(KeyUsage.digitalSignature);
    // OpenSSL marks a self-signed req -x509 certificate as a CA.
    expect(c.basicConstraints?.ca).toBe(true);
    expect(c.subjectKeyIdentifier).toBeDefined();
    expect(Math.round((c.notAfter.getTime() - c.notBefore.getTime()) / 86400000)).toBe(30);
    expect(verifier.verify(c.signatureScheme!, c.publicKey, c.tbs, c.signature)).toBe(true);

    const serial = openssl(['x509', '-in', tmp.path('c.pem'), '-noout', '-serial']).trim().split('=')[1]!;
    expect(c.serialHex.replace(/^00/, '')).toBe(serial.toLowerCase());
  });

  it('RSASSA-PSS and SHA-384/512 signature algorithms from OpenSSL', () => {
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', tmp.path('rsa.pem')]);
    const cases: [string[], number | undefined][] = [
      [['-sha384'], SignatureScheme.rsa_pkcs1_sha384],
      [['-sha512'], SignatureScheme.rsa_pkcs1_sha512],
      [['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'], SignatureScheme.rsa_pss_rsae_sha256],
      [['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'], SignatureScheme.rsa_pss_rsae_sha384],
      [['-sha512', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'], SignatureScheme.rsa_pss_rsae_sha512],
      // Salt length ≠ hash length has no TLS SignatureScheme.
      [['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:20'], undefined],
    ];
    for (const [i, [args, scheme]] of cases.entries()) {
      const out = tmp.path(`rsa-${i}.pem`);
      openssl(['req', '-x509', '-key', tmp.path('rsa.pem'), '-subj', '/CN=rsa', '-days', '1', '-out', out, ...args]);
      const c = parseCertificate(pemDecode(readFileSync(out, 'utf8'), 'CERTIFICATE')[0]!);
      expect(c.signatureScheme, args.join(' ')).toBe(scheme);
      if (scheme !== undefined) expect(verifier.verify(scheme, c.publicKey, c.tbs, c.signature)).toBe(true);
    }
  });

  it('Ed25519 and a v1 certificate (no extensions)', () => {
    openssl(['genpkey', '-algorithm', 'ED25519', '-out', tmp.path('ed.pem')]);
    openssl(['req', '-x509', '-key', tmp.path('ed.pem'), '-subj', '/CN=ed', '-days', '1', '-out', tmp.path('ed-c.pem')]);
    const ed = parseCertificate(pemDecode(readFileSync(tmp.path('ed-c.pem'), 'utf8'), 'CERTIFICATE')[0]!);
    expect(ed.signatureScheme).toBe(SignatureScheme.ed25519);
    expect(toHex(ed.spki)).toBe(toHex(encodeSpki(ed.publicKey)));

    // A v1 certificate: `openssl x509 -req` without extensions.
    openssl(['req', '-new', '-key', tmp.path('ed.pem'), '-subj', '/CN=v1', '-out', tmp.path('v1.csr')]);
    openssl(['x509', '-req', '-in', tmp.path('v1.csr'), '-key', tmp.path('ed.pem'), '-days', '1', '-out', tmp.path('v1.pem')]);
    expect(openssl(['x509', '-in', tmp.path('v1.pem'), '-noout', '-text'])).toContain('Version: 1 (0x0)');
    const v1 = parseCertificate(pemDecode(readFileSync(tmp.path('v1.pem'), 'utf8'), 'CERTIFICATE')[0]!);
    expect(v1.version).toBe(1);
    expect(v1.extensions).toEqual([]);
    expect(v1.basicConstraints).toBeUndefined();
    expect(v1.serial.length).toBe(20);
  });

  it('an Ed448 certificate parses; a DSA one is unsupported_certificate / public-key', () => {
    openssl(['genpkey', '-algorithm', 'ED448', '-out', tmp.path('ed448.pem')]);
    openssl(['req', '-x509', '-key', tmp.path('ed448.pem'), '-subj', '/CN=ed448', '-days', '1', '-out', tmp.path('ed448-c.pem')]);
    const c = parseCertificate(pemDecode(readFileSync(tmp.path('ed448-c.pem'), 'utf8'), 'CERTIFICATE')[0]!);
    expect(c.publicKey.kind).toBe('ed448');
    expect(c.signatureScheme).toBe(SignatureScheme.ed448);

    openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024', '-out', tmp.path('dsap.pem')]);
    openssl(['genpkey', '-paramfile', tmp.path('dsap.pem'), '-out', tmp.path('dsa.pem')]);
    openssl(['req', '-x509', '-key', tmp.path('dsa.pem'), '-subj', '/CN=dsa', '-days', '1', '-out', tmp.path('dsa-c.pem')]);
    const der = pemDecode(readFileSync(tmp.path('dsa-c.pem'), 'utf8'), 'CERTIFICATE')[0]!;
    const e = expectCertError(() => parseCertificate(der), AlertDescription.unsupported_certificate, 'public-key');
    expect(e.message).toMatch(/DSA/);
  });
});
