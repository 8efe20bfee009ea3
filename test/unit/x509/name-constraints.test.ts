// Name constraints (RFC 5280 §4.2.1.10): the matching rules per name form, and the checker on
// minted paths (root → constrained intermediate → leaf), cross-checked with openssl verify.

import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../../src/crypto/noble/index.js';
import { CertificateError } from '../../../src/errors.js';
import { type MintedCertificate, mintCertificate } from '../../../src/testing/mint.js';
import { parseNameConstraints } from '../../../src/x509/name-constraints.js';
import { WebPkiServerVerifier } from '../../../src/x509/verify.js';
import { WebPkiClientVerifier } from '../../../src/x509/client-verify.js';
import { hasOpenssl, openssl, tempDir } from '../../helpers/x509.js';

let root: MintedCertificate;
beforeAll(async () => {
  root = await mintCertificate({ subject: 'NC Root', isCA: true });
});

const now = (): Date => new Date();

async function ca(nc: { permitted?: string[]; excluded?: string[] }, issuer: MintedCertificate = root, subject = 'NC Intermediate'): Promise<MintedCertificate> {
  return mintCertificate({ subject, issuer, isCA: true, nameConstraints: nc });
}

async function leafFor(issuer: MintedCertificate, sans: string[], subject: string | { commonName: string; organization: string } = 'leaf'): Promise<MintedCertificate> {
  return mintCertificate({ subject, issuer, sans, eku: ['serverAuth', 'clientAuth'] });
}

function check(leaf: MintedCertificate, intermediate: MintedCertificate): void {
  new WebPkiServerVerifier({ trustAnchors: [root.certDer], verifier: nobleProvider.verifier }).verify({ chain: [leaf.certDer, intermediate.certDer], now: now() });
}

function rejected(leaf: MintedCertificate, intermediate: MintedCertificate): string {
  try {
    check(leaf, intermediate);
  } catch (e) {
    expect(e).toBeInstanceOf(CertificateError);
    const ce = e as CertificateError;
    expect(ce.check, ce.message).toBe('name-constraints');
    return ce.alertName;
  }
  throw new Error('expected a name-constraints failure');
}

