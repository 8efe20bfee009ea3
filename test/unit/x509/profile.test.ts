// The certificate profile (issue 12 groups 3, 5, 6, 7 and strictProfile): certificates minted
// at test time, defects through mint's options or hand-built extension DER.
import { beforeAll, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { AlertDescription as A } from '../../../src/errors.js';
import { encodeDer } from '../../../src/x509/asn1.js';
import { ExtensionOid } from '../../../src/x509/certificate.js';
import { WebPkiClientVerifier } from '../../../src/x509/client-verify.js';
import { spkiSha256 } from '../../../src/x509/identity.js';
import { type MintCertificateOptions, type MintedCertificate, type TestPki, mintCertificate, mintCrl, mintTestPki } from '../../../src/testing/mint.js';
import { parseCrl } from '../../../src/x509/revocation.js';
import { InsecureSkipVerification, type WebPkiVerifierOptions, WebPkiServerVerifier } from '../../../src/x509/verify.js';
import * as asn1js from 'asn1js';
import { expectFail } from '../../helpers/x509.js';

const HOST = 'server.test';
const now = new Date();
let pki: TestPki;
beforeAll(async () => {
  pki = await mintTestPki({ serverNames: [HOST] });
}, 60_000);

const serverVerifier = (o: Partial<WebPkiVerifierOptions> = {}) => new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, ...o });
const clientVerifier = (o: Partial<WebPkiVerifierOptions> = {}) => new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, ...o });
const asServer = (chain: MintedCertificate[], o: Partial<WebPkiVerifierOptions> = {}) => serverVerifier(o).verify({ chain: chain.map((c) => c.certDer), serverName: HOST, now });
const asClient = (chain: MintedCertificate[], o: Partial<WebPkiVerifierOptions> = {}) => clientVerifier(o).verify({ chain: chain.map((c) => c.certDer), now });
/** A leaf for HOST under the test intermediate, for both purposes. */
const leaf = (o: Partial<MintCertificateOptions> = {}): Promise<MintedCertificate> =>
  mintCertificate({ subject: HOST, issuer: pki.intermediate, sans: [HOST], eku: ['serverAuth', 'clientAuth'], ...o });
/** An intermediate under the root. */
const ca = (o: Partial<MintCertificateOptions> = {}): Promise<MintedCertificate> => mintCertificate({ subject: 'Profile CA', issuer: pki.root, isCA: true, ...o });
const der = (b: asn1js.BaseBlock): Uint8Array => encodeDer(b);
const ia5 = (tag: number, s: string): asn1js.Primitive => new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: tag }, valueHex: new TextEncoder().encode(s).buffer });

describe('x509 group 3: CA bits on a leaf', () => {
  it('x509 group 3: a leaf with basicConstraints cA=TRUE → bad_certificate / basic-constraints, server and client', async () => {
    const l = await leaf({ isCA: true, keyUsage: ['digitalSignature'] });
    await expectFail(() => asServer([l, pki.intermediate]), A.bad_certificate, 'basic-constraints');
    await expectFail(() => asClient([l, pki.intermediate]), A.bad_certificate, 'basic-constraints');
  });

  it('x509 group 3: a leaf with cA=FALSE and keyUsage keyCertSign → bad_certificate / key-usage, server and client', async () => {
    const l = await leaf({ keyUsage: ['digitalSignature', 'keyCertSign'] });
    await expectFail(() => asServer([l, pki.intermediate]), A.bad_certificate, 'key-usage');
    await expectFail(() => asClient([l, pki.intermediate]), A.bad_certificate, 'key-usage');
    // Without basicConstraints at all, the same.
    const bare = await leaf({ omitBasicConstraints: true, keyUsage: ['digitalSignature', 'keyCertSign'] });
    await expectFail(() => asServer([bare, pki.intermediate]), A.bad_certificate, 'key-usage');
  });

  it('x509 group 3: a self-signed CA certificate trusted as is still works (anchor-as-leaf, pins instead of a CA, insecure)', async () => {
    // What `openssl req -x509` makes: CA:TRUE, keyCertSign, used as the server certificate.
    const self = await mintCertificate({ subject: HOST, isCA: true, keyUsage: ['digitalSignature', 'keyCertSign'], sans: [HOST], eku: ['serverAuth'] });
    expect(asServer([self], { trustAnchors: [self.certDer] }).chain).toHaveLength(1);
    expect(asServer([self], { trustAnchors: [], pins: [spkiSha256(self.cert)], pinMode: 'instead-of-ca' }).chain).toHaveLength(1);
    expect(new InsecureSkipVerification().verify({ chain: [self.certDer], now }).leaf.basicConstraints?.ca).toBe(true);
    // The same certificate is no end entity under a CA.
    const issued = await leaf({ isCA: true, keyUsage: ['digitalSignature', 'keyCertSign'] });
    await expectFail(() => asServer([issued, pki.intermediate], { pins: [spkiSha256(issued.cert)] }), A.bad_certificate, 'basic-constraints');
  });
});

