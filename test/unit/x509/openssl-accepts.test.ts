// OpenSSL accepts the minted test PKI: chain verification with purposes and names,
// readable certificates, and PKCS#8 keys that match their certificates.

import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyType, type TestPki, chainPem, mintTestPki } from '../../../src/testing/mint.js';
import { hasOpenssl, openssl, tempDir } from '../../helpers/x509.js';

const algoText: Record<string, [sig: string, key: string]> = {
  p256: ['ecdsa-with-SHA256', 'id-ecPublicKey'],
  p384: ['ecdsa-with-SHA384', 'id-ecPublicKey'],
  ed25519: ['ED25519', 'ED25519'],
  rsa2048: ['sha256WithRSAEncryption', 'rsaEncryption'],
};

describe.skipIf(!hasOpenssl).each(['p256', 'p384', 'ed25519', 'rsa2048'] as KeyType[])('OpenSSL accepts a %s test PKI', (keyType) => {
  const tmp = tempDir();
  let pki: TestPki;
  const p = tmp.path;
  afterAll(() => tmp.cleanup());

  beforeAll(async () => {
    pki = await mintTestPki({ keyType, serverNames: ['server.test', '*.wild.test', '127.0.0.1', '::1'] });
    for (const [name, c] of Object.entries(pki)) {
      writeFileSync(p(`${name}.pem`), c.certPem);
      writeFileSync(p(`${name}.key`), c.keyPem);
    }
    writeFileSync(p('server-chain.pem'), chainPem(pki.server, pki.intermediate));
  });

  it('openssl verify: server and client chains, strict, with purposes', () => {
    const base = ['verify', '-x509_strict', '-CAfile', p('root.pem'), '-untrusted', p('intermediate.pem')];
    expect(openssl([...base, p('server.pem'), p('client.pem')])).toBe(`${p('server.pem')}: OK\n${p('client.pem')}: OK\n`);
    expect(openssl([...base, '-purpose', 'sslserver', p('server.pem')])).toContain(': OK');
    expect(openssl([...base, '-purpose', 'sslclient', p('client.pem')])).toContain(': OK');
    expect(openssl([...base, '-verify_hostname', 'server.test', p('server.pem')])).toContain(': OK');
    expect(openssl([...base, '-verify_hostname', 'a.wild.test', p('server.pem')])).toContain(': OK');
    expect(openssl([...base, '-verify_ip', '::1', p('server.pem')])).toContain(': OK');
    // And OpenSSL rejects what it should: wrong purpose, wrong name, missing intermediate.
    expect(() => openssl([...base, '-purpose', 'sslserver', p('client.pem')])).toThrow(/unsuitable certificate purpose/);
    expect(() => openssl([...base, '-verify_hostname', 'other.test', p('server.pem')])).toThrow(/hostname mismatch/);
    expect(() => openssl(['verify', '-CAfile', p('root.pem'), p('server.pem')])).toThrow(/unable to get local issuer/);
  });

  it('openssl x509 -text shows the expected profile', () => {
    const [sig, key] = algoText[keyType]!;
    const root = openssl(['x509', '-in', p('root.pem'), '-noout', '-text']);
    expect(root).toContain(`Signature Algorithm: ${sig}`);
    expect(root).toContain(`Public Key Algorithm: ${key}`);
    expect(root).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(root).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    const int = openssl(['x509', '-in', p('intermediate.pem'), '-noout', '-text']);
    expect(int).toMatch(/CA:TRUE, pathlen:0/);
    expect(int).toContain('Authority Key Identifier');
    const server = openssl(['x509', '-in', p('server.pem'), '-noout', '-text']);
    expect(server).toContain('Version: 3 (0x2)');
    expect(server).toMatch(/Subject: O = tls13-engine test PKI, CN = server.test/);
    expect(server).toMatch(/Issuer: O = tls13-engine test PKI, CN = Test Intermediate CA/);
    expect(server).toContain('DNS:server.test, DNS:*.wild.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(server).toContain('TLS Web Server Authentication');
    expect(server).toMatch(/Key Usage: critical\s+Digital Signature/);
    const client = openssl(['x509', '-in', p('client.pem'), '-noout', '-text']);
    expect(client).toContain('URI:spiffe://tls13-engine.test/client');
    expect(client).toContain('TLS Web Client Authentication');
    // OpenSSL's own host/IP checks agree.
    expect(openssl(['x509', '-in', p('server.pem'), '-noout', '-checkhost', 'server.test', '-checkip', '127.0.0.1'])).toMatch(
      /Hostname server.test does match certificate[\s\S]*IP 127.0.0.1 does match certificate/,
    );
  });

  it('keys are PKCS#8 that openssl pkey reads, matching their certificates', () => {
    for (const name of ['root', 'intermediate', 'server', 'client']) {
      expect(pki[name as keyof TestPki].keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      openssl(['pkey', '-in', p(`${name}.key`), '-noout']);
      const fromKey = openssl(['pkey', '-in', p(`${name}.key`), '-pubout']);
      const fromCert = openssl(['x509', '-in', p(`${name}.pem`), '-noout', '-pubkey']);
      expect(fromKey).toBe(fromCert);
    }
  });

  it('OpenSSL can sign with the server key and verify with the certificate', () => {
    writeFileSync(p('msg'), 'hello');
    openssl(['pkeyutl', '-sign', '-rawin', '-inkey', p('server.key'), '-in', p('msg'), '-out', p('sig'), ...(keyType === 'ed25519' ? [] : ['-digest', 'sha256'])]);
    const out = openssl(['pkeyutl', '-verify', '-rawin', '-certin', '-inkey', p('server.pem'), '-in', p('msg'), '-sigfile', p('sig'), ...(keyType === 'ed25519' ? [] : ['-digest', 'sha256'])]);
    expect(out).toContain('Signature Verified Successfully');
  });
});