describe('name constraints', () => {
  it('mint encodes them as RFC 5280 says (critical, IMPLICIT subtrees, no minimum/maximum)', async () => {
    const c = await ca({ permitted: ['DNS:example.com', 'IP:10.0.0.0/8', 'URI:.example.com', 'email:example.com'], excluded: ['DNS:bad.example.com', 'IP:2001:db8::/32'] });
    const ext = c.cert.extensions.find((e) => e.oid === '2.5.29.30')!;
    expect(ext.critical).toBe(true);
    const nc = parseNameConstraints(ext.value);
    expect(nc.permitted?.map((x) => x.kind)).toEqual(['dns', 'ip', 'uri', 'email']);
    expect(nc.excluded?.[1]).toMatchObject({ kind: 'ip', address: new Uint8Array([0x20, 0x01, 0x0d, 0xb8, ...new Array(12).fill(0)]) });
  });

  describe('DNS (a subtree is the name and any name with labels added on the left)', () => {
    it('permitted', async () => {
      const c = await ca({ permitted: ['DNS:example.com'] });
      check(await leafFor(c, ['example.com', 'www.example.com', 'a.b.EXAMPLE.com', '*.example.com']), c);
      expect(rejected(await leafFor(c, ['www.example.com', 'badexample.com']), c)).toBe('bad_certificate');
      expect(rejected(await leafFor(c, ['example.org']), c)).toBe('bad_certificate');
    });

    it('excluded, including a wildcard that would reach an excluded host', async () => {
      const c = await ca({ excluded: ['DNS:secret.example.com'] });
      check(await leafFor(c, ['www.example.com', 'notsecret.example.com']), c);
      rejected(await leafFor(c, ['secret.example.com']), c);
      rejected(await leafFor(c, ['api.secret.example.com']), c);
      rejected(await leafFor(c, ['*.example.com']), c);
    });

    it('a leading dot means subdomains only (OpenSSL\'s reading)', async () => {
      const c = await ca({ permitted: ['DNS:.example.com'] });
      check(await leafFor(c, ['www.example.com']), c);
      rejected(await leafFor(c, ['example.com']), c);
    });

    it('forms without permitted entries are not constrained: an IP SAN under DNS-only constraints', async () => {
      const c = await ca({ permitted: ['DNS:example.com'] });
      check(await leafFor(c, ['www.example.com', '192.0.2.1']), c);
    });
  });

  describe('IP (address and mask)', () => {
    it('IPv4 and IPv6, permitted and excluded', async () => {
      const c = await ca({ permitted: ['IP:10.0.0.0/8', 'IP:2001:db8::/32'], excluded: ['IP:10.9.0.0/16'] });
      check(await leafFor(c, ['10.1.2.3', '2001:db8::1']), c);
      rejected(await leafFor(c, ['192.168.1.1']), c);
      rejected(await leafFor(c, ['10.9.1.1']), c);
      rejected(await leafFor(c, ['2001:db9::1']), c);
    });
  });

  describe('URI (the host: an exact host, or ".domain" for subdomains)', () => {
    it('SPIFFE trust domains', async () => {
      const c = await ca({ permitted: ['URI:prod.example'] });
      check(await leafFor(c, ['spiffe://prod.example/ns/web']), c);
      rejected(await leafFor(c, ['spiffe://dev.example/ns/web']), c);
    });

    it('subdomains, and URIs without a host fail closed', async () => {
      const c = await ca({ permitted: ['URI:.example.com'] });
      check(await leafFor(c, ['https://api.example.com/x']), c);
      rejected(await leafFor(c, ['https://example.com/x']), c);
      rejected(await leafFor(c, ['urn:uuid:1234']), c);
    });

    it('excluded', async () => {
      const c = await ca({ excluded: ['URI:evil.example'] });
      check(await leafFor(c, ['spiffe://good.example/a']), c);
      rejected(await leafFor(c, ['spiffe://evil.example/a']), c);
    });
  });

  describe('rfc822Name', () => {
    it('a host, a domain, a mailbox', async () => {
      const c = await ca({ permitted: ['email:example.com', 'email:.corp.example', 'email:root@other.example'] });
      check(await leafFor(c, ['alice@example.com', 'bob@x.corp.example', 'root@other.example']), c);
      rejected(await leafFor(c, ['alice@sub.example.com']), c);
      rejected(await leafFor(c, ['admin@other.example']), c);
    });
  });

  it('constraints bind intermediates below the constrained CA too, and nest (intersection)', async () => {
    const top = await ca({ permitted: ['DNS:example.com'] }, root, 'Top');
    // A sub-CA permitted a wider tree by its own extension is still bound by the CA above.
    const sub = await mintCertificate({ subject: 'Sub', issuer: top, isCA: true, nameConstraints: { permitted: ['DNS:org'] } });
    const leaf = await leafFor(sub, ['www.example.com']);
    const v = new WebPkiServerVerifier({ trustAnchors: [root.certDer], verifier: nobleProvider.verifier });
    expect(() => v.verify({ chain: [leaf.certDer, sub.certDer, top.certDer], now: now() })).toThrow(/not in a subtree permitted by "CN=Sub"/);
    const ok = await leafFor(top, ['www.example.com']);
    expect(v.verify({ chain: [ok.certDer, top.certDer], now: now() }).chain).toHaveLength(3);
  });

  it('trust anchor constraints apply', async () => {
    const constrainedRoot = await mintCertificate({ subject: 'Constrained root', isCA: true, nameConstraints: { permitted: ['DNS:example.com'] } });
    const leaf = await leafFor(constrainedRoot, ['example.net']);
    const v = new WebPkiClientVerifier({ trustAnchors: [constrainedRoot.certDer], verifier: nobleProvider.verifier });
    expect(() => v.verify({ chain: [leaf.certDer], now: now() })).toThrow(CertificateError);
  });

  it('an unsupported constraint form (registeredID) fails closed with unsupported_certificate when the leaf has such a name', async () => {
    // NameConstraints { permitted [0] { GeneralSubtree { registeredID [8] 1.2.3 } } }
    const value = Uint8Array.of(0x30, 0x09, 0xa0, 0x07, 0x30, 0x05, 0x88, 0x03, 0x2a, 0x03, 0x04);
    const c = await mintCertificate({ subject: 'odd', issuer: root, isCA: true, extraExtensions: [{ oid: '2.5.29.30', critical: true, value }] });
    // SAN { dNSName "example.com", registeredID 1.2.3 }
    const san = Uint8Array.of(0x30, 0x12, 0x82, 0x0b, ...new TextEncoder().encode('example.com'), 0x88, 0x03, 0x2a, 0x03, 0x04);
    const leaf = await mintCertificate({ subject: 'leaf', issuer: c, eku: ['serverAuth'], extraExtensions: [{ oid: '2.5.29.17', critical: false, value: san }] });
    expect(rejected(leaf, c)).toBe('unsupported_certificate');
  });

  it('malformed: minimum present → bad_certificate', async () => {
    // GeneralSubtree { dNSName "a", minimum [0] 1 }
    const value = Uint8Array.of(0x30, 0x0a, 0xa0, 0x08, 0x30, 0x06, 0x82, 0x01, 0x61, 0x80, 0x01, 0x01);
    const c = await mintCertificate({ subject: 'odd', issuer: root, isCA: true, extraExtensions: [{ oid: '2.5.29.30', critical: true, value }] });
    expect(rejected(await leafFor(c, ['a']), c)).toBe('bad_certificate');
  });
});

describe.skipIf(!hasOpenssl)('agrees with openssl verify', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('on permitted and excluded DNS, IP and URI cases', async () => {
    const c = await ca({ permitted: ['DNS:example.com', 'IP:10.0.0.0/8', 'URI:.example.com'], excluded: ['DNS:secret.example.com'] });
    writeFileSync(tmp.path('root.pem'), root.certPem);
    writeFileSync(tmp.path('int.pem'), c.certPem);
    const cases: [string[], boolean][] = [
      [['www.example.com'], true],
      [['www.example.org'], false],
      [['secret.example.com'], false],
      [['10.1.1.1'], true],
      [['11.1.1.1'], false],
      [['https://a.example.com/'], true],
      [['https://a.example.net/'], false],
    ];
    for (const [sans, ok] of cases) {
      const leaf = await leafFor(c, sans);
      writeFileSync(tmp.path('leaf.pem'), leaf.certPem);
      let theirs: boolean;
      try {
        openssl(['verify', '-CAfile', tmp.path('root.pem'), '-untrusted', tmp.path('int.pem'), tmp.path('leaf.pem')]);
        theirs = true;
      } catch {
        theirs = false;
      }
      let ours: boolean;
      try {
        check(leaf, c);
        ours = true;
      } catch {
        ours = false;
      }
      expect({ sans, ours, theirs }).toEqual({ sans, ours: ok, theirs: ok });
    }
  });
});