describe('x509 group 5: CRL profile', () => {
  it('x509 group 5: a CRL without cRLNumber is unusable: bad_certificate / crl-profile for the certificates it covers', async () => {
    const crl = await mintCrl({ issuer: pki.intermediate, crlNumber: null });
    expect(parseCrl(crl.der).unusable).toMatch(/no cRLNumber/);
    await expectFail(() => asServer([pki.server, pki.intermediate], { crls: [crl.der] }), A.bad_certificate, 'crl-profile');
    await expectFail(() => asClient([pki.client, pki.intermediate], { crls: [crl.der] }), A.bad_certificate, 'crl-profile');
  });

  it('x509 group 5: a CRL with a critical cRLNumber is unusable: bad_certificate / crl-profile', async () => {
    const crl = await mintCrl({ issuer: pki.intermediate, crlNumberCritical: true });
    await expectFail(() => asServer([pki.server, pki.intermediate], { crls: [crl.der] }), A.bad_certificate, 'crl-profile');
  });

  it('x509 group 5: a conforming CRL is used; an unusable one of another issuer does not matter', async () => {
    const good = await mintCrl({ issuer: pki.intermediate, crlNumber: 3n });
    const other = await mintCertificate({ subject: 'Other CA', isCA: true });
    const unrelated = await mintCrl({ issuer: other, crlNumber: null });
    expect(asServer([pki.server, pki.intermediate], { crls: [good.der, unrelated.der] }).chain).toHaveLength(3);
    const revoked = await mintCrl({ issuer: pki.intermediate, revoked: [{ serial: pki.server }] });
    await expectFail(() => asServer([pki.server, pki.intermediate], { crls: [revoked.der] }), A.certificate_revoked, 'crl');
  });
});

