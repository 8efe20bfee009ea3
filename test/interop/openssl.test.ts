// Interop against OpenSSL on 127.0.0.1, both directions, through our CLI:
// our client ↔ `openssl s_server`, `openssl s_client` ↔ our server. Certificates are minted
// by the project at test time (src/testing/mint.ts).
// Once per crypto provider (--provider): the whole matrix for node (the CLI's default) and noble;
// for webcrypto (SubtleCrypto key exchange, CertificateVerify checks, signing and chain
// verification, each a pending step; noble for hashing and records) the cases where it differs:
// every certificate type both ways (ECDSA, Ed25519, RSA-PSS CertificateVerify), each suite once
// with x25519, P-256 and P-384 in turn, HRR (a second async key share) and the 1 MiB transfers.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KeyType } from '../../src/testing/mint.js';
import { Child, OPENSSL, killAll, runCli, runOpensslClient, spawnCli, startCliServer, startOpensslServer } from '../helpers/openssl.js';
import { reversed, waitUntil, writeMintedPki, type PkiFiles } from '../helpers/interop.js';

let dir: string;
const pkis = new Map<KeyType, PkiFiles>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tls13-interop-'));
  for (const keyType of ['p256', 'ed25519', 'rsa2048'] as KeyType[]) pkis.set(keyType, await writeMintedPki(dir, keyType, `${keyType}-`));
}, 120_000);

