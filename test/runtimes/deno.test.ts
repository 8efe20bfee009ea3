// Deno (the @deno/linux-x64-glibc npm package): the bundled engine over Deno.connect's Web
// Streams (connectStreams), against `openssl s_server` on 127.0.0.1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Child, killAll } from '../helpers/openssl.js';
import { bundleEngine, findDeno, hasOpenssl, pkiOnDisk, reversingServer, type PkiOnDisk } from '../helpers/runtimes.js';

const deno = findDeno();
const skipReason = 'missing' in deno ? deno.missing : !hasOpenssl() ? 'openssl is not on PATH' : undefined;

const SCRIPT = `
import * as e from './engine.js';
const [port, caPem] = Deno.args;
const conn = await Deno.connect({ hostname: '127.0.0.1', port: Number(port) });
const verifier = new e.WebPkiServerVerifier({ trustAnchors: e.pemDecode(caPem), verifier: e.nobleProvider.verifier });
const keyLog = [];
const tls = await e.connectStreams(conn, { serverName: 'localhost', verifier, keyLog: e.keyLogTo((l) => keyLog.push(l)) });
const w = tls.writable.getWriter();
await w.write(new TextEncoder().encode('hello from deno\\n'));
const r = tls.readable.getReader();
let got = '';
while (!got.includes('\\n')) {
  const { value, done } = await r.read();
  if (done) break;
  got += new TextDecoder().decode(value);
}
r.releaseLock();
await tls.close();
console.log(JSON.stringify({ got, runtime: 'deno ' + Deno.version.deno, suite: tls.parameters.cipherSuiteName, keyLogLines: keyLog.length }));
`;

let files: PkiOnDisk;
beforeAll(async () => {
  if (skipReason) return;
  files = await pkiOnDisk('tls13-deno-');
  await bundleEngine(files.dir);
  writeFileSync(join(files.dir, 'client.js'), SCRIPT);
  // Deno's cache goes to the temp dir (this worker process only), and no update check.
  process.env.DENO_DIR = join(files.dir, 'deno-dir');
  process.env.DENO_NO_UPDATE_CHECK = '1';
});
afterAll(async () => {
  await killAll();
  files?.cleanup();
});

describe('Deno', () => {
  it('Deno.connect → connectStreams → openssl s_server: handshake and echo', async (ctx) => {
    if (skipReason || !('path' in deno)) return ctx.skip(skipReason);
    const s = await reversingServer(files);
    const child = new Child(
      deno.path,
      ['run', '--no-config', '--no-lock', '--no-prompt', `--allow-net=127.0.0.1:${s.port}`, join(files.dir, 'client.js'), String(s.port), files.pki.root.certPem],
      'deno',
    );
    const status = await child.wait(25_000);
    expect(status.code, child.output()).toBe(0);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { got: string; runtime: string; suite: string; keyLogLines: number };
    expect(result.got).toBe('oned morf olleh\n');
    expect(result.runtime).toMatch(/^deno \d/);
    expect(result.keyLogLines).toBe(5);
  });
});
