// Revocation: CRLs (RFC 5280 §5, §6.3) and stapled OCSP (RFC 6960, RFC 8446 §4.4.2.1), with
// CRLs and responses minted at test time and cross-checked with the openssl CLI when present.

import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nobleProvider, signingKeyFromMaterial } from '../../../src/crypto/noble/index.js';
import { AlertDescription as A, CertificateError } from '../../../src/errors.js';
import { WebPkiClientVerifier } from '../../../src/x509/client-verify.js';
import { type MintedCertificate, type TestPki, mintCertificate, mintCrl, mintOcspResponse, mintTestPki } from '../../../src/testing/mint.js';
import { pemDecode } from '../../../src/x509/pem.js';
import { parseCrl, parseOcspResponse } from '../../../src/x509/revocation.js';
import { type WebPkiVerifierOptions, WebPkiServerVerifier } from '../../../src/x509/verify.js';
import { runPair } from '../../helpers/scripted.js';
import { DAY, expectFail, hasOpenssl, openssl, tempDir } from '../../helpers/x509.js';

const HOUR = 60 * 60 * 1000;

let pki: TestPki;
let now: Date;
beforeAll(async () => {
  pki = await mintTestPki({ serverNames: ['server.test'] });
  now = new Date();
});

const chain = (): Uint8Array[] => [pki.server.certDer, pki.intermediate.certDer];
const verifier = (opts: Partial<WebPkiVerifierOptions> = {}): WebPkiServerVerifier =>
  new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, ...opts });
const verify = (opts: Partial<WebPkiVerifierOptions> = {}, ocspResponse?: Uint8Array, at = now) =>
  verifier(opts).verify({ chain: chain(), serverName: 'server.test', now: at, ...(ocspResponse ? { ocspResponse } : {}) });

describe('CRLs', () => {
  it('parses what mintCrl writes', async () => {
    const crl = await mintCrl({ issuer: pki.intermediate, revoked: [{ serial: pki.client, reason: 1 }, { serial: 12345n }], crlNumber: 7n });
    const p = parseCrl(crl.der);
    expect(p.issuer.text).toBe(pki.intermediate.cert.subject.text);
    expect(p.crlNumber).toBe(7n);
    expect(p.revoked.get(pki.client.cert.serialHex)?.reason).toBe(1);
    expect(p.revoked.has('3039')).toBe(true);
    expect(p.nextUpdate!.getTime() - p.thisUpdate.getTime()).toBe(7 * DAY);
    expect(crl.pem).toMatch(/^-----BEGIN X509 CRL-----/);
  });

  it('accepts a chain none of whose certificates is listed', async () => {
    const crls = [(await mintCrl({ issuer: pki.intermediate, revoked: [{ serial: pki.client }] })).der, (await mintCrl({ issuer: pki.root })).der];
    expect(verify({ crls }).chain).toHaveLength(3);
  });

  it('a revoked leaf → certificate_revoked / crl', async () => {
    const crl = await mintCrl({ issuer: pki.intermediate, revoked: [{ serial: pki.server, reason: 1 }] });
    const e = await expectFail(() => verify({ crls: [crl.der] }), A.certificate_revoked, 'crl');
    expect(e.message).toContain('reason 1');
  });

  it('a revoked intermediate (on the root CRL) → certificate_revoked / crl', async () => {
    const crl = await mintCrl({ issuer: pki.root, revoked: [{ serial: pki.intermediate }] });
    await expectFail(() => verify({ crls: [crl.der] }), A.certificate_revoked, 'crl');
  });

  it('a CRL signed by another key under the same name → bad_certificate / crl-signature', async () => {
    const impostor = await mintCertificate({ subject: { organization: 'tls13-engine test PKI', commonName: 'Test Intermediate CA' }, isCA: true });
    const crl = await mintCrl({ issuer: impostor });
    await expectFail(() => verify({ crls: [crl.der] }), A.bad_certificate, 'crl-signature');
  });

  it('a stale or future CRL → bad_certificate / crl-validity', async () => {
    const stale = await mintCrl({ issuer: pki.intermediate, thisUpdate: new Date(now.getTime() - 10 * DAY), nextUpdate: new Date(now.getTime() - DAY) });
    await expectFail(() => verify({ crls: [stale.der] }), A.bad_certificate, 'crl-validity');
    const future = await mintCrl({ issuer: pki.intermediate, thisUpdate: new Date(now.getTime() + DAY) });
    await expectFail(() => verify({ crls: [future.der] }), A.bad_certificate, 'crl-validity');
  });

  it('a CRL issuer whose keyUsage lacks cRLSign → bad_certificate / crl-signature', async () => {
    const ca = await mintCertificate({ subject: 'no crlsign', issuer: pki.root, isCA: true, keyUsage: ['keyCertSign'] });
    const leaf = await mintCertificate({ subject: 'x', issuer: ca, sans: ['server.test'], eku: ['serverAuth'] });
    const crl = await mintCrl({ issuer: ca });
    const v = verifier({ crls: [crl.der] });
    await expectFail(() => v.verify({ chain: [leaf.certDer, ca.certDer], now }), A.bad_certificate, 'crl-signature');
  });

  it('rejects unusable CRLs at configuration time (unknown critical extension, garbage)', async () => {
    // issuingDistributionPoint (RFC 5280 §5.2.5) is critical and scopes the CRL: not processed.
    const idp = await mintCrl({ issuer: pki.intermediate, extraExtensions: [{ oid: '2.5.29.28', critical: true, value: Uint8Array.of(0x30, 0x03, 0x81, 0x01, 0xff) }] });
    expect(() => verifier({ crls: [idp.der] })).toThrow(/unsupported critical CRL extension 2\.5\.29\.28/);
    expect(() => verifier({ crls: [Uint8Array.of(0x30, 0x00)] })).toThrow(TypeError);
  });

  it('the client verifier checks CRLs too', async () => {
    const crl = await mintCrl({ issuer: pki.intermediate, revoked: [{ serial: pki.client }] });
    const v = new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, crls: [crl.der] });
    await expectFail(() => v.verify({ chain: [pki.client.certDer, pki.intermediate.certDer], now }), A.certificate_revoked, 'crl');
  });
});