describe('x509 group 6: extension criticality and content', () => {
  it('x509 group 6: a critical authorityKeyIdentifier or subjectKeyIdentifier → bad_certificate / criticality (leaf and CA)', async () => {
    for (const name of ['authorityKeyIdentifier', 'subjectKeyIdentifier'] as const) {
      const l = await leaf({ critical: { [name]: true } });
      await expectFail(() => asServer([l, pki.intermediate]), A.bad_certificate, 'criticality');
      const c = await ca({ critical: { [name]: true } });
      await expectFail(async () => asServer([await leaf({ issuer: c }), c]), A.bad_certificate, 'criticality');
    }
  });

  it('x509 group 6: a non-critical basicConstraints on a CA → bad_certificate / criticality (intermediate and anchor)', async () => {
    const c = await ca({ critical: { basicConstraints: false } });
    await expectFail(async () => asServer([await leaf({ issuer: c }), c]), A.bad_certificate, 'criticality');
    const root = await mintCertificate({ subject: 'Lax Root', isCA: true, critical: { basicConstraints: false } });
    await expectFail(async () => asServer([await leaf({ issuer: root })], { trustAnchors: [root.certDer] }), A.bad_certificate, 'criticality');
    // On a leaf (cA=FALSE) a non-critical basicConstraints is allowed.
    expect(asServer([await leaf({ critical: { basicConstraints: false } }), pki.intermediate]).chain).toHaveLength(3);
  });

  it('x509 group 6: an empty subject needs a critical subjectAltName → bad_certificate / criticality', async () => {
    const lax = await leaf({ subject: {}, critical: { subjectAltName: false } });
    await expectFail(() => asServer([lax, pki.intermediate]), A.bad_certificate, 'criticality');
    const none = await leaf({ subject: {}, sans: [] });
    await expectFail(() => asServer([none, pki.intermediate]), A.bad_certificate, 'criticality');
    // Conforming: empty subject, critical SAN.
    expect(asServer([await leaf({ subject: {} }), pki.intermediate]).chain).toHaveLength(3);
  });

  it('x509 group 6: a non-critical nameConstraints → bad_certificate / criticality', async () => {
    const c = await ca({ nameConstraints: { permitted: [`DNS:${HOST}`] }, critical: { nameConstraints: false } });
    await expectFail(async () => asServer([await leaf({ issuer: c }), c]), A.bad_certificate, 'criticality');
  });

  it('x509 group 6: malformed AIA, SIA, CRL distribution points, certificate policies, policy constraints, keyUsage → bad_certificate / parse', async () => {
    const bad: [string, Uint8Array][] = [
      // AuthorityInfoAccessSyntax: an INTEGER where an AccessDescription goes; an empty list; a location that is no GeneralName.
      [ExtensionOid.authorityInfoAccess, Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)],
      [ExtensionOid.authorityInfoAccess, Uint8Array.of(0x30, 0x00)],
      [ExtensionOid.authorityInfoAccess, der(new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.3.6.1.5.5.7.48.1' }), new asn1js.Integer({ value: 1 })] })] }))],
      ['1.3.6.1.5.5.7.1.11', Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)],
      // CRLDistributionPoints: a DistributionPoint with neither name nor cRLIssuer; garbage.
      [ExtensionOid.crlDistributionPoints, Uint8Array.of(0x30, 0x02, 0x30, 0x00)],
      [ExtensionOid.crlDistributionPoints, Uint8Array.of(0x04, 0x01, 0x00)],
      // certificatePolicies: an empty list; a policy twice.
      [ExtensionOid.certificatePolicies, Uint8Array.of(0x30, 0x00)],
      [ExtensionOid.certificatePolicies, der(new asn1js.Sequence({ value: [1, 2].map(() => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '2.23.140.1.2.1' })] })) }))],
      // policyConstraints: empty. inhibitAnyPolicy: not an INTEGER.
      [ExtensionOid.policyConstraints, Uint8Array.of(0x30, 0x00)],
      [ExtensionOid.inhibitAnyPolicy, Uint8Array.of(0x05, 0x00)],
      // keyUsage with no bit set; subjectAltName with no name.
      [ExtensionOid.keyUsage, Uint8Array.of(0x03, 0x01, 0x00)],
      [ExtensionOid.subjectAltName, Uint8Array.of(0x30, 0x00)],
    ];
    for (const [oid, value] of bad) {
      const minted = mintCertificate({ subject: HOST, issuer: pki.intermediate, keyUsage: oid === ExtensionOid.keyUsage ? [] : undefined, sans: oid === ExtensionOid.subjectAltName ? [] : [HOST], extraExtensions: [{ oid, critical: false, value }] });
      await expect(minted, `${oid} ${Buffer.from(value).toString('hex')}`).rejects.toMatchObject({ alert: A.bad_certificate, check: 'parse' });
    }
  });

  it('x509 group 6: well-formed AIA, CRL distribution points and policies are accepted (and not used)', async () => {
    const uri = (s: string) => ia5(6, s);
    const aia = der(new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.3.6.1.5.5.7.48.1' }), uri('http://ocsp.example.test')] })] }));
    // DistributionPoint { distributionPoint [0] { fullName [0] { URI } } }
    const fullName = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [uri('http://crl.example.test/ca.crl')] });
    const crldp = der(new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [fullName] })] })] }));
    const policies = der(new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '2.23.140.1.2.1' })] })] }));
    const l = await leaf({
      extraExtensions: [
        { oid: ExtensionOid.authorityInfoAccess, critical: false, value: aia },
        { oid: ExtensionOid.crlDistributionPoints, critical: false, value: crldp },
        { oid: ExtensionOid.certificatePolicies, critical: false, value: policies },
      ],
    });
    expect(asServer([l, pki.intermediate]).chain).toHaveLength(3);
  });
});

