// Bun (the `bun` npm package): the bundled engine over Bun.connect's callback TCP API (through
// pushChannel), against `openssl s_server` on 127.0.0.1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Child, killAll } from '../helpers/openssl.js';
import { bundleEngine, findBun, hasOpenssl, pkiOnDisk, reversingServer, type PkiOnDisk } from '../helpers/runtimes.js';

const bun = findBun();
const skipReason = 'missing' in bun ? bun.missing : !hasOpenssl() ? 'openssl is not on PATH' : undefined;

const SCRIPT = `
import * as e from './engine.js';
const [port, caPem] = Bun.argv.slice(2);
let push;
const socket = await Bun.connect({
  hostname: '127.0.0.1',
  port: Number(port),
  socket: {
    data: (_s, bytes) => push.push(bytes),
    drain: () => push.drain(),
    end: () => push.end(),
    close: () => push.end(),
    error: (_s, err) => push.fail(err),
  },
});
push = e.pushChannel({ write: (bytes) => socket.write(bytes), close: () => socket.end() });
const verifier = new e.WebPkiServerVerifier({ trustAnchors: e.pemDecode(caPem), verifier: e.nobleProvider.verifier });
const tls = new e.TlsStream(e.createClientConnection({ serverName: 'localhost', verifier }), push.channel);
const params = await tls.handshake();
await tls.write(new TextEncoder().encode('hello from bun\\n'));
let got = '';
while (!got.includes('\\n')) got += new TextDecoder().decode(await tls.read());
await tls.close();
console.log(JSON.stringify({ got, runtime: 'bun ' + Bun.version, suite: params.cipherSuiteName }));
`;

let files: PkiOnDisk;
beforeAll(async () => {
  if (skipReason) return;
  files = await pkiOnDisk('tls13-bun-');
  await bundleEngine(files.dir);
  writeFileSync(join(files.dir, 'client.js'), SCRIPT);
});
afterAll(async () => {
  await killAll();
  files?.cleanup();
});

describe('Bun', () => {
  it('Bun.connect → pushChannel → TlsStream → openssl s_server: handshake and echo', async (ctx) => {
    if (skipReason || !('path' in bun)) return ctx.skip(skipReason);
    const s = await reversingServer(files);
    const child = new Child(bun.path, [join(files.dir, 'client.js'), String(s.port), files.pki.root.certPem], 'bun');
    const status = await child.wait(25_000);
    expect(status.code, child.output()).toBe(0);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { got: string; runtime: string; suite: string };
    expect(result.got).toBe('nub morf olleh\n');
    expect(result.runtime).toMatch(/^bun \d/);
  });
});
