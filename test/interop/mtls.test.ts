// Mutual TLS against OpenSSL on 127.0.0.1, both directions, through our CLI:
//   our client (--cert/--key) → `openssl s_server -Verify 1 -CAfile …`
//   `openssl s_client -cert … -key …` → our server (--client-ca … --verify-client required)
// and the failures (untrusted client certificate, none when one is required, expired, wrong
// EKU), each with the alert seen by OpenSSL or by us; plus OCSP stapling, pins, CRLs and
// post-handshake authentication. The PKIs are written by `tls13 cert` at test time.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCertArgs, writeTestPki, type CertFiles } from '../../tools/cli/cert.js';
import { toHex } from '../../src/util/bytes.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { spkiSha256 } from '../../src/x509/identity.js';
import { parsePrivateKeyPem } from '../../src/x509/keys.js';
import { mintCertificate, mintCrl, mintOcspResponse } from '../../src/testing/mint.js';
import { pemDecode } from '../../src/x509/pem.js';
import { hasBuiltCli, hasOpenssl, killAll, runCli, runOpensslClient, startCliServer, startOpensslServer } from '../helpers/openssl.js';
import { reversed } from '../helpers/interop.js';

let dir: string;
let pki: CertFiles;
let other: CertFiles;
/** Client certificates that must be refused: expired, serverAuth only. */
const bad = { expired: { chain: '', key: '' }, wrongEku: { chain: '', key: '' } };
let serverPin: string;
let revokedOcsp: string;
let revokedCrl: string;

const file = (name: string, data: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const CLIENT_ID = 'peer="CN=client, O=tls13-engine test PKI" spiffe=spiffe://tls13-engine.test/client';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tls13-mtls-'));
  pki = (await writeTestPki(parseCertArgs(['--out', join(dir, 'pki'), '--san', 'localhost', '--san', '127.0.0.1', '--ocsp', '--crl'])!)).files;
  other = (await writeTestPki(parseCertArgs(['--out', join(dir, 'other'), '--org', 'Untrusted PKI'])!)).files;
  const load = (cert: string, key: string) => ({ certDer: pemDecode(readFileSync(cert, 'utf8'), 'CERTIFICATE')[0]!, key: parsePrivateKeyPem(readFileSync(key, 'utf8')) });
  const inter = load(pki.intermediate, pki.intermediateKey);
  const interPem = readFileSync(pki.intermediate, 'utf8');
  const now = Date.now();
  const expired = await mintCertificate({
    subject: { organization: 'tls13-engine test PKI', commonName: 'expired client' },
    issuer: inter,
    sans: ['spiffe://tls13-engine.test/expired'],
    eku: ['clientAuth'],
    notBefore: new Date(now - 10 * 86400_000),
    notAfter: new Date(now - 86400_000),
  });
  bad.expired = { chain: file('expired-chain.pem', expired.certPem + interPem), key: file('expired.key.pem', expired.keyPem) };
  const serverOnly = await mintCertificate({ subject: { organization: 'tls13-engine test PKI', commonName: 'not a client' }, issuer: inter, eku: ['serverAuth'] });
  bad.wrongEku = { chain: file('wrong-eku-chain.pem', serverOnly.certPem + interPem), key: file('wrong-eku.key.pem', serverOnly.keyPem) };
  const server = load(pki.server, pki.serverKey);
  serverPin = toHex(spkiSha256(parseCertificate(server.certDer)));
  revokedOcsp = file('revoked.ocsp.der', await mintOcspResponse({ cert: server.certDer, issuer: inter, status: 'revoked', revocationReason: 1 }));
  revokedCrl = file('revoked.crl.pem', (await mintCrl({ issuer: inter, revoked: [{ serial: parseCertificate(server.certDer).serial }] })).pem);
}, 60_000);

