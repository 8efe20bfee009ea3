// Resumption, 0-RTT and external PSKs against OpenSSL on 127.0.0.1, both directions, through our
// CLI: our client ↔ `openssl s_server`, `openssl s_client` ↔ our server. Certificates are minted
// at test time. s_server -early_data prints "Early data received:" … "End of early data" (or
// "Early data was rejected"); s_client prints "Reused, TLSv1.3" and "Early data was accepted|rejected".

import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeSessionFile } from '../../src/resumption/session-file.js';
import { Child, OPENSSL, killAll, runCli, runOpensslClient, startCliServer, startOpensslServer, type CliServer } from '../helpers/openssl.js';
import { reversed, waitUntil, writeMintedPki, type PkiFiles } from '../helpers/interop.js';

let dir: string;
let pki: PkiFiles;
let n = 0;
/** A fresh file name under the test directory. */
const file = (name: string): string => join(dir, `${++n}-${name}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tls13-resumption-'));
  pki = await writeMintedPki(dir);
}, 60_000);

afterEach(async () => {
  await killAll();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const PSK_ID = 'interop-client';
const PSK_HEX = '6d1f3a9c0b5e7d2f4a8c6e0b1d3f5a7c9e1b3d5f7a9c0e2b4d6f8a0c2e4b6d8f';

/** Early data with a marker unique to the test. */
function earlyFile(): { path: string; text: string } {
  const text = `early-${randomBytes(6).toString('hex')}\n`;
  const path = file('early.txt');
  writeFileSync(path, text);
  return { path, text };
}

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** s_server with our minted chain (s_server -naccept N exits after N connections). */
function opensslServer(args: string[]) {
  return startOpensslServer({ cert: pki.leaf, key: pki.key, args: ['-cert_chain', pki.intermediate, ...args] });
}

/** Our client; stdin kept open until `waitFor` shows up (when given). */
function ourClient(port: number, args: string[], stdin = '', waitFor?: string | RegExp) {
  return runCli({
    args: ['client', `127.0.0.1:${port}`, '--servername', 'localhost', ...args],
    stdin,
    ...(waitFor !== undefined ? { waitFor } : {}),
    timeoutMs: 15_000,
  });
}

function ourServer(args: string[]) {
  return startCliServer({ args });
}

/** s_client; stdin kept open until `waitFor` shows up (when given). */
function opensslClient(port: number, args: string[], stdin = '', waitFor?: string | RegExp) {
  return runOpensslClient({
    port,
    args: ['-servername', 'localhost', '-no_ign_eof', ...args],
    stdin,
    ...(waitFor !== undefined ? { waitFor } : {}),
    timeoutMs: 15_000,
  });
}

const sClientVerify = (): string[] => ['-CAfile', pki.ca, '-verify_return_error'];

/**
 * s_client -sess_out against `port`, sending `stdin`; ends its input once the session file is
 * complete (s_client writes it when a ticket arrives; its stdout is buffered, so poll the file).
 */
async function sClientSaveSession(port: number, sess: string, stdin: string, args: string[] = []): Promise<void> {
  const c = new Child(
    OPENSSL,
    ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', ...sClientVerify(), '-servername', 'localhost', '-sess_out', sess, ...args],
    'openssl s_client',
  );
  c.write(stdin);
  await waitUntil(() => existsSync(sess) && readFileSync(sess, 'utf8').includes('-----END SSL SESSION PARAMETERS-----'), 10_000, () => c.output());
  c.endInput();
  expect((await c.wait(10_000)).code, c.output()).toBe(0);
}

async function waitFor(srv: CliServer, pattern: RegExp): Promise<void> {
  await srv.child.waitFor(pattern, 'stderr', 10_000);
}

/** The summary line of our client. */
const SUMMARY = /^TLSv1\.3 (\S+) (\S+) (\S+) alpn=(\S+)( resumed)? early=(accepted|rejected|none)(?: peer="[^"]*"(?: spiffe=\S+)?)?$/m;
function summary(stderr: string): { group: string; scheme: string; resumed: boolean; early: string } {
  const m = SUMMARY.exec(stderr);
  expect(m, stderr).not.toBeNull();
  return { group: m![2]!, scheme: m![3]!, resumed: m![5] !== undefined, early: m![6]! };
}

describe('our client → openssl s_server', () => {
  it('resumption: --sess-out, then --sess-in resumes (no certificate)', async () => {
    const s = await opensslServer(['-naccept', '2', '-rev']);
    const sess = file('sess.json');
    const first = await ourClient(s.port, ['--ca', pki.ca, '--sess-out', sess], 'first\n', reversed('first'));
    expect(first.code, first.stderr + s.output()).toBe(0);
    expect(summary(first.stderr)).toEqual({ group: 'x25519', scheme: 'ecdsa_secp256r1_sha256', resumed: false, early: 'none' });
    const saved = decodeSessionFile(readFileSync(sess, 'utf8'));
    expect(saved.serverName).toBe('localhost');
    expect(saved.peerCertificates).toHaveLength(2);
    expect(statSync(sess).mode & 0o777).toBe(0o600);

    const second = await ourClient(s.port, ['--ca', pki.ca, '--sess-in', sess], 'second\n', reversed('second'));
    expect(second.code, second.stderr + s.output()).toBe(0);
    expect(second.stdout).toContain(reversed('second'));
    expect(summary(second.stderr)).toEqual({ group: 'x25519', scheme: 'none', resumed: true, early: 'none' });
  });

  it('0-RTT accepted by s_server -early_data; the same ticket again is refused (anti-replay) and the data resent', async () => {
    const s = await opensslServer(['-naccept', '3', '-early_data']);
    const sess = file('sess.json');
    const early = earlyFile();
    const first = await ourClient(s.port, ['--ca', pki.ca, '--sess-out', sess], 'full\n');
    expect(first.code, first.stderr + s.output()).toBe(0);
    expect(decodeSessionFile(readFileSync(sess, 'utf8')).maxEarlyDataSize).toBeGreaterThan(0);

    const second = await ourClient(s.port, ['--ca', pki.ca, '--sess-in', sess, '--early-data', early.path], 'after early\n');
    expect(second.code, second.stderr + s.output()).toBe(0);
    expect(summary(second.stderr)).toMatchObject({ resumed: true, early: 'accepted' });
    await s.child.waitFor('End of early data', 'stdout', 10_000);
    expect(s.child.stdout).toContain('Early data received:');
    expect(s.child.stdout).toContain(early.text);
    await s.child.waitFor('after early', 'stdout', 10_000);

    // OpenSSL's tickets are single use with 0-RTT on: a full handshake, early data skipped.
    const third = await ourClient(s.port, ['--ca', pki.ca, '--sess-in', sess, '--early-data', early.path], 'third\n');
    expect(third.code, third.stderr + s.output()).toBe(0);
    expect(summary(third.stderr)).toMatchObject({ resumed: false, scheme: 'ecdsa_secp256r1_sha256', early: 'rejected' });
    await s.child.waitFor('Early data was rejected', 'stdout', 10_000);
    await s.child.waitFor('third', 'stdout', 10_000);
    expect(occurrences(s.child.stdout, early.text)).toBe(2); // once early, once resent
  });

  it('0-RTT rejected: s_server without -early_data; resumed, and the data still arrives after the handshake', async () => {
    const s = await opensslServer(['-naccept', '2']);
    const sess = file('sess.json');
    const early = earlyFile();
    const first = await ourClient(s.port, ['--ca', pki.ca, '--sess-out', sess], 'full\n');
    expect(first.code, first.stderr + s.output()).toBe(0);
    const second = await ourClient(s.port, ['--ca', pki.ca, '--sess-in', sess, '--early-data', early.path], 'later\n');
    expect(second.code, second.stderr + s.output()).toBe(0);
    expect(summary(second.stderr)).toMatchObject({ resumed: true, early: 'rejected' });
    await s.child.waitFor('later', 'stdout', 10_000);
    expect(occurrences(s.child.stdout, early.text)).toBe(1);
    expect(s.child.stdout.indexOf(early.text)).toBeLessThan(s.child.stdout.indexOf('later'));
  });

  it('0-RTT with a HelloRetryRequest: rejected (skipped by s_server), the data resent once', async () => {
    const s = await opensslServer(['-naccept', '2', '-early_data', '-groups', 'P-256']);
    const sess = file('sess.json');
    const early = earlyFile();
    const groups = ['--groups', 'x25519,secp256r1'];
    expect((await ourClient(s.port, ['--ca', pki.ca, ...groups, '--sess-out', sess], 'full\n')).code).toBe(0);
    const r = await ourClient(s.port, ['--ca', pki.ca, ...groups, '--sess-in', sess, '--early-data', early.path, '--trace'], 'retry\n');
    expect(r.code, r.stderr + s.output()).toBe(0);
    expect(r.stderr).toContain('HelloRetryRequest');
    expect(summary(r.stderr)).toMatchObject({ group: 'secp256r1', early: 'rejected' });
    await s.child.waitFor('retry', 'stdout', 10_000);
    expect(s.child.stdout).toContain('Early data was rejected');
    expect(occurrences(s.child.stdout, early.text)).toBe(1);
  });

  for (const [mode, group] of [
    ['psk_dhe_ke', 'x25519'],
    ['psk_ke', 'none'],
  ] as const) {
    it(`external PSK, ${mode}: s_server -nocert -psk; no --ca needed`, async () => {
      const s = await startOpensslServer({
        cert: pki.leaf,
        key: pki.key,
        args: ['-nocert', '-psk_identity', PSK_ID, '-psk', PSK_HEX, '-naccept', '1', '-rev', ...(mode === 'psk_ke' ? ['-allow_no_dhe_kex'] : [])],
      });
      const r = await ourClient(s.port, ['--psk-identity', PSK_ID, '--psk', PSK_HEX, '--psk-modes', mode], 'psk\n', reversed('psk'));
      expect(r.code, r.stderr + s.output()).toBe(0);
      expect(r.stdout).toContain(reversed('psk'));
      expect(summary(r.stderr)).toEqual({ group, scheme: 'none', resumed: false, early: 'none' });
    });
  }

  it('external PSK with a certificate configured on both sides: the PSK is chosen; a wrong key fails', async () => {
    const s = await opensslServer(['-psk_identity', PSK_ID, '-psk', PSK_HEX, '-naccept', '2', '-rev']);
    const r = await ourClient(s.port, ['--ca', pki.ca, '--psk-identity', PSK_ID, '--psk', PSK_HEX], 'both\n', reversed('both'));
    expect(r.code, r.stderr + s.output()).toBe(0);
    expect(summary(r.stderr)).toMatchObject({ group: 'x25519', scheme: 'none' });
    const bad = await ourClient(s.port, ['--ca', pki.ca, '--psk-identity', PSK_ID, '--psk', '00'.repeat(32)]);
    expect(bad.code).toBe(1);
    // RFC 8446 §6.2 names decrypt_error for a bad binder; OpenSSL 3.0 sends illegal_parameter.
    expect(bad.stderr).toMatch(/^error: (decrypt_error|illegal_parameter): peer sent/m);
  });
});

describe('openssl s_client → our server', () => {
  it('resumption: s_client -sess_out, then -sess_in: "Reused, TLSv1.3"; our server logs resumed', async () => {
    const srv = await ourServer(['--cert', pki.chain, '--key', pki.key, '--echo']);
    const sess = file('s_client.sess');
    const first = await opensslClient(srv.port, [...sClientVerify(), '-sess_out', sess], 'one\n', /^one$/m);
    expect(first.stdout, first.stderr).toContain('New, TLSv1.3');
    expect(existsSync(sess)).toBe(true);
    const second = await opensslClient(srv.port, [...sClientVerify(), '-sess_in', sess], 'two\n', /^two$/m);
    expect(second.stdout, second.stderr + srv.output()).toContain('Reused, TLSv1.3');
    expect(second.stdout).toMatch(/^two$/m);
    await waitFor(srv, /\[#2 [^\]]+\] TLSv1\.3 \S+ x25519 none alpn=none sni=localhost resumed early=none/);
  });

  it('0-RTT accepted by our server --early-data; the same ticket replayed: resumed, 0-RTT refused, data seen once', async () => {
    const srv = await ourServer(['--cert', pki.chain, '--key', pki.key, '--early-data', '--tickets', '1']);
    const sess = file('s_client.sess');
    const early = earlyFile();
    await sClientSaveSession(srv.port, sess, 'full\n');
    await waitFor(srv, /\[#1 [^\]]+\] closed/);

    const second = await opensslClient(srv.port, [...sClientVerify(), '-sess_in', sess, '-early_data', early.path]);
    expect(second.stdout, second.stderr + srv.output()).toContain('Early data was accepted');
    expect(second.stdout).toContain('Reused, TLSv1.3');
    await waitFor(srv, /\[#2 [^\]]+\] closed \(\d+ bytes received, \d+ of them early\)/);
    expect(srv.output()).toMatch(/\[#2 [^\]]+\] TLSv1\.3 \S+ x25519 none alpn=none sni=localhost resumed early=accepted/);
    expect(srv.output()).toContain(`early data: ${early.text.length} bytes`);
    expect(srv.child.stdout).toContain(early.text);

    const third = await opensslClient(srv.port, [...sClientVerify(), '-sess_in', sess, '-early_data', early.path]);
    expect(third.stdout, third.stderr + srv.output()).toContain('Early data was rejected');
    await waitFor(srv, /\[#3 [^\]]+\] closed/);
    expect(srv.output()).toMatch(/\[#3 [^\]]+\] TLSv1\.3 .* resumed early=rejected/);
    expect(occurrences(srv.child.stdout, early.text)).toBe(1);
  });

  it('audit #3: s_client -sess_in without -early_data against our --early-data server: resumed, no early_data in EncryptedExtensions', async () => {
    // Before the fix our server put early_data in EncryptedExtensions unasked and OpenSSL aborted
    // with "unsolicited extension" (RFC 8446 §4.2.10: only when the ClientHello carried early_data).
    const srv = await ourServer(['--cert', pki.chain, '--key', pki.key, '--early-data', '--echo']);
    const sess = file('s_client.sess');
    await sClientSaveSession(srv.port, sess, 'full\n');
    await waitFor(srv, /\[#1 [^\]]+\] closed/);
    for (const n of [2, 3]) {
      const r = await opensslClient(srv.port, [...sClientVerify(), '-sess_in', sess], `plain${n}\n`, new RegExp(`^plain${n}$`, 'm'));
      expect(r.stdout + r.stderr, srv.output()).not.toMatch(/unsolicited|alert/i);
      expect(r.stdout).toContain('Reused, TLSv1.3');
      expect(r.stdout).toMatch(new RegExp(`^plain${n}$`, 'm'));
      await waitFor(srv, new RegExp(`\\[#${n} [^\\]]+\\] TLSv1\\.3 \\S+ x25519 none alpn=none sni=localhost resumed early=none`));
    }
  });

  it('0-RTT rejected by a server that cannot read the ticket: full handshake, early records skipped', async () => {
    const a = await ourServer(['--cert', pki.chain, '--key', pki.key, '--early-data']);
    const sess = file('s_client.sess');
    await sClientSaveSession(a.port, sess, 'a\n');
    await a.stop();
    const early = earlyFile();
    const b = await ourServer(['--cert', pki.chain, '--key', pki.key, '--echo']); // new ticket key, no 0-RTT
    const r = await opensslClient(b.port, [...sClientVerify(), '-sess_in', sess, '-early_data', early.path], 'after\n', /^after$/m);
    expect(r.stdout, r.stderr + b.output()).toContain('Early data was rejected');
    expect(r.stdout).toContain('New, TLSv1.3');
    expect(r.stdout).toMatch(/^after$/m);
    expect(r.stdout).not.toContain(early.text);
    await waitFor(b, /\[#1 [^\]]+\] closed \(6 bytes received\)/);
    expect(b.output()).toMatch(/\[#1 [^\]]+\] TLSv1\.3 \S+ x25519 ecdsa_secp256r1_sha256 alpn=none sni=localhost early=rejected/);
  });

  it('0-RTT with a HelloRetryRequest: our server skips the early records in the clear and resumes', async () => {
    const srv = await ourServer(['--cert', pki.chain, '--key', pki.key, '--early-data', '--groups', 'secp384r1', '--trace']);
    const sess = file('s_client.sess');
    const early = earlyFile();
    const groups = ['-groups', 'X25519:P-384'];
    await sClientSaveSession(srv.port, sess, 'full\n', groups);
    const r = await opensslClient(srv.port, [...sClientVerify(), ...groups, '-sess_in', sess, '-early_data', early.path], 'after\n');
    expect(r.stdout, r.stderr + srv.output()).toContain('Early data was rejected');
    expect(r.stdout).toContain('Reused, TLSv1.3');
    await waitFor(srv, /\[#2 [^\]]+\] closed \(6 bytes received\)/);
    expect(srv.child.stdout).toBe('full\nafter\n');
    expect(srv.output()).toMatch(/\[#2 [^\]]+\] server → client {2}HelloRetryRequest/);
    // The engine reports 'none' here (ClientHello2 carries no early_data); 'rejected' would be more telling.
    expect(srv.output()).toMatch(/\[#2 [^\]]+\] TLSv1\.3 \S+ secp384r1 none alpn=none sni=localhost resumed early=(none|rejected)/);
  });

  for (const [mode, group, clientArgs] of [
    ['psk_dhe_ke', 'x25519', []],
    ['psk_ke', 'none', ['-allow_no_dhe_kex']],
  ] as const) {
    it(`external PSK, ${mode}: our server with no certificate`, async () => {
      const srv = await ourServer(['--psk-identity', PSK_ID, '--psk', PSK_HEX, '--psk-modes', mode, '--echo']);
      const r = await opensslClient(srv.port, ['-psk_identity', PSK_ID, '-psk', PSK_HEX, ...clientArgs], 'psk\n', /^psk$/m);
      expect(r.stdout, r.stderr + srv.output()).toContain('Reused, TLSv1.3');
      expect(r.stdout).toMatch(/^psk$/m);
      if (mode === 'psk_ke') expect(r.stdout).not.toContain('Server Temp Key');
      await waitFor(srv, new RegExp(`TLSv1\\.3 \\S+ ${group} none alpn=none sni=localhost psk=${PSK_ID} early=none`));
    });
  }

  it('external PSK next to a certificate: s_client with -psk uses it, without falls back to the certificate; a wrong key is decrypt_error', async () => {
    const srv = await ourServer(['--cert', pki.chain, '--key', pki.key, '--psk-identity', PSK_ID, '--psk', PSK_HEX, '--echo']);
    const withPsk = await opensslClient(srv.port, ['-psk_identity', PSK_ID, '-psk', PSK_HEX], 'p\n', /^p$/m);
    expect(withPsk.stdout).toMatch(/^p$/m);
    await waitFor(srv, new RegExp(`\\[#1 [^\\]]+\\] TLSv1\\.3 \\S+ x25519 none alpn=none sni=localhost psk=${PSK_ID}`));
    const withCert = await opensslClient(srv.port, sClientVerify(), 'c\n', /^c$/m);
    expect(withCert.stdout).toContain('Verify return code: 0 (ok)');
    await waitFor(srv, /\[#2 [^\]]+\] TLSv1\.3 \S+ x25519 ecdsa_secp256r1_sha256 alpn=none sni=localhost early=none/);
    const bad = await opensslClient(srv.port, ['-psk_identity', PSK_ID, '-psk', '00'.repeat(32)]);
    expect(bad.stdout + bad.stderr).toMatch(/decrypt error/i);
    await waitFor(srv, /\[#3 [^\]]+\] error: decrypt_error/);
  });
});

describe('our client → our server (0-RTT rejected)', () => {
  it('server without --early-data: resumed, early=rejected, data arrives once after the handshake', async () => {
    const srv = await ourServer(['--cert', pki.chain, '--key', pki.key]);
    const sess = file('sess.json');
    const early = earlyFile();
    expect((await ourClient(srv.port, ['--ca', pki.ca, '--sess-out', sess], 'x')).code).toBe(0);
    const r = await ourClient(srv.port, ['--ca', pki.ca, '--sess-in', sess, '--early-data', early.path], 'y');
    expect(r.code, r.stderr + srv.output()).toBe(0);
    expect(summary(r.stderr)).toMatchObject({ resumed: true, early: 'rejected' });
    await waitFor(srv, /\[#2 [^\]]+\] closed/);
    expect(srv.child.stdout).toBe(`x${early.text}y`);
    expect(srv.output()).toMatch(/\[#2 [^\]]+\] .* resumed early=none/);
  });

  it('a ticket the server cannot read: full handshake, the early records skipped, the data resent', async () => {
    const a = await ourServer(['--cert', pki.chain, '--key', pki.key, '--early-data']);
    const sess = file('sess.json');
    expect((await ourClient(a.port, ['--ca', pki.ca, '--sess-out', sess])).code).toBe(0);
    await a.stop();
    const b = await ourServer(['--cert', pki.chain, '--key', pki.key]);
    const early = earlyFile();
    const r = await ourClient(b.port, ['--ca', pki.ca, '--sess-in', sess, '--early-data', early.path], 'z');
    expect(r.code, r.stderr + b.output()).toBe(0);
    expect(summary(r.stderr)).toMatchObject({ resumed: false, scheme: 'ecdsa_secp256r1_sha256', early: 'rejected' });
    await waitFor(b, /\[#1 [^\]]+\] closed/);
    expect(b.child.stdout).toBe(`${early.text}z`);
    expect(b.output()).toMatch(/\[#1 [^\]]+\] .* early=rejected/);
  });
});