describe('stapled OCSP', () => {
  const ocsp = (extra: Partial<Parameters<typeof mintOcspResponse>[0]> = {}) => mintOcspResponse({ cert: pki.server, issuer: pki.intermediate, ...extra });

  it('parses what mintOcspResponse writes', async () => {
    const r = parseOcspResponse(await ocsp({ status: 'revoked', revocationReason: 4, certIdHash: 'SHA-256' }));
    expect(r.responses).toHaveLength(1);
    expect(r.responses[0]).toMatchObject({ status: 'revoked', revocationReason: 4, hashAlgorithm: '2.16.840.1.101.3.4.2.1' });
    expect('byName' in r.responderId && r.responderId.byName.text).toBe(pki.intermediate.cert.subject.text);
    expect(r.certs).toHaveLength(0);
  });

  it('good (SHA-1 or SHA-256 CertID, responder by name or by key) passes', async () => {
    for (const extra of [{}, { certIdHash: 'SHA-256' as const }, { responderIdByKey: true }, { includeSignerCert: true }]) {
      expect(verify({}, await ocsp(extra)).chain).toHaveLength(3);
    }
  });

  it('a delegated responder with id-kp-OCSPSigning passes; without it → ocsp-responder', async () => {
    const responder = await mintCertificate({ subject: 'OCSP responder', issuer: pki.intermediate, eku: ['ocspSigning'] });
    expect(verify({}, await ocsp({ responder })).chain).toHaveLength(3);
    const plain = await mintCertificate({ subject: 'not a responder', issuer: pki.intermediate, eku: ['serverAuth'] });
    await expectFail(async () => verify({}, await ocsp({ responder: plain })), A.bad_certificate_status_response, 'ocsp-responder');
    // A responder from another CA, even with the EKU.
    const foreign = await mintCertificate({ subject: 'foreign responder', issuer: pki.root, eku: ['ocspSigning'] });
    await expectFail(async () => verify({}, await ocsp({ responder: foreign })), A.bad_certificate_status_response, 'ocsp-responder');
  });

  it('revoked → certificate_revoked / ocsp; unknown → bad_certificate_status_response / ocsp', async () => {
    await expectFail(async () => verify({}, await ocsp({ status: 'revoked' })), A.certificate_revoked, 'ocsp');
    await expectFail(async () => verify({}, await ocsp({ status: 'unknown' })), A.bad_certificate_status_response, 'ocsp');
  });

  it('stale, future, or without nextUpdate and old → ocsp-validity', async () => {
    const t = now.getTime();
    await expectFail(async () => verify({}, await ocsp({ thisUpdate: new Date(t - 10 * DAY), nextUpdate: new Date(t - DAY) })), A.bad_certificate_status_response, 'ocsp-validity');
    await expectFail(async () => verify({}, await ocsp({ thisUpdate: new Date(t + HOUR) })), A.bad_certificate_status_response, 'ocsp-validity');
    await expectFail(async () => verify({}, await ocsp({ thisUpdate: new Date(t - 8 * DAY), nextUpdate: null })), A.bad_certificate_status_response, 'ocsp-validity');
    expect(verify({}, await ocsp({ thisUpdate: new Date(t - DAY), nextUpdate: null })).chain).toHaveLength(3);
  });

  it('a response about another certificate → ocsp-certid', async () => {
    await expectFail(async () => verify({}, await mintOcspResponse({ cert: pki.client, issuer: pki.intermediate })), A.bad_certificate_status_response, 'ocsp-certid');
  });

  it('signed by another key under the issuer name → ocsp-signature', async () => {
    const other = await mintCertificate({ subject: 'other', isCA: true });
    const forged = await ocsp({ responder: { certDer: pki.intermediate.certDer, key: other.key }, includeSignerCert: false });
    await expectFail(() => verify({}, forged), A.bad_certificate_status_response, 'ocsp-signature');
  });

  it('a non-successful or malformed response → ocsp', async () => {
    const tryLater = await ocsp({ responseStatus: 3 });
    const e = await expectFail(() => verify({}, tryLater), A.bad_certificate_status_response, 'ocsp');
    expect(e.message).toContain('tryLater');
    await expectFail(() => verify({}, Uint8Array.of(1, 2, 3)), A.bad_certificate_status_response, 'ocsp');
  });

  it('requireOcsp: none stapled → bad_certificate_status_response / ocsp-required', async () => {
    await expectFail(() => verify({ requireOcsp: true }), A.bad_certificate_status_response, 'ocsp-required');
    expect(verify({ requireOcsp: true }, await ocsp()).chain).toHaveLength(3);
  });

  it('the client verifier checks a client staple', async () => {
    const v = new WebPkiClientVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier, requireOcsp: true });
    const input = { chain: [pki.client.certDer, pki.intermediate.certDer], now };
    await expectFail(() => v.verify(input), A.bad_certificate_status_response, 'ocsp-required');
    const revoked = await mintOcspResponse({ cert: pki.client, issuer: pki.intermediate, status: 'revoked' });
    await expectFail(() => v.verify({ ...input, ocspResponse: revoked }), A.certificate_revoked, 'ocsp');
  });
});