afterEach(async () => {
  await killAll();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const pki = (k: KeyType = 'p256'): PkiFiles => pkis.get(k)!;

/** s_server with our minted chain. */
function opensslServer(args: string[], k: KeyType = 'p256') {
  const p = pki(k);
  return startOpensslServer({ cert: p.leaf, key: p.key, args: ['-cert_chain', p.intermediate, '-naccept', '1', ...args] });
}

const PROVIDERS = ['node', 'noble', 'webcrypto'] as const;
type Provider = (typeof PROVIDERS)[number];
/** The provider of the describe block running (set in its beforeAll). */
let provider: Provider = 'node';

/** Our client against `port`; stdin is kept open until `waitFor` shows up. */
function ourClient(port: number, args: string[], stdin: string, waitFor: string | RegExp, k: KeyType = 'p256') {
  return runCli({
    args: ['client', `127.0.0.1:${port}`, '--provider', provider, '--ca', pki(k).ca, '--servername', 'localhost', ...args],
    stdin,
    waitFor,
    timeoutMs: 20_000,
  });
}

function ourServer(args: string[], k: KeyType = 'p256') {
  const p = pki(k);
  return startCliServer({ args: ['--provider', provider, '--cert', p.chain, '--key', p.key, ...args] });
}

/** s_client verifying our server against the minted root. */
function opensslClient(port: number, args: string[], stdin: string, waitFor: string | RegExp, k: KeyType = 'p256') {
  return runOpensslClient({
    port,
    args: ['-CAfile', pki(k).ca, '-servername', 'localhost', '-verify_return_error', '-no_ign_eof', ...args],
    stdin,
    waitFor,
    timeoutMs: 20_000,
  });
}

const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const GROUPS = [
  { ours: 'x25519', openssl: 'X25519' },
  { ours: 'secp256r1', openssl: 'P-256' },
  { ours: 'secp384r1', openssl: 'P-384' },
];

for (const p of PROVIDERS) {
  /** The whole matrix, or (webcrypto) the subset described at the top. */
  const all = p !== 'webcrypto';
  const full = (name: string, fn: () => Promise<void>): void => {
    if (all) it(name, fn);
  };
  /** Every group with every suite, or each suite with one group in turn. */
  const groups = (suite: string): typeof GROUPS => (all ? GROUPS : [GROUPS[SUITES.indexOf(suite) % GROUPS.length]!]);

  describe(`--provider ${p}`, () => {
    beforeAll(() => {
      provider = p;
    });

    describe('our client → openssl s_server', () => {
      for (const suite of SUITES) {
        for (const group of groups(suite)) {
          it(`${suite} × ${group.ours} (ECDSA P-256 certificate)`, async () => {
            const s = await opensslServer(['-ciphersuites', suite, '-groups', group.openssl, '-rev']);
            const r = await ourClient(s.port, ['--suites', suite, '--groups', group.ours], 'hello interop\n', reversed('hello interop'));
            expect(r.code, r.stderr).toBe(0);
            expect(r.stderr).toContain(`TLSv1.3 ${suite} ${group.ours} ecdsa_secp256r1_sha256 alpn=none`);
            expect(r.stdout).toContain(reversed('hello interop'));
          });
        }
      }

      for (const [k, scheme] of [
        ['ed25519', 'ed25519'],
        ['rsa2048', 'rsa_pss_rsae_sha256'],
      ] as const) {
        it(`${k} certificate`, async () => {
          const s = await opensslServer(['-rev'], k);
          const r = await ourClient(s.port, [], 'cert types\n', reversed('cert types'), k);
          expect(r.code, r.stderr).toBe(0);
          expect(r.stderr).toMatch(new RegExp(`TLSv1\\.3 \\S+ \\S+ ${scheme} alpn=none`));
        });
      }

      it('HelloRetryRequest forced by disjoint key shares', async () => {
        const s = await opensslServer(['-groups', 'P-256', '-rev']);
        const r = await ourClient(s.port, ['--groups', 'x25519,secp256r1', '--trace'], 'retry\n', reversed('retry'));
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toContain('HelloRetryRequest');
        expect(r.stderr).toMatch(/TLSv1\.3 \S+ secp256r1 /);
        expect(r.stderr).toContain(`crypto: ${provider}`);
      });

      full('ALPN', async () => {
        const s = await opensslServer(['-alpn', 'h2,http/1.1', '-rev']);
        const r = await ourClient(s.port, ['--alpn', 'http/1.1,h2'], 'alpn\n', reversed('alpn'));
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/alpn=(h2|http\/1\.1)/);
      });

      full('SNI: the name is sent, and a server that refuses it answers unrecognized_name', async () => {
        const ok = await opensslServer(['-tlsextdebug', '-rev']);
        const r = await ourClient(ok.port, [], 'sni\n', reversed('sni'));
        expect(r.code, r.stderr).toBe(0);
        expect(ok.child.stdout).toMatch(/TLS client extension "server name"[^\n]*\n[^\n]*localhost/);
        // s_server switches to -cert2 only on a match; on a mismatch -servername_fatal refuses.
        const bad = await opensslServer(['-servername', 'other.test', '-servername_fatal', '-cert2', pki().leaf, '-key2', pki().key]);
        const r2 = await ourClient(bad.port, [], '', /error/);
        expect(r2.code).not.toBe(0);
        expect(r2.stderr).toContain('unrecognized_name');
      });

      full('KeyUpdate initiated by our client (OpenSSL answers), data continues', async () => {
        const s = await opensslServer(['-rev']);
        const r = await ourClient(s.port, ['--key-update', '--trace'], 'after update\n', reversed('after update'));
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/client → server\s+KeyUpdate/);
        expect(r.stderr).toMatch(/server → client\s+KeyUpdate/);
        expect(r.stdout).toContain(reversed('after update'));
      });

      full('KeyUpdate initiated by OpenSSL (K command), data continues', async () => {
        const s = await opensslServer([]);
        const c = spawnCli(['client', `127.0.0.1:${s.port}`, '--provider', provider, '--ca', pki().ca, '--servername', 'localhost', '--trace']);
        await c.waitFor(/TLSv1\.3 /, 'stderr', 15_000);
        s.child.write('K\n');
        await c.waitFor(/server → client\s+KeyUpdate/, 'stderr', 15_000);
        await c.waitFor(/client → server\s+KeyUpdate/, 'stderr', 15_000);
        s.child.write('after the update\n');
        await c.waitFor('after the update', 'stdout', 15_000);
        c.write('client says hi\n');
        await s.child.waitFor('client says hi', 'stdout', 15_000);
        c.endInput();
        expect((await c.wait(15_000)).code).toBe(0);
      });

      it('1 MiB each way, checked by hash', async () => {
        const up = payload('u');
        const down = payload('d');
        const s = await opensslServer([]);
        s.child.write(down);
        const c = spawnCli(['client', `127.0.0.1:${s.port}`, '--provider', provider, '--ca', pki().ca, '--servername', 'localhost']);
        c.write(up);
        await waitUntil(() => c.stdout.length >= down.length && s.child.stdout.includes(END('u')), 60_000, () => c.output() + s.output());
        c.endInput();
        expect((await c.wait(15_000)).code).toBe(0);
        expect(sha256(c.stdout)).toBe(sha256(down));
        expect(sha256(extract(s.child.stdout, 'u'))).toBe(sha256(up));
      });
    });

    describe('openssl s_client → our server', () => {
      for (const suite of SUITES) {
        for (const group of groups(suite)) {
          it(`${suite} × ${group.ours} (ECDSA P-256 certificate)`, async () => {
            const srv = await ourServer(['--echo', '--suites', suite, '--groups', group.ours]);
            const r = await opensslClient(srv.port, ['-ciphersuites', suite, '-groups', group.openssl], 'ping interop\n', /^ping interop$/m);
            expect(r.stdout).toContain('Verify return code: 0 (ok)');
            expect(r.stdout).toMatch(new RegExp(`Cipher is ${suite}`));
            expect(r.stdout).toMatch(/^ping interop$/m);
            await waitUntil(() => srv.output().includes('closed'), 10_000, srv.output);
            expect(srv.output()).toContain(`TLSv1.3 ${suite} ${group.ours} ecdsa_secp256r1_sha256`);
          });
        }
      }

      for (const [k, scheme] of [
        ['ed25519', 'ed25519'],
        ['rsa2048', 'rsa_pss_rsae_sha256'],
      ] as const) {
        it(`${k} certificate`, async () => {
          const srv = await ourServer(['--echo'], k);
          const r = await opensslClient(srv.port, [], 'cert types\n', /^cert types$/m, k);
          expect(r.stdout).toContain('Verify return code: 0 (ok)');
          expect(r.stdout).toMatch(/^cert types$/m);
          expect(srv.output()).toMatch(new RegExp(`TLSv1\\.3 \\S+ \\S+ ${scheme}`));
        });
      }

      it('HelloRetryRequest forced by disjoint key shares', async () => {
        const srv = await ourServer(['--echo', '--groups', 'secp384r1', '--trace']);
        const r = await opensslClient(srv.port, ['-groups', 'X25519:P-384'], 'retry\n', /^retry$/m);
        expect(r.stdout).toMatch(/^retry$/m);
        expect(srv.output()).toContain('HelloRetryRequest');
        expect(srv.output()).toMatch(/TLSv1\.3 \S+ secp384r1 /);
        expect(srv.output()).toContain(`(crypto: ${provider})`);
      });

      full('ALPN, and no_application_protocol when there is no overlap', async () => {
        const srv = await ourServer(['--echo', '--alpn', 'h2,http/1.1']);
        const r = await opensslClient(srv.port, ['-alpn', 'http/1.1'], 'alpn\n', /^alpn$/m);
        expect(r.stdout).toContain('ALPN protocol: http/1.1');
        const r2 = await opensslClient(srv.port, ['-alpn', 'spdy/1'], '', /alert/);
        expect(r2.stdout + r2.stderr).toMatch(/no application protocol/i);
        await waitUntil(() => srv.output().includes('no_application_protocol'), 10_000, srv.output);
      });

      full('SNI reaches the server', async () => {
        const srv = await ourServer(['--echo']);
        const r = await opensslClient(srv.port, [], 'sni\n', /^sni$/m);
        expect(r.stdout).toMatch(/^sni$/m);
        await waitUntil(() => srv.output().includes('sni=localhost'), 10_000, srv.output);
      });

      /** s_client kept open line by line: each line is echoed back by our server before the next one goes. */
      async function interactiveClient(port: number, lines: string[]): Promise<Child> {
        const c = new Child(
          OPENSSL,
          ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-CAfile', pki().ca, '-servername', 'localhost', '-quiet', '-no_ign_eof'],
          'openssl s_client',
        );
        for (const line of lines) {
          c.write(`${line}\n`);
          if (line === 'K') await new Promise((r) => setTimeout(r, 300));
          else await c.waitFor(new RegExp(`^${line}$`, 'm'), 'stdout', 15_000);
        }
        c.endInput();
        await c.wait(15_000);
        return c;
      }

      full('KeyUpdate initiated by OpenSSL (K command), data continues', async () => {
        const srv = await ourServer(['--echo', '--trace']);
        const c = await interactiveClient(srv.port, ['before', 'K', 'after']);
        expect(c.stdout).toMatch(/^after$/m);
        await waitUntil(() => srv.output().includes('closed'), 10_000, srv.output);
        expect(srv.output()).toMatch(/client → server\s+KeyUpdate/);
        expect(srv.output()).toMatch(/server → client\s+KeyUpdate/);
      });

      full('KeyUpdate initiated by our server (OpenSSL answers before its next data), data continues', async () => {
        const srv = await ourServer(['--echo', '--trace', '--key-update']);
        const c = await interactiveClient(srv.port, ['first', 'second']);
        expect(c.stdout).toMatch(/^second$/m);
        await waitUntil(() => srv.output().includes('closed'), 10_000, srv.output);
        expect(srv.output()).toMatch(/server → client\s+KeyUpdate/);
        expect(srv.output()).toMatch(/client → server\s+KeyUpdate/);
      });

      it('1 MiB each way (echoed), checked by hash', async () => {
        const up = payload('e');
        const srv = await ourServer(['--echo']);
        const c = await runOpensslClient({
          port: srv.port,
          args: ['-CAfile', pki().ca, '-servername', 'localhost', '-quiet', '-no_ign_eof'],
          stdin: up,
          waitFor: END('e'),
          timeoutMs: 60_000,
        });
        expect(sha256(c.stdout)).toBe(sha256(up));
        await waitUntil(() => srv.output().includes(`closed (${up.length} bytes received)`), 10_000, srv.output);
      });
    });
  });
}

// ---- helpers ----

const END = (tag: string): string => `end-of-payload-${tag}\n`;

/** About 1 MiB of text lines (s_server and s_client copy text faithfully), with start and end markers. */
function payload(tag: string): string {
  const lines = [`start-of-payload-${tag}\n`];
  let size = lines[0]!.length;
  for (let i = 0; size < 1 << 20; i++) {
    const line = `${i.toString(16).padStart(6, '0')}${createHash('sha256').update(`${tag}${i}`).digest('hex').slice(0, 57)}\n`;
    lines.push(line);
    size += line.length;
  }
  lines.push(END(tag));
  return lines.join('');
}

function extract(text: string, tag: string): string {
  const start = text.indexOf(`start-of-payload-${tag}\n`);
  const end = text.indexOf(END(tag));
  return start < 0 || end < 0 ? '' : text.slice(start, end + END(tag).length);
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