describe('x509 group 7: empty-subject CAs, missing AKI/SKI', () => {
  it('x509 group 7: an intermediate with an empty subject → bad_certificate / empty-subject', async () => {
    // An empty subject needs a critical SAN (group 6) to get that far.
    const c = await ca({ subject: {}, sans: ['DNS:ca.example.test'] });
    await expectFail(async () => asServer([await leaf({ issuer: c }), c]), A.bad_certificate, 'empty-subject');
  });

  it('x509 group 7: a trust anchor with an empty subject → bad_certificate / empty-subject', async () => {
    const root = await mintCertificate({ subject: {}, sans: ['DNS:root.example.test'], isCA: true });
    await expectFail(async () => asServer([await leaf({ issuer: root })], { trustAnchors: [root.certDer] }), A.bad_certificate, 'empty-subject');
  });

  it('x509 group 7: a path without any AKI/SKI verifies, and its signatures are still checked', async () => {
    const root = await mintCertificate({ subject: 'No KI Root', isCA: true, omitKeyIdentifiers: true });
    const inter = await mintCertificate({ subject: 'No KI CA', issuer: root, isCA: true, omitKeyIdentifiers: true });
    const l = await mintCertificate({ subject: HOST, issuer: inter, sans: [HOST], eku: ['serverAuth'], omitKeyIdentifiers: true });
    const opts = { trustAnchors: [root.certDer] };
    expect(asServer([l, inter], opts).chain).toHaveLength(3);
    // Same names, other keys, no key identifiers to tell them apart: the signature does.
    const impostor = await mintCertificate({ subject: 'No KI CA', issuer: root, isCA: true, omitKeyIdentifiers: true });
    await expectFail(() => asServer([l, impostor], opts), A.bad_certificate, 'signature');
    const forgedRoot = await mintCertificate({ subject: 'No KI Root', isCA: true, omitKeyIdentifiers: true });
    await expectFail(() => asServer([l, inter], { trustAnchors: [forgedRoot.certDer] }), A.bad_certificate, 'signature');
  });

  it('x509 group 7: when both are present, a mismatched AKI/SKI rules the candidate out (unknown_ca)', async () => {
    const impostor = await mintCertificate({ subject: { organization: 'tls13-engine test PKI', commonName: 'Test Intermediate CA' }, issuer: pki.root, isCA: true });
    await expectFail(() => asServer([pki.server, impostor]), A.unknown_ca, 'issuer');
  });
});