describe('stapling through a handshake (ServerConfig.ocspResponse → ClientConfig.requestOcsp)', () => {
  const pair = (ocspResponse: Uint8Array | undefined, requireOcsp: boolean) =>
    runPair({
      server: {
        certificateChain: chain(),
        signingKey: signingKeyFromMaterial(pki.server.key),
        ...(ocspResponse ? { ocspResponse } : {}),
      },
      client: { serverName: 'server.test', requestOcsp: true, verifier: verifier({ requireOcsp }) },
    });

  it('a good staple: the handshake completes', async () => {
    const out = pair(await mintOcspResponse({ cert: pki.server, issuer: pki.intermediate }), true);
    expect(out.clientError).toBeUndefined();
    expect(out.serverError).toBeUndefined();
    expect(out.client.handshakeComplete).toBe(true);
  });

  it('a revoked staple → the client sends certificate_revoked', async () => {
    const out = pair(await mintOcspResponse({ cert: pki.server, issuer: pki.intermediate, status: 'revoked' }), false);
    expect(out.clientError?.alertName).toBe('certificate_revoked');
    expect(out.serverError?.alertName).toBe('certificate_revoked');
  });

  it('no staple but one required → bad_certificate_status_response', () => {
    const out = pair(undefined, true);
    expect(out.clientError).toBeInstanceOf(CertificateError);
    expect((out.clientError as CertificateError).check).toBe('ocsp-required');
    expect(out.serverError?.alertName).toBe('bad_certificate_status_response');
  });
});

