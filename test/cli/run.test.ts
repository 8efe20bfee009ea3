// The CLI runners in-process (no build needed): startServer + run(['client', …]).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, type ServerCommand } from '../../tools/cli/args.js';
import { loadServerIdentity } from '../../tools/cli/pki.js';
import { run, startServer, type CliIo } from '../../tools/cli/run.js';
import { createServer, type TlsServer } from '../../src/node/net.js';
import { utf8 } from '../../src/util/bytes.js';
import { chainPem, mintTestPki } from '../../src/testing/mint.js';
import { decodeSessionFile } from '../../src/resumption/session-file.js';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => (text += d));
  return { stream, text: () => text };
}

function io(stdinText: string): { io: CliIo; out: () => string; err: () => string } {
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const out = sink();
  const err = sink();
  return { io: { stdin, stdout: out.stream, stderr: err.stream }, out: out.text, err: err.text };
}

describe('CLI runners in-process', () => {
  let dir: string;
  let files: { cert: string; key: string; ca: string; otherCa: string };
  const servers: TlsServer[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tls13-run-'));
    const pki = await mintTestPki();
    const other = await mintTestPki();
    files = { cert: join(dir, 'chain.pem'), key: join(dir, 'key.pem'), ca: join(dir, 'ca.pem'), otherCa: join(dir, 'other.pem') };
    writeFileSync(files.cert, chainPem(pki.server, pki.intermediate));
    writeFileSync(files.key, pki.server.keyPem);
    writeFileSync(files.ca, pki.root.certPem);
    writeFileSync(files.otherCa, other.root.certPem);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function serve(extra: string[] = [], identity = ['--cert', files.cert, '--key', files.key]): Promise<{ port: number; log: () => string; stdout: () => string }> {
    const s = io('');
    const cmd = parseArgs(['server', '--port', '0', ...identity, ...extra]) as ServerCommand;
    const server = await startServer(cmd, s.io);
    servers.push(server);
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(s.err());
    expect(m, s.err()).not.toBeNull();
    return { port: Number(m![1]), log: s.err, stdout: s.out };
  }

  it('echo round trip: summary line, data back, exit 0', async () => {
    const { port, log } = await serve(['--echo', '--alpn', 'http/1.1,h2']);
    const c = io('line one\nline two\n');
    const code = await run(['client', `localhost:${port}`, '--ca', files.ca, '--alpn', 'h2'], c.io);
    expect(code, c.err()).toBe(0);
    expect(c.out()).toBe('line one\nline two\n');
    expect(c.err()).toMatch(/^TLSv1\.3 TLS_\w+ x25519 ecdsa_secp256r1_sha256 alpn=h2 early=none peer="[^"]+"\n$/);
    await expect.poll(log).toMatch(/closed \(18 bytes received\)/);
    expect(log()).toMatch(/alpn=h2 sni=localhost/);
  });

  it('server without --echo: data to its stdout', async () => {
    const { port, stdout } = await serve();
    const c = io('for the server');
    expect(await run(['client', `127.0.0.1:${port}`, '--ca', files.ca], c.io)).toBe(0);
    await expect.poll(stdout).toBe('for the server');
  });

  it('unknown_ca: exit 1 and "error: unknown_ca: …"', async () => {
    const { port, log } = await serve();
    const c = io('');
    expect(await run(['client', `localhost:${port}`, '--ca', files.otherCa], c.io)).toBe(1);
    expect(c.err()).toMatch(/^error: unknown_ca: .+/m);
    await expect.poll(log).toMatch(/error: unknown_ca/);
  });

  it('usage errors: exit 2; unreadable files are usage errors too', async () => {
    const c = io('');
    expect(await run(['client', 'localhost:1'], c.io)).toBe(2);
    expect(c.err()).toMatch(/^tls13: client: certificate verification is on/);
    const d = io('');
    expect(await run(['client', 'localhost:1', '--ca', join(dir, 'missing.pem')], d.io)).toBe(2);
    expect(d.err()).toMatch(/--ca: cannot read/);
    const e = io('');
    expect(await run(['server', '--port', '0', '--cert', files.ca, '--key', files.ca], e.io)).toBe(2);
    expect(e.err()).toMatch(/--key: /);
  });

  it('the peer closing first ends the client (exit 0) while stdin is still open', async () => {
    const identity = loadServerIdentity(readFileSync(files.cert, 'utf8'), readFileSync(files.key, 'utf8'));
    const server = createServer(identity, async (s) => {
      await s.write(utf8('bye now\n'));
      await s.close();
    });
    servers.push(server);
    const { port } = await server.listen();
    const stdin = new PassThrough(); // never ended
    const out = sink();
    const err = sink();
    const code = await run(['client', `localhost:${port}`, '--ca', files.ca], { stdin, stdout: out.stream, stderr: err.stream });
    expect(code, err.text()).toBe(0);
    expect(out.text()).toBe('bye now\n');
  });

  it('--help prints the usage to stdout', async () => {
    const c = io('');
    expect(await run(['--help'], c.io)).toBe(0);
    expect(c.out()).toMatch(/^Usage:/);
  });
  it('--sess-out / --sess-in / --early-data: 0-RTT beyond max_early_data_size goes partly early, the rest after', async () => {
    const { port, log, stdout } = await serve(['--early-data', '--max-early-data', '8', '--tickets', '1']);
    const sess = join(dir, 'sess.json');
    const first = io('one;');
    expect(await run(['client', `localhost:${port}`, '--ca', files.ca, '--sess-out', sess], first.io), first.err()).toBe(0);
    expect(first.err()).toMatch(/^TLSv1\.3 \S+ x25519 ecdsa_secp256r1_sha256 alpn=none early=none peer="[^"]+"\n$/);
    expect(statSync(sess).mode & 0o777).toBe(0o600);
    expect(decodeSessionFile(readFileSync(sess, 'utf8'))).toMatchObject({ serverName: 'localhost', maxEarlyDataSize: 8 });

    const earlyPath = join(dir, 'early.bin');
    writeFileSync(earlyPath, '0123456789abcdef');
    const second = io('two;');
    expect(await run(['client', `localhost:${port}`, '--ca', files.ca, '--sess-in', sess, '--early-data', earlyPath], second.io), second.err()).toBe(0);
    expect(second.err()).toMatch(/^TLSv1\.3 \S+ x25519 none alpn=none resumed early=accepted peer="[^"]+"\n$/);
    await expect.poll(log).toMatch(/\[#2 [^\]]+\] closed \(20 bytes received, 8 of them early\)/);
    expect(log()).toMatch(/\[#2 [^\]]+\] TLSv1\.3 \S+ x25519 none alpn=none sni=localhost resumed early=accepted\n/);
    expect(log()).toMatch(/\[#2 [^\]]+\] early data: 8 bytes\n/);
    expect(stdout()).toBe('one;0123456789abcdeftwo;');
  });

  it('audit info: rejected early data is not sent again when the server selects another ALPN protocol than the session (RFC 8446 §4.2.10)', async () => {
    const first = await serve(['--alpn', 'one', '--tickets', '1']);
    const sess = join(dir, 'sess-alpn.json');
    const a = io('');
    expect(await run(['client', `localhost:${first.port}`, '--ca', files.ca, '--alpn', 'one,two', '--sess-out', sess], a.io), a.err()).toBe(0);
    expect(decodeSessionFile(readFileSync(sess, 'utf8')).alpn).toBe('one');
    const earlyPath = join(dir, 'early-alpn.bin');
    writeFileSync(earlyPath, 'meant for one');
    // Another server (another ticket key, so a full handshake) that speaks only "two".
    const second = await serve(['--alpn', 'two', '--early-data']);
    const b = io('');
    expect(await run(['client', `localhost:${second.port}`, '--ca', files.ca, '--alpn', 'one,two', '--sess-in', sess, '--early-data', earlyPath], b.io)).toBe(1);
    expect(b.err()).toMatch(/alpn=two early=rejected/);
    expect(b.err()).toMatch(/early data not accepted, and the server selected ALPN two where the session had one: its 13 bytes are not sent again/);
    await expect.poll(second.log).toMatch(/closed \(0 bytes received\)/);
    expect(second.stdout()).toBe('');
  });

  it('--sess-out when the server sends no ticket: a warning, no file', async () => {
    const { port } = await serve(['--tickets', '0']);
    const sess = join(dir, 'none.json');
    const c = io('x');
    expect(await run(['client', `localhost:${port}`, '--ca', files.ca, '--sess-out', sess], c.io)).toBe(0);
    expect(c.err()).toMatch(/warning: the server sent no session ticket/);
    expect(() => statSync(sess)).toThrow();
  });

  it('--sess-in: a malformed file is a usage error', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"something else"}');
    const c = io('');
    expect(await run(['client', 'localhost:1', '--ca', files.ca, '--sess-in', bad], c.io)).toBe(2);
    expect(c.err()).toMatch(/^tls13: --sess-in: invalid session file: /);
  });

  it('external PSK only: no certificate anywhere; a wrong identity fails on both sides', async () => {
    const { port, log } = await serve(['--echo'], ['--psk-identity', 'cli', '--psk', 'a1'.repeat(32)]);
    const ok = io('psk!');
    expect(await run(['client', `localhost:${port}`, '--psk-identity', 'cli', '--psk', 'a1'.repeat(32)], ok.io), ok.err()).toBe(0);
    expect(ok.out()).toBe('psk!');
    expect(ok.err()).toMatch(/^TLSv1\.3 \S+ x25519 none alpn=none early=none\n$/);
    await expect.poll(log).toMatch(/sni=localhost psk=cli early=none/);
    const bad = io('');
    expect(await run(['client', `localhost:${port}`, '--psk-identity', 'other', '--psk', 'a1'.repeat(32)], bad.io)).toBe(1);
    expect(bad.err()).toMatch(/^error: handshake_failure: /m);
  });
});
