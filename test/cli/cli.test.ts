// The tls13 CLI as a child process: our server ↔ our client over loopback, and OpenSSL on either side.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  hasBuiltCli,
  hasOpenssl,
  killAll,
  opensslCaPki,
  runCli,
  runOpensslClient,
  startCliServer,
  startOpensslServer,
  type TestPkiFiles,
} from '../helpers/openssl.js';

const SUMMARY = /^TLSv1\.3 (TLS_\w+) (\w+) (\w+) alpn=(\S+)( resumed)? early=(accepted|rejected|none)(?: peer="[^"]*"(?: spiffe=\S+)?)?$/m;

describe.skipIf(!hasBuiltCli())('tls13 CLI basics', () => {
  afterEach(killAll);
  it('--help exits 0 with the usage text', async () => {
    const r = await runCli({ args: ['--help'] });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage:\n {2}tls13 server/);
  });

  it('usage errors exit 2', async () => {
    for (const args of [
      ['server', '--port', '0', '--cert', 'c', '--key', 'k', '--bogus'],
      ['client', '127.0.0.1:1'],
      ['client', '127.0.0.1:1', '--insecure', '--groups', 'x25519,nope'],
      ['client', '127.0.0.1:1', '--insecure', '--groups', 'X25519MLKEM768'], // registered, not implemented (ffdhe2048 now is: test/interop/ffdhe.test.ts)
      ['frobnicate'],
    ]) {
      const r = await runCli({ args });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^tls13: /);
    }
  });

  it('a refused connection exits 1 with an error line', async () => {
    const r = await runCli({ args: ['client', '127.0.0.1:1', '--insecure'], stdin: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*ECONNREFUSED/m);
  });
});