describe.skipIf(!hasOpenssl)('OpenSSL reads our CRLs and OCSP responses', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const file = (name: string, text: string | Uint8Array): string => {
    writeFileSync(tmp.path(name), text);
    return tmp.path(name);
  };
  const certFile = (name: string, c: MintedCertificate): string => file(name, c.certPem);

  it('openssl verify -crl_check_all finds the revoked leaf', async () => {
    const crl = await mintCrl({ issuer: pki.intermediate, revoked: [{ serial: pki.server, reason: 1 }] });
    const rootCrl = await mintCrl({ issuer: pki.root });
    const crls = file('crls.pem', crl.pem + rootCrl.pem);
    const args = ['verify', '-CAfile', certFile('root.pem', pki.root), '-untrusted', certFile('int.pem', pki.intermediate), '-crl_check_all', '-CRLfile', crls];
    let out = '';
    try {
      out = openssl([...args, certFile('server.pem', pki.server)]);
    } catch (e) {
      out = (e as Error).message;
    }
    expect(out).toMatch(/certificate revoked/);
    expect(openssl([...args, certFile('client.pem', pki.client)])).toMatch(/OK/);
    expect(openssl(['crl', '-in', crls, '-noout', '-text'])).toMatch(/Key Compromise/);
  });

  it('openssl ocsp -respin verifies our responses (issuer-signed and delegated)', async () => {
    const responder = await mintCertificate({ subject: 'OCSP responder', issuer: pki.intermediate, eku: ['ocspSigning'] });
    for (const [name, der, status, digest] of [
      ['good.der', await mintOcspResponse({ cert: pki.server, issuer: pki.intermediate }), 'good', []],
      ['revoked.der', await mintOcspResponse({ cert: pki.server, issuer: pki.intermediate, status: 'revoked', revocationReason: 1 }), 'revoked', []],
      ['delegated.der', await mintOcspResponse({ cert: pki.server, issuer: pki.intermediate, responder, certIdHash: 'SHA-256' }), 'good', ['-sha256']],
    ] as const) {
      const out = openssl([
        'ocsp', '-respin', file(name, der), ...digest, '-issuer', certFile('int.pem', pki.intermediate), '-cert', certFile('server.pem', pki.server),
        '-CAfile', file('ca-bundle.pem', pki.root.certPem + pki.intermediate.certPem), '-no_nonce', '-resp_text',
      ]);
      expect(out, name).toMatch(new RegExp(`server\\.pem: ${status}`));
      // Our parser reads what OpenSSL printed back as the same response.
      expect(parseOcspResponse(der).responses[0]!.status).toBe(status);
    }
  });

  it('we read OCSP responses and CRLs that openssl writes', async () => {
    // openssl ocsp as a one-shot responder: index file, request, response.
    const index = `R\t${'300101000000Z'}\t${'240101000000Z'},keyCompromise\t${pki.server.cert.serialHex.toUpperCase()}\tunknown\t/CN=server.test\n`;
    file('index.txt', index);
    const req = tmp.path('req.der');
    openssl(['ocsp', '-issuer', certFile('int.pem', pki.intermediate), '-cert', certFile('server.pem', pki.server), '-reqout', req, '-no_nonce']);
    const resp = tmp.path('resp.der');
    file('int.key', pki.intermediate.keyPem);
    openssl(['ocsp', '-index', tmp.path('index.txt'), '-rsigner', tmp.path('int.pem'), '-rkey', tmp.path('int.key'), '-CA', tmp.path('int.pem'), '-reqin', req, '-respout', resp, '-ndays', '1']);
    const der = new Uint8Array(readFileSync(resp));
    expect(parseOcspResponse(der).responses[0]!.status).toBe('revoked');
    // openssl stamps thisUpdate with its own clock: verify a moment later than `now`.
    const later = new Date(Date.now() + 2000);
    await expectFail(() => verify({}, der, later), A.certificate_revoked, 'ocsp');

    // openssl ca -gencrl needs a config; openssl crl can re-sign nothing, so use the CA tooling.
    file('ca.cnf', `[ca]\ndefault_ca=d\n[d]\ndatabase=${tmp.path('index.txt')}\ncrlnumber=${file('crlnumber', '01\n')}\ndefault_md=sha256\ndefault_crl_days=1\n`);
    const crlPem = openssl(['ca', '-gencrl', '-config', tmp.path('ca.cnf'), '-cert', tmp.path('int.pem'), '-keyfile', tmp.path('int.key')]);
    const crlDer = pemDecode(crlPem, 'X509 CRL')[0]!;
    expect(parseCrl(crlDer).revoked.has(pki.server.cert.serialHex)).toBe(true);
    await expectFail(() => verify({ crls: [crlDer] }, undefined, later), A.certificate_revoked, 'crl');
  });
});
