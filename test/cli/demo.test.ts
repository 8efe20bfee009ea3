import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../tools/cli/run.js';
import { hasBuiltCli, runCli } from '../helpers/openssl.js';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => (text += d));
  return { stream, text: () => text };
}

function expectDemoOutput(out: string): void {
  const order = [
    'client → server  ClientHello',
    'server → client  ServerHello',
    'server → client  EncryptedExtensions',
    'server → client  Certificate',
    'server → client  CertificateVerify',
    'server → client  Finished',
    'client → server  Finished',
    'Negotiated:',
    'client → server  "Hello, server!',
    'server → client  "Hello, client!',
    'client → server  Alert warning close_notify',
    'server → client  Alert warning close_notify',
    'Done:',
  ];
  let at = -1;
  for (const o of order) {
    const i = out.indexOf(o, at + 1);
    expect(i, `${o} after offset ${at} in\n${out}`).toBeGreaterThan(at);
    at = i;
  }
  expect(out).toMatch(/version +TLSv1\.3/);
  expect(out).toMatch(/cipher suite +TLS_\w+/);
  expect(out).toMatch(/key exchange group +x25519/);
  expect(out).toMatch(/signature scheme +ecdsa_secp256r1_sha256/);
  expect(out).toMatch(/ALPN +h2/);
}

describe('tls13 demo', () => {
  it('runs in-process to exit code 0', async () => {
    const stdout = collect();
    const stderr = collect();
    const code = await run(['demo'], { stdin: new PassThrough(), stdout: stdout.stream, stderr: stderr.stream });
    expect(code, stderr.text()).toBe(0);
    expectDemoOutput(stdout.text());
  });

  it('--trace decodes each message', async () => {
    const stdout = collect();
    const code = await run(['demo', '--trace'], { stdin: new PassThrough(), stdout: stdout.stream, stderr: collect().stream });
    expect(code).toBe(0);
    expect(stdout.text()).toMatch(/ClientHello \(\d+ bytes\)\n\s+legacy_version: 0x0303/);
  });

  it.skipIf(!hasBuiltCli())('node dist/tools/cli/main.js demo (what npm start runs) exits 0', async () => {
    const r = await runCli({ args: ['demo'], timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expectDemoOutput(r.stdout);
  });
});