describe('x509 strictProfile', () => {
  const strict = { strictProfile: true };

  it('x509 strictProfile: off by default; a conforming minted PKI passes it', async () => {
    expect(asServer([pki.server, pki.intermediate], strict).chain).toHaveLength(3);
    const client = await leaf({ subject: 'spiffe://tls13-engine.test/client', sans: ['spiffe://tls13-engine.test/client'], eku: ['clientAuth'] });
    expect(asClient([client, pki.intermediate], strict).chain).toHaveLength(3);
  });

  it('x509 strictProfile: a commonName that is not among the SANs → bad_certificate / strict-profile', async () => {
    const l = await leaf({ subject: 'other.test' });
    expect(asServer([l, pki.intermediate]).chain).toHaveLength(3);
    await expectFail(() => asServer([l, pki.intermediate], strict), A.bad_certificate, 'strict-profile');
    // Case does not matter for a DNS name.
    expect(asServer([await leaf({ subject: 'SERVER.test' }), pki.intermediate], strict).chain).toHaveLength(3);
  });

  it('x509 strictProfile: serial zero, negative, or over 20 octets → strict-profile; 20 octets pass', async () => {
    for (const serial of [0n, Uint8Array.of(0xff, 0x01), (1n << 160n) + 1n]) {
      const l = await leaf({ serial });
      expect(asServer([l, pki.intermediate]).chain).toHaveLength(3);
      await expectFail(() => asServer([l, pki.intermediate], strict), A.bad_certificate, 'strict-profile');
    }
    const c = await ca({ serial: 0n });
    await expectFail(async () => asServer([await leaf({ issuer: c }), c], strict), A.bad_certificate, 'strict-profile');
    expect(asServer([await leaf({ serial: (1n << 159n) - 1n }), pki.intermediate], strict).chain).toHaveLength(3);
  });

  it('x509 strictProfile: anyExtendedKeyUsage on a leaf (alone or with others), a repeated purpose, no EKU on a server leaf → strict-profile', async () => {
    for (const eku of [['serverAuth', 'any'], ['any'], ['serverAuth', 'serverAuth'], []]) {
      const l = await leaf({ eku });
      expect(asServer([l, pki.intermediate]).chain).toHaveLength(3);
      await expectFail(() => asServer([l, pki.intermediate], strict), A.bad_certificate, 'strict-profile');
    }
  });

  it('x509 strictProfile: AKI missing, AKI without keyIdentifier (issuer + serial only), AKI with issuer but no serial → strict-profile', async () => {
    const keyId = pki.intermediate.cert.subjectKeyIdentifier!;
    const ski = { oid: ExtensionOid.subjectKeyIdentifier, critical: false, value: der(new asn1js.OctetString({ valueHex: keyId.buffer.slice(0) as ArrayBuffer })) };
    // authorityCertIssuer [1] { directoryName [4] Name }, authorityCertSerialNumber [2]
    const dirName = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [asn1js.fromBER(pki.root.cert.subject.der.slice().buffer).result] });
    const issuer = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [dirName] });
    const serial = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 }, valueHex: pki.intermediate.cert.serial.slice().buffer });
    const aki = (...fields: asn1js.BaseBlock[]) => ({ oid: ExtensionOid.authorityKeyIdentifier, critical: false, value: der(new asn1js.Sequence({ value: fields })) });
    const variants = [[ski], [ski, aki(issuer, serial)], [ski, aki(new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: keyId.slice().buffer }), issuer)]];
    for (const extraExtensions of variants) {
      const l = await leaf({ omitKeyIdentifiers: true, extraExtensions });
      expect(asServer([l, pki.intermediate]).chain).toHaveLength(3);
      await expectFail(() => asServer([l, pki.intermediate], strict), A.bad_certificate, 'strict-profile');
    }
  });

  it('x509 strictProfile: an intermediate without SKI or keyUsage, a serverAuth leaf without SAN, pathLen on a non-CA → strict-profile', async () => {
    const noSki = await ca({ omitKeyIdentifiers: true });
    const noKu = await ca({ keyUsage: [] });
    for (const c of [noSki, noKu]) {
      const l = await leaf({ issuer: c });
      expect(asServer([l, c]).chain).toHaveLength(3);
      await expectFail(() => asServer([l, c], strict), A.bad_certificate, 'strict-profile');
    }
    const noSan = await leaf({ sans: [] });
    await expectFail(() => serverVerifier(strict).verify({ chain: [noSan.certDer, pki.intermediate.certDer], now }), A.bad_certificate, 'strict-profile');
    const pathLen = await leaf({ pathLen: 0 });
    expect(asServer([pathLen, pki.intermediate]).chain).toHaveLength(3);
    await expectFail(() => asServer([pathLen, pki.intermediate], strict), A.bad_certificate, 'strict-profile');
  });

  it('x509 strictProfile: the trust anchor is not linted (it was not issued to us)', async () => {
    const root = await mintCertificate({ subject: 'Serial Zero Root', isCA: true, serial: 0n, keyUsage: ['keyCertSign', 'encipherOnly'] });
    const l = await mintCertificate({ subject: HOST, issuer: root, sans: [HOST], eku: ['serverAuth'] });
    expect(asServer([l], { trustAnchors: [root.certDer], ...strict }).chain).toHaveLength(2);
  });
});
