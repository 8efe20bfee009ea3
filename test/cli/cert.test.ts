// `tls13 cert`: flags, files, and what OpenSSL thinks of the PKI it writes.

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../tools/cli/args.js';
import { parseCertArgs, writeTestPki } from '../../tools/cli/cert.js';
import { run } from '../../tools/cli/run.js';
import { nobleProvider } from '../../src/crypto/noble/index.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { WebPkiClientVerifier } from '../../src/x509/client-verify.js';
import { parsePrivateKeyPem } from '../../src/x509/keys.js';
import { pemDecode } from '../../src/x509/pem.js';
import { parseCrl, parseOcspResponse } from '../../src/x509/revocation.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { hasOpenssl, openssl } from '../helpers/x509.js';

const root = mkdtempSync(join(tmpdir(), 'tls13-cert-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const out = (): string => join(root, `pki${++n}`);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  const code = await run(args, { stdin: new PassThrough(), stdout, stderr });
  return { code, stdout: o, stderr: e };
}

const certs = (f: string): Uint8Array[] => pemDecode(readFileSync(f, 'utf8'), 'CERTIFICATE');

describe('tls13 cert', () => {
  it('writes root, intermediate, server and client PEM files that verify', async () => {
    const dir = out();
    const r = await cli(['cert', '--out', dir, '--san', 'svc.test', '--san', 'IP:10.1.2.3', '--san', 'URI:spiffe://example.org/svc', '--ocsp', '--crl']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/server: CN=svc\.test, O=tls13-engine test PKI \[svc\.test, 10\.1\.2\.3, spiffe:\/\/example\.org\/svc\]/);
    expect(r.stdout).toMatch(/client: CN=client, O=tls13-engine test PKI spiffe=spiffe:\/\/tls13-engine\.test\/client/);
    expect(r.stdout).toMatch(/pin \(SPKI SHA-256\): [0-9a-f]{64}/);
    const f = (x: string): string => join(dir, x);
    for (const k of ['ca.key.pem', 'intermediate.key.pem', 'server.key.pem', 'client.key.pem']) expect(statSync(f(k)).mode & 0o777, k).toBe(0o600);
    const now = new Date();
    const sv = new WebPkiServerVerifier({ trustAnchors: certs(f('ca.pem')), verifier: nobleProvider.verifier, crls: pemDecode(readFileSync(f('crl.pem'), 'utf8'), 'X509 CRL'), requireOcsp: true });
    const ocsp = new Uint8Array(readFileSync(f('server.ocsp.der')));
    expect(sv.verify({ chain: certs(f('server-chain.pem')), serverName: '10.1.2.3', now, ocspResponse: ocsp }).chain).toHaveLength(3);
    const cv = new WebPkiClientVerifier({ trustAnchors: certs(f('ca.pem')), verifier: nobleProvider.verifier });
    expect(cv.verify({ chain: certs(f('client-chain.pem')), now }).identity?.spiffeId).toBe('spiffe://tls13-engine.test/client');
    expect(parseOcspResponse(ocsp).responses[0]!.status).toBe('good');
    expect(pemDecode(readFileSync(f('crl.pem'), 'utf8'), 'X509 CRL').map((d) => parseCrl(d).issuer.text)).toEqual([
      'CN=Test Intermediate CA, O=tls13-engine test PKI',
      'CN=Test Root CA, O=tls13-engine test PKI',
    ]);
    if (hasOpenssl) {
      for (const leaf of ['server.pem', 'client.pem']) {
        expect(openssl(['verify', '-CAfile', f('ca.pem'), '-untrusted', f('intermediate.pem'), f(leaf)])).toContain('OK');
      }
      expect(openssl(['verify', '-purpose', 'sslserver', '-CAfile', f('ca.pem'), '-untrusted', f('intermediate.pem'), f('server.pem')])).toContain('OK');
      expect(openssl(['verify', '-purpose', 'sslclient', '-CAfile', f('ca.pem'), '-untrusted', f('intermediate.pem'), f('client.pem')])).toContain('OK');
    }
  });

  it('key types, validity, EKU and names', async () => {
    for (const keyType of ['p384', 'ed25519', 'rsa2048'] as const) {
      const cmd = parseCertArgs(['--out', out(), '--key-type', keyType, '--ca-key-type', 'p256', '--days', '2', '--not-before', '2030-01-01T00:00:00Z', '--client-eku', 'clientAuth,emailProtection', '--server-eku', 'none', '--cn', 'x', '--client-cn', 'y', '--org', 'Z'])!;
      const { files } = await writeTestPki(cmd);
      const server = parseCertificate(certs(files.server)[0]!);
      const client = parseCertificate(certs(files.client)[0]!);
      expect(parsePrivateKeyPem(readFileSync(files.serverKey, 'utf8')).kind).toBe(keyType === 'rsa2048' ? 'rsa' : keyType === 'ed25519' ? 'ed25519' : 'ec');
      expect(parseCertificate(certs(files.ca)[0]!).publicKey).toMatchObject({ kind: 'ec', curve: 'P-256' });
      expect(server.notBefore.toISOString()).toBe('2030-01-01T00:00:00.000Z');
      expect(server.notAfter.toISOString()).toBe('2030-01-03T00:00:00.000Z');
      expect(server.extKeyUsage).toBeUndefined();
      expect(client.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4']);
      expect([server.subject.text, client.subject.text]).toEqual(['CN=x, O=Z', 'CN=y, O=Z']);
    }
  });

  it('refuses to overwrite without --force; usage errors exit 2', async () => {
    const dir = out();
    expect((await cli(['cert', '--out', dir])).code).toBe(0);
    const again = await cli(['cert', '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists \(use --force to overwrite\)/);
    expect((await cli(['cert', '--out', dir, '--force'])).code).toBe(0);
    for (const bad of [[], ['--out', dir, '--key-type', 'dsa'], ['--out', dir, '--days', '0'], ['--out', dir, '--san', 'IP:999.1.1.1'], ['--out', dir, '--server-eku', 'bogus'], ['--out', dir, '--days', '1', '--days', '2'], ['--out', dir, '--not-before', 'yesterday']]) {
      expect(() => parseCertArgs(bad), bad.join(' ')).toThrow(UsageError);
    }
    const help = await cli(['cert', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('tls13 cert --out DIR');
  });
});

describe('mutual TLS flags (tls13 client / server)', () => {
  const pin = 'ab'.repeat(32);
  it('parses them', async () => {
    const { parseArgs } = await import('../../tools/cli/args.js');
    expect(parseArgs(['server', '--port', '0', '--cert', 'c', '--key', 'k', '--client-ca', 'ca.pem'])).toMatchObject({ clientCa: 'ca.pem', verifyClient: 'required' });
    expect(parseArgs(['server', '--port', '0', '--cert', 'c', '--key', 'k', '--client-ca', 'ca.pem', '--post-handshake-auth'])).toMatchObject({ verifyClient: 'none', postHandshakeAuth: true });
    const s = parseArgs(['server', '--port', '0', '--cert', 'c', '--key', 'k', '--pin', pin, '--pin', `sha256/${Buffer.from(new Uint8Array(32)).toString('base64')}`, '--crl', 'a.crl', '--crl', 'b.crl', '--verify-client', 'optional', '--ocsp', 'o.der']);
    expect(s).toMatchObject({ verifyClient: 'optional', crls: ['a.crl', 'b.crl'], ocsp: 'o.der' });
    expect((s as { pins: Uint8Array[] }).pins).toHaveLength(2);
    expect(parseArgs(['client', 'h:1', '--pin', pin])).toMatchObject({ pins: [new Uint8Array(32).fill(0xab)] });
    expect(parseArgs(['client', 'h:1', '--ca', 'ca', '--cert', 'c', '--key', 'k', '--require-ocsp', '--crl', 'x'])).toMatchObject({ cert: 'c', key: 'k', requireOcsp: true, crls: ['x'] });
  });

  it('rejects inconsistent combinations', async () => {
    const { parseArgs } = await import('../../tools/cli/args.js');
    const base = ['server', '--port', '0', '--cert', 'c', '--key', 'k'];
    for (const bad of [
      [...base, '--verify-client', 'required'],
      [...base, '--client-ca', 'ca', '--verify-client', 'sometimes'],
      [...base, '--post-handshake-auth'],
      [...base, '--crl', 'x'],
      [...base, '--pin', 'nothex'],
      ['client', 'h:1', '--ca', 'ca', '--cert', 'c'],
      ['client', 'h:1', '--insecure', '--pin', pin],
      ['client', 'h:1', '--crl', 'x'],
    ]) {
      expect(() => parseArgs(bad), bad.join(' ')).toThrow(UsageError);
    }
  });
});