afterEach(async () => {
  await killAll();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** `openssl s_server` with our server chain, requiring a client certificate from `ca`. */
function opensslServer(args: string[]) {
  return startOpensslServer({ cert: pki.server, key: pki.serverKey, args: ['-cert_chain', pki.intermediate, '-naccept', '1', ...args] });
}

/** Our client; stdin stays open until `waitFor` shows up. */
function ourClient(port: number, args: string[], stdin: string, waitFor: string | RegExp) {
  return runCli({ args: ['client', `127.0.0.1:${port}`, '--servername', 'localhost', ...args], stdin, waitFor, timeoutMs: 20_000 });
}

function ourServer(args: string[]) {
  return startCliServer({ args: ['--cert', pki.serverChain, '--key', pki.serverKey, '--echo', ...args] });
}

function opensslClient(port: number, args: string[], stdin: string, waitFor: string | RegExp) {
  return runOpensslClient({
    port,
    args: ['-CAfile', pki.ca, '-servername', 'localhost', '-verify_return_error', '-no_ign_eof', ...args],
    stdin,
    waitFor,
    timeoutMs: 20_000,
  });
}

const withClientCert = (c: { chain: string; key: string }): string[] => ['--cert', c.chain, '--key', c.key];
const ourClientCert = (): { chain: string; key: string } => ({ chain: pki.clientChain, key: pki.clientKey });
/** s_client's client certificate flags (the leaf, its key, the intermediate). */
const sClientCert = (chainFile: string, key: string): string[] => {
  const certs = readFileSync(chainFile, 'utf8').split(/(?<=-----END CERTIFICATE-----\n)/).filter((s) => s.trim());
  const leaf = file(`leaf-${Math.random().toString(36).slice(2)}.pem`, certs[0]!);
  const rest = file(`rest-${Math.random().toString(36).slice(2)}.pem`, certs.slice(1).join(''));
  return ['-cert', leaf, '-key', key, '-cert_chain', rest];
};
const alertNumber = (text: string): number | undefined => {
  const m = /SSL alert number (\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
};

describe.skipIf(!hasOpenssl() || !hasBuiltCli())('mutual TLS interop with OpenSSL', () => {
  describe('our client → openssl s_server -Verify 1 -CAfile ca.pem', () => {
    it('presents its certificate; OpenSSL verifies it; data flows both ways', async () => {
      const s = await opensslServer(['-Verify', '1', '-CAfile', pki.ca, '-verify_return_error', '-rev']);
      const r = await ourClient(s.port, ['--ca', pki.ca, ...withClientCert(ourClientCert())], 'hello mtls\n', reversed('hello mtls'));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(reversed('hello mtls'));
      expect(r.stderr).toMatch(/^TLSv1\.3 \S+ \S+ ecdsa_secp256r1_sha256 alpn=none early=none peer="CN=localhost, O=tls13-engine test PKI"$/m);
      // In -rev mode s_server reports the connection on stderr.
      await s.child.waitFor(/Verification: OK/, 'any');
      expect(s.output()).toMatch(/Peer certificate: O = tls13-engine test PKI, CN = client/);
    });

    const refusals: [string, () => string[], string, number][] = [
      ['an untrusted client certificate → unknown_ca', () => withClientCert({ chain: other.clientChain, key: other.clientKey }), 'unknown_ca', 48],
      ['no certificate when one is required → certificate_required', () => [], 'certificate_required', 116],
      ['an expired client certificate → certificate_expired', () => withClientCert(bad.expired), 'certificate_expired', 45],
      ['a client certificate without clientAuth → unsupported_certificate', () => withClientCert(bad.wrongEku), 'unsupported_certificate', 43],
    ];
    for (const [name, args, alert] of refusals) {
      it(name, async () => {
        // -verify_return_error: s_server fails the handshake on a verification error (by default it
        // only logs it). -verifyCAfile instead of -CAfile: no certificate_authorities, so our client
        // sends the certificate it has even when it does not chain to the server's CA. (OpenSSL
        // 3.0's -no_ca_names sends an empty certificate_authorities, which RFC 8446 §4.2.4 does not
        // allow: our client answers decode_error.)
        const s = await opensslServer(['-Verify', '1', '-verifyCAfile', pki.ca, '-verify_return_error', '-rev']);
        const r = await ourClient(s.port, ['--ca', pki.ca, ...args()], 'refused\n', /error/);
        expect(r.code, r.stderr).not.toBe(0);
        // OpenSSL's alert reaches our client after its Finished (TLS 1.3 client authentication).
        expect(r.stderr).toContain(`error: ${alert}`);
      });
    }

    it('a client certificate from another CA is not offered when the server names its CAs (certificate_authorities)', async () => {
      const s = await opensslServer(['-Verify', '1', '-CAfile', pki.ca, '-verify_return_error', '-rev']);
      const r = await ourClient(s.port, ['--ca', pki.ca, '--trace', ...withClientCert({ chain: other.clientChain, key: other.clientKey })], '', /error/);
      expect(r.stderr).toMatch(/client → server\s+Certificate \(8 bytes\)/); // an empty Certificate
      expect(r.stderr).toContain('error: certificate_required');
    });

    it('a stapled OCSP response (-status_file): good passes --require-ocsp, revoked → we send certificate_revoked', async () => {
      const good = await opensslServer(['-status_file', pki.ocsp!, '-rev']);
      const ok = await ourClient(good.port, ['--ca', pki.ca, '--require-ocsp'], 'stapled\n', reversed('stapled'));
      expect(ok.code, ok.stderr).toBe(0);
      const revoked = await opensslServer(['-status_file', revokedOcsp, '-rev']);
      const r = await ourClient(revoked.port, ['--ca', pki.ca, '--require-ocsp'], '', /error/);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/error: certificate_revoked: certificate ocsp:/);
      await revoked.child.waitFor(/SSL alert number 44/, 'any');
    });

    it('--require-ocsp without a staple → bad_certificate_status_response', async () => {
      const s = await opensslServer(['-rev']);
      const r = await ourClient(s.port, ['--ca', pki.ca, '--require-ocsp'], '', /error/);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('error: bad_certificate_status_response');
      await s.child.waitFor(/SSL alert number 113/, 'any');
    });

    it('--pin instead of --ca; a wrong pin → bad_certificate; --crl revoking the server → certificate_revoked', async () => {
      const s = await opensslServer(['-rev']);
      const ok = await ourClient(s.port, ['--pin', serverPin], 'pinned\n', reversed('pinned'));
      expect(ok.code, ok.stderr).toBe(0);
      const wrong = await opensslServer(['-rev']);
      const r = await ourClient(wrong.port, ['--pin', '00'.repeat(32)], '', /error/);
      expect(r.stderr).toMatch(/error: bad_certificate: certificate pin:/);
      await wrong.child.waitFor(/SSL alert number 42/, 'any');
      const crl = await opensslServer(['-rev']);
      const r2 = await ourClient(crl.port, ['--ca', pki.ca, '--crl', revokedCrl], '', /error/);
      expect(r2.stderr).toMatch(/error: certificate_revoked: certificate crl:/);
      await crl.child.waitFor(/SSL alert number 44/, 'any');
    });
  });

  describe('openssl s_client -cert … -key … → our server --verify-client required', () => {
    const required = (): string[] => ['--client-ca', pki.ca, '--verify-client', 'required'];

    it('accepts the client certificate; the log shows the identity (subject and SPIFFE ID)', async () => {
      const srv = await ourServer(required());
      // (s_client may print "read R BLOCK" around the echo while it processes the tickets.)
      const r = await opensslClient(srv.port, sClientCert(pki.clientChain, pki.clientKey), 'hello server\n', /hello server$/m);
      expect(r.stdout).toContain('Verify return code: 0 (ok)');
      expect(r.stdout).toMatch(/hello server$/m);
      await srv.child.waitFor(new RegExp(`TLSv1\\.3 .* sni=localhost early=none ${CLIENT_ID.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), 'stderr');
    });

    const refusals: [string, () => string[], string, number][] = [
      ['an untrusted client certificate → unknown_ca', () => sClientCert(other.clientChain, other.clientKey), 'unknown_ca', 48],
      ['no certificate → certificate_required', () => [], 'certificate_required', 116],
      ['an expired client certificate → certificate_expired', () => sClientCert(bad.expired.chain, bad.expired.key), 'certificate_expired', 45],
      ['a client certificate without clientAuth → unsupported_certificate', () => sClientCert(bad.wrongEku.chain, bad.wrongEku.key), 'unsupported_certificate', 43],
    ];
    for (const [name, args, alert, code] of refusals) {
      it(name, async () => {
        const srv = await ourServer(required());
        const r = await opensslClient(srv.port, args(), 'refused\n', /SSL alert number/);
        expect(alertNumber(r.stdout + r.stderr), r.stdout + r.stderr).toBe(code);
        await srv.child.waitFor(new RegExp(`error: ${alert}`), 'stderr');
      });
    }

    it('--verify-client optional: no certificate is fine, and the log shows no peer', async () => {
      const srv = await ourServer(['--client-ca', pki.ca, '--verify-client', 'optional']);
      const r = await opensslClient(srv.port, [], 'optional\n', /optional$/m);
      expect(r.stdout).toMatch(/optional$/m);
      const line = await srv.child.waitFor(/TLSv1\.3 [^\n]*early=none[^\n]*/, 'stderr');
      expect(line[0]).not.toContain('peer=');
    });

    it('--pin alone (no --client-ca) admits the pinned client key only', async () => {
      const clientPin = toHex(spkiSha256(parseCertificate(pemDecode(readFileSync(pki.client, 'utf8'))[0]!)));
      const srv = await ourServer(['--pin', clientPin]);
      const r = await opensslClient(srv.port, sClientCert(pki.clientChain, pki.clientKey), 'pinned\n', /pinned$/m);
      expect(r.stdout).toMatch(/pinned$/m);
      await srv.child.waitFor(/peer="CN=client/, 'stderr');
      const srv2 = await ourServer(['--pin', clientPin]);
      const r2 = await opensslClient(srv2.port, sClientCert(other.clientChain, other.clientKey), 'nope\n', /SSL alert number/);
      expect(alertNumber(r2.stdout + r2.stderr)).toBe(42);
    });

    it('--post-handshake-auth: s_client -enable_pha answers a CertificateRequest after the handshake', async () => {
      const srv = await ourServer(['--client-ca', pki.ca, '--post-handshake-auth']);
      const r = await opensslClient(srv.port, ['-enable_pha', ...sClientCert(pki.clientChain, pki.clientKey)], 'after\n', /after$/m);
      expect(r.stdout).toMatch(/after$/m);
      await srv.child.waitFor(/post-handshake CertificateRequest sent/, 'stderr');
      await srv.child.waitFor(new RegExp(`post-handshake client certificate: peer="CN=client, O=tls13-engine test PKI" spiffe=`), 'stderr');
    });

    it('--ocsp FILE: s_client -status sees the stapled response', async () => {
      const srv = await ourServer(['--ocsp', pki.ocsp!]);
      const r = await opensslClient(srv.port, ['-status'], 'status\n', /status$/m);
      expect(r.stdout).toContain('OCSP Response Status: successful (0x0)');
      expect(r.stdout).toMatch(/Cert Status: good/);
    });
  });

  it('our client ↔ our server: mutual TLS, identities on both sides', async () => {
    const srv = await ourServer(['--client-ca', pki.ca, '--verify-client', 'required']);
    const r = await ourClient(srv.port, ['--ca', pki.ca, ...withClientCert(ourClientCert())], 'ours\n', 'ours');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/peer="CN=localhost, O=tls13-engine test PKI"$/m);
    await srv.child.waitFor('spiffe=spiffe://tls13-engine.test/client', 'stderr');
  });
});
