// The interop harness itself: openssl s_server ↔ openssl s_client over loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenssl, killAll, liveChildren, opensslSelfSigned, runOpensslClient, startOpensslServer } from '../helpers/openssl.js';

describe.skipIf(!hasOpenssl())('openssl harness', () => {
  let dir: string;
  let pki: { cert: string; key: string };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tls13-harness-'));
    pki = opensslSelfSigned(dir);
  });
  afterEach(killAll);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('s_server -rev ↔ s_client: TLS 1.3 handshake and echo', async () => {
    const server = await startOpensslServer({ ...pki, args: ['-rev'] });
    expect(server.port).toBeGreaterThan(0);
    const r = await runOpensslClient({
      port: server.port,
      args: ['-CAfile', pki.cert, '-verify_return_error', '-quiet', '-no_ign_eof'],
      stdin: 'hello harness\n',
      waitFor: 'ssenrah olleh',
    });
    expect(r.timedOut, r.stderr).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ssenrah olleh');
    await server.child.waitFor('Protocol version: TLSv1.3', 'any', 5_000);
    await server.stop();
    expect(server.child.running).toBe(false);
  });

  it('s_client session summary shows the negotiated parameters', async () => {
    const server = await startOpensslServer({ ...pki, args: ['-groups', 'secp256r1', '-alpn', 'h2'] });
    const r = await runOpensslClient({
      port: server.port,
      args: ['-CAfile', pki.cert, '-alpn', 'h2,http/1.1', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256'],
      stdin: '',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/New, TLSv1\.3, Cipher is TLS_CHACHA20_POLY1305_SHA256/);
    expect(r.stdout).toMatch(/ALPN protocol: h2/);
    expect(r.stdout).toMatch(/Verify return code: 0 \(ok\)/);
  });

  it('a client timeout kills the child and reports it', async () => {
    const server = await startOpensslServer({ ...pki });
    // -ign_eof: s_client never exits on its own.
    const r = await runOpensslClient({ port: server.port, args: ['-quiet', '-ign_eof'], stdin: '', timeoutMs: 1_500 });
    expect(r.timedOut).toBe(true);
    expect(liveChildren()).toBe(1); // the server, stopped by afterEach
  });

  it('startOpensslServer fails fast (with output) on a bad key file', async () => {
    await expect(startOpensslServer({ cert: pki.cert, key: join(dir, 'missing.pem'), timeoutMs: 5_000 })).rejects.toThrow(/exited|timed out/);
    expect(liveChildren()).toBe(0);
  });
});