describe.skipIf(!hasBuiltCli() || !hasOpenssl())('tls13 server ↔ tls13 client', () => {
  let dir: string;
  let pki: TestPkiFiles;
  let other: TestPkiFiles;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tls13-cli-'));
    pki = opensslCaPki(dir);
    other = opensslCaPki(dir, { name: 'other' });
  });
  afterEach(killAll);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('echo: handshake, summary line, data both ways, clean close (exit 0)', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key, '--echo', '--alpn', 'h2,http/1.1'] });
    expect(server.port).toBeGreaterThan(0);
    const payload = 'hello from the CLI client\n'.repeat(20_000); // ~500 KB
    const r = await runCli({ args: ['client', `localhost:${server.port}`, '--ca', pki.ca, '--alpn', 'h2'], stdin: payload, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBe(payload.length);
    expect(r.stdout === payload).toBe(true);
    const m = SUMMARY.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(m![4]).toBe('h2');
    expect(m![3]).toBe('ecdsa_secp256r1_sha256');
    await server.child.waitFor(/closed \(\d+ bytes received\)/, 'stderr', 10_000);
    expect(server.child.stderr).toMatch(/\[#1 127\.0\.0\.1:\d+\] TLSv1\.3 \S+ \S+ ecdsa_secp256r1_sha256 alpn=h2 sni=localhost/);
  });

  it('LIST options choose suite and group; IP literal: no SNI, certificate still checked', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key, '--echo'] });
    const r = await runCli({
      args: ['client', `127.0.0.1:${server.port}`, '--ca', pki.ca, '--groups', 'secp384r1', '--suites', 'TLS_AES_256_GCM_SHA384'],
      stdin: 'x',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^TLSv1\.3 TLS_AES_256_GCM_SHA384 secp384r1 ecdsa_secp256r1_sha256 alpn=none early=none peer="CN=localhost[^"]*"$/m);
    await server.child.waitFor(/closed/, 'stderr', 10_000);
    expect(server.child.stderr).not.toMatch(/sni=/);
  });

  it('without --echo the server writes received data to stdout', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key] });
    const r = await runCli({ args: ['client', `localhost:${server.port}`, '--ca', pki.ca], stdin: 'to the server stdout\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    await server.child.waitFor('to the server stdout', 'stdout', 10_000);
  });

  it('untrusted server: exit 1 with the alert name; the server logs the alert', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key] });
    const r = await runCli({ args: ['client', `localhost:${server.port}`, '--ca', other.ca], stdin: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: (unknown_ca|bad_certificate): .+/m);
    await server.child.waitFor(/error: (unknown_ca|bad_certificate)/, 'stderr', 10_000);
  });

  it('wrong name: exit 1 with bad_certificate', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key] });
    const r = await runCli({ args: ['client', `127.0.0.1:${server.port}`, '--ca', pki.ca, '--servername', 'example.com'], stdin: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: bad_certificate: .*example\.com/m);
  });

  it('no common ALPN protocol: no_application_protocol on both sides', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key, '--alpn', 'http/1.1'] });
    const r = await runCli({ args: ['client', `localhost:${server.port}`, '--insecure', '--alpn', 'h2'], stdin: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no_application_protocol: /m);
    await server.child.waitFor(/error: no_application_protocol/, 'stderr', 10_000);
  });

  it('--keylog writes NSS key log lines; --trace prints the messages with arrows', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key, '--echo', '--trace'] });
    const keylog = join(dir, 'keys.log');
    const r = await runCli({ args: ['client', `localhost:${server.port}`, '--ca', pki.ca, '--keylog', keylog, '--trace'], stdin: 'k' });
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(keylog, 'utf8').trim().split('\n');
    const labels = lines.map((l) => l.split(' ')[0]);
    expect(labels).toEqual(
      expect.arrayContaining(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']),
    );
    for (const l of lines) expect(l).toMatch(/^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,}$/);
    const order = ['client → server  ClientHello', 'server → client  ServerHello', 'server → client  EncryptedExtensions',
      'server → client  Certificate', 'server → client  CertificateVerify', 'server → client  Finished', 'client → server  Finished'];
    let at = -1;
    for (const o of order) {
      const i = r.stderr.indexOf(o, at + 1);
      expect(i, `${o} in\n${r.stderr}`).toBeGreaterThan(at);
      at = i;
    }
    await server.child.waitFor(/server → client {2}Finished/, 'stderr', 10_000);
  });
});

describe.skipIf(!hasBuiltCli() || !hasOpenssl())('tls13 CLI ↔ OpenSSL', () => {
  let dir: string;
  let pki: TestPkiFiles;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tls13-cli-ossl-'));
    pki = opensslCaPki(dir);
  });
  afterEach(killAll);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tls13 client → openssl s_server -rev', async () => {
    const server = await startOpensslServer({ cert: pki.cert, key: pki.key, args: ['-rev', '-alpn', 'h2'] });
    const r = await runCli({ args: ['client', `localhost:${server.port}`, '--ca', pki.ca, '--alpn', 'h2'], stdin: 'abc\n', waitFor: 'cba' });
    expect(r.code, `${r.stderr}\n${server.output()}`).toBe(0);
    expect(r.stdout).toContain('cba');
    expect(r.stderr).toMatch(/^TLSv1\.3 \S+ \S+ ecdsa_secp256r1_sha256 alpn=h2 early=none peer="CN=localhost[^"]*"$/m);
  });

  it('openssl s_client → tls13 server --echo', async () => {
    const server = await startCliServer({ args: ['--cert', pki.cert, '--key', pki.key, '--echo', '--alpn', 'h2'] });
    const r = await runOpensslClient({
      port: server.port,
      args: ['-CAfile', pki.ca, '-verify_return_error', '-servername', 'localhost', '-alpn', 'h2', '-quiet', '-no_ign_eof'],
      stdin: 'ping via openssl\n',
      waitFor: 'ping via openssl',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ping via openssl');
    await server.child.waitFor(/alpn=h2 sni=localhost/, 'stderr', 10_000);
  });
});
