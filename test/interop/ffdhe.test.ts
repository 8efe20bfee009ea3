// FFDHE (RFC 7919; RFC 8446 §4.2.8.1) against OpenSSL on 127.0.0.1, both directions, through our
// CLI: ffdhe2048 and ffdhe4096 with the node and noble providers, and a HelloRetryRequest to
// ffdhe2048. The negotiated group is read on both ends: our CLI's summary line, OpenSSL's -trace
// of the ServerHello key_share (and s_client's "Server Temp Key").

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, runCli, runOpensslClient, startCliServer, startOpensslServer } from '../helpers/openssl.js';
import { reversed, waitUntil, writeMintedPki, type PkiFiles } from '../helpers/interop.js';

let dir: string;
let pki: PkiFiles;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tls13-ffdhe-'));
  pki = await writeMintedPki(dir, 'p256', 'p256-');
}, 120_000);

afterEach(async () => {
  await killAll();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** OpenSSL's -trace of the ServerHello names the group of its key_share. */
const serverHelloGroup = (trace: string): string | undefined =>
  /ServerHello[\s\S]*?extension_type=key_share\(51\)[\s\S]*?NamedGroup: (\w+)/.exec(trace.slice(trace.search(/ServerHello, Length/)))?.[1];

const CASES = [
  { group: 'ffdhe2048', bits: 2048, providers: ['node', 'noble'] },
  { group: 'ffdhe4096', bits: 4096, providers: ['node', 'noble'] },
] as const;

describe('FFDHE interop with OpenSSL', () => {
  for (const { group, bits, providers } of CASES) {
    for (const provider of providers) {
      it(`our client (${provider}) → openssl s_server -groups ${group}`, async () => {
        const s = await startOpensslServer({
          cert: pki.leaf,
          key: pki.key,
          args: ['-cert_chain', pki.intermediate, '-naccept', '1', '-groups', group, '-trace', '-rev'],
        });
        const r = await runCli({
          args: ['client', `127.0.0.1:${s.port}`, '--provider', provider, '--ca', pki.ca, '--servername', 'localhost', '--groups', group],
          stdin: 'hello ffdhe\n',
          waitFor: reversed('hello ffdhe'),
          timeoutMs: 20_000,
        });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(new RegExp(`TLSv1\\.3 \\S+ ${group} ecdsa_secp256r1_sha256`));
        expect(r.stdout).toContain(reversed('hello ffdhe'));
        expect(serverHelloGroup(s.output())).toBe(group);
      });

      it(`openssl s_client -groups ${group} → our server (${provider})`, async () => {
        const srv = await startCliServer({ args: ['--provider', provider, '--cert', pki.chain, '--key', pki.key, '--echo', '--groups', group] });
        const r = await runOpensslClient({
          port: srv.port,
          args: ['-CAfile', pki.ca, '-servername', 'localhost', '-verify_return_error', '-no_ign_eof', '-groups', group, '-trace'],
          stdin: 'ping ffdhe\n',
          waitFor: /^ping ffdhe$/m,
          timeoutMs: 20_000,
        });
        expect(r.stdout).toContain('Verify return code: 0 (ok)');
        expect(r.stdout).toMatch(/^ping ffdhe$/m);
        expect(r.stdout).toContain(`Server Temp Key: DH, ${bits} bits`);
        expect(serverHelloGroup(r.stdout)).toBe(group);
        await waitUntil(() => srv.output().includes('closed'), 10_000, srv.output);
        expect(srv.output()).toMatch(new RegExp(`TLSv1\\.3 \\S+ ${group} ecdsa_secp256r1_sha256`));
        expect(srv.output()).toContain(`(crypto: ${provider})`);
      });
    }
  }

  it('openssl s_client with an X25519 share → HelloRetryRequest → ffdhe2048 with our server', async () => {
    const srv = await startCliServer({ args: ['--cert', pki.chain, '--key', pki.key, '--echo', '--groups', 'ffdhe2048', '--trace'] });
    const r = await runOpensslClient({
      port: srv.port,
      args: ['-CAfile', pki.ca, '-servername', 'localhost', '-verify_return_error', '-no_ign_eof', '-groups', 'X25519:ffdhe2048', '-trace'],
      stdin: 'retry\n',
      waitFor: /^retry$/m,
      timeoutMs: 20_000,
    });
    expect(r.stdout).toMatch(/^retry$/m);
    expect(r.stdout).toContain('Server Temp Key: DH, 2048 bits');
    await waitUntil(() => srv.output().includes('closed'), 10_000, srv.output);
    expect(srv.output()).toContain('HelloRetryRequest');
    expect(srv.output()).toMatch(/TLSv1\.3 \S+ ffdhe2048 /);
  });
});
