// Cloudflare workerd (the `workerd` npm package): a Worker that runs the bundled engine over
// `connect()` from `cloudflare:sockets` (connectStreams) to `openssl s_server` on 127.0.0.1. The
// Worker's globalOutbound is a network service that allows only `local` addresses.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Child, killAll } from '../helpers/openssl.js';
import { bundleEngine, findWorkerd, freePort, hasOpenssl, pkiOnDisk, reversingServer, type PkiOnDisk } from '../helpers/runtimes.js';

const workerd = findWorkerd();
const skipReason = 'missing' in workerd ? workerd.missing : !hasOpenssl() ? 'openssl is not on PATH' : undefined;

const WORKER = `
import { connect } from 'cloudflare:sockets';
import * as e from './engine.js';
export default {
  async fetch(request) {
    if (request.method !== 'POST') return new Response('ready');
    const { port, caPem } = await request.json();
    const socket = connect({ hostname: '127.0.0.1', port });
    const verifier = new e.WebPkiServerVerifier({ trustAnchors: e.pemDecode(caPem), verifier: e.nobleProvider.verifier });
    try {
      const tls = await e.connectStreams(socket, { serverName: 'localhost', verifier });
      const w = tls.writable.getWriter();
      await w.write(new TextEncoder().encode('hello from workerd\\n'));
      const r = tls.readable.getReader();
      let got = '';
      while (!got.includes('\\n')) {
        const { value, done } = await r.read();
        if (done) break;
        got += new TextDecoder().decode(value);
      }
      r.releaseLock();
      await tls.close();
      return Response.json({ got, runtime: navigator.userAgent, suite: tls.parameters.cipherSuiteName });
    } catch (err) {
      return Response.json({ error: String(err && err.stack || err) }, { status: 500 });
    }
  },
};
`;

const config = (port: number): string => `
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "engine.js", esModule = embed "engine.js"),
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
);
`;

let files: PkiOnDisk;
beforeAll(async () => {
  if (skipReason) return;
  files = await pkiOnDisk('tls13-workerd-');
  await bundleEngine(files.dir);
  writeFileSync(join(files.dir, 'worker.js'), WORKER);
});
afterAll(async () => {
  await killAll();
  files?.cleanup();
});

describe('Cloudflare workerd', () => {
  it('a Worker: connect() from cloudflare:sockets → connectStreams → openssl s_server: handshake and echo', async (ctx) => {
    if (skipReason || !('path' in workerd)) return ctx.skip(skipReason);
    const port = await freePort();
    writeFileSync(join(files.dir, 'config.capnp'), config(port));
    const child = new Child(workerd.path, ['serve', join(files.dir, 'config.capnp')], 'workerd');
    const base = `http://127.0.0.1:${port}/`;
    for (let i = 0; ; i++) {
      const ok = await fetch(base).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 150 || !child.running) throw new Error(`workerd did not start\n${child.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const s = await reversingServer(files);
    const res = await fetch(base, { method: 'POST', body: JSON.stringify({ port: s.port, caPem: files.pki.root.certPem }), signal: AbortSignal.timeout(20_000) });
    const result = (await res.json()) as { got?: string; runtime?: string; suite?: string; error?: string };
    expect(result.error, child.output()).toBeUndefined();
    expect(result.got).toBe('drekrow morf olleh\n');
    expect(result.runtime).toBe('Cloudflare-Workers');
    await child.stop();
  });
});
