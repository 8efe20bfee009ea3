// Load and soak on loopback (issue 7): a server built on the engine (src/node/net.ts
// createServer) completes many concurrent handshakes with echo while a share of the clients
// misbehave (a ClientHello held half-sent, garbage bytes, connections dropped mid-handshake);
// sequential handshakes in memory leave the heap at its baseline (child process, --expose-gc).
// `npm test` runs the short version; `npm run soak` (SOAK=full) the full one: 1,000 concurrent
// handshakes and 20,000 sequential ones. Every loop is bounded in count and time; 127.0.0.1 only.

import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection } from '../../src/connection/index.js';
import type { ServerConfig } from '../../src/connection/config.js';
import { nobleProvider, signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import { connect, createServer, type TlsStream } from '../../src/node/net.js';
import { mintTestPki, type TestPki } from '../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { utf8 } from '../../src/util/bytes.js';

const FULL = process.env.SOAK === 'full';
const CONCURRENT = FULL ? 1000 : 200;
const MISBEHAVING = FULL ? 250 : 60;
const SEQUENTIAL = FULL ? 20_000 : 600;

let pki: TestPki;
beforeAll(async () => {
  pki = await mintTestPki({ keyType: 'ed25519' });
}, 60_000);

const serverConfig = (): ServerConfig => ({
  certificateChain: [pki.server.certDer, pki.intermediate.certDer],
  signingKey: signingKeyFromMaterial(pki.server.key),
});

/** Run `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** A raw TCP client that misbehaves, then waits (bounded) for the server to close on it. */
async function misbehave(port: number, kind: 'half-hello' | 'garbage' | 'drop', hello: Uint8Array): Promise<string> {
  const sock = net.connect({ host: '127.0.0.1', port });
  sock.on('error', () => {});
  await new Promise((r) => sock.once('connect', r));
  if (kind === 'half-hello') sock.write(hello.subarray(0, hello.length >> 1));
  else if (kind === 'garbage') sock.write(Buffer.alloc(2000, 0x41));
  else {
    sock.write(hello);
    await new Promise((r) => sock.once('data', r));
    sock.destroy(); // gone mid-handshake
    return kind;
  }
  sock.resume();
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      sock.destroy();
      resolve();
    }, 20_000);
    sock.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
  return kind;
}

describe(`loopback load (${FULL ? 'full' : 'short'})`, () => {
  it(`${CONCURRENT} concurrent handshakes with echo, ${MISBEHAVING} misbehaving clients alongside, no failure`, async () => {
    const errors: unknown[] = [];
    let served = 0;
    const srv = createServer(
      serverConfig(),
      async (stream: TlsStream) => {
        for (let d = await stream.read(); d !== null; d = await stream.read()) await stream.write(d);
        await stream.close();
        served++;
      },
      // The half-sent ClientHellos are cut off by the handshake timeout.
      { handshakeTimeoutMs: 3_000, onError: (e) => errors.push(e) },
    );
    srv.server.maxConnections = 4 * CONCURRENT;
    const { port } = await srv.listen(0, '127.0.0.1');
    const verifier = new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier });
    const hello = createClientConnection({ serverName: 'localhost', verifier }).takeOutput()!;
    const started = Date.now();
    try {
      const kinds = ['half-hello', 'garbage', 'drop'] as const;
      const bad = Promise.all(Array.from({ length: MISBEHAVING }, (_, i) => misbehave(port, kinds[i % 3]!, hello)));
      const results = await pool(
        Array.from({ length: CONCURRENT }, (_, i) => i),
        CONCURRENT, // all at once: the handshakes overlap
        async (i) => {
          const stream = await connect({ host: '127.0.0.1', port, serverName: 'localhost', verifier, timeoutMs: 60_000 });
          const msg = utf8(`hello ${i} `.repeat(20));
          await stream.write(msg);
          const parts: Uint8Array[] = [];
          let n = 0;
          while (n < msg.length) {
            const d = await stream.read();
            if (d === null) break;
            parts.push(d);
            n += d.length;
          }
          await stream.close();
          return Buffer.concat(parts).equals(Buffer.from(msg));
        },
      );
      const handshakeMs = Date.now() - started;
      await bad;
      expect(results.filter((ok) => !ok)).toHaveLength(0);
      expect(results).toHaveLength(CONCURRENT);
      // Every misbehaving connection ended in an error on the server, none of the good ones did.
      const deadline = Date.now() + 10_000;
      while (served < CONCURRENT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(served).toBe(CONCURRENT);
      console.log(
        `loopback: ${CONCURRENT} concurrent handshakes + echo in ${handshakeMs} ms (${Math.round((CONCURRENT * 1000) / handshakeMs)}/s), ` +
          `${MISBEHAVING} misbehaving clients, ${errors.length} server-side errors (all from them)`,
      );
      expect(errors.length).toBeGreaterThanOrEqual((MISBEHAVING * 2) / 3 - 1);
      expect(errors.length).toBeLessThanOrEqual(MISBEHAVING);
    } finally {
      await srv.close();
    }
  }, 300_000);
});

describe(`sequential handshakes and the heap (${FULL ? 'full' : 'short'})`, () => {
  it(`${SEQUENTIAL} handshakes in memory (every 5th client misbehaving): the heap returns to its baseline`, async () => {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--expose-gc', 'test/soak/heap-child.mjs', String(SEQUENTIAL), '5', FULL ? '900' : '120'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (c) => resolve({ code: c, out }));
    });
    expect(code, out).toBe(0);
    const r = JSON.parse(out.trim().split('\n').pop()!) as {
      count: number;
      ok: number;
      refused: number;
      ms: number;
      growth: number;
      lateGrowth: number;
    };
    console.log(
      `heap: ${r.count} sequential handshakes (${r.ok} good, ${r.refused} misbehaving) in ${r.ms} ms; ` +
        `heap +${(r.growth / 1024).toFixed(0)} KiB since the baseline, +${(r.lateGrowth / 1024).toFixed(0)} KiB over the second half`,
    );
    expect(r.count).toBe(SEQUENTIAL);
    expect(r.ok + r.refused).toBe(SEQUENTIAL);
    // Bounded caches warm up in the first handshakes (a few hundred KiB); a leak of even
    // 100 bytes per handshake would show over the second half.
    expect(r.growth).toBeLessThan(4 * 1024 * 1024);
    expect(r.lateGrowth).toBeLessThan(1024 * 1024);
  }, 1_200_000);
});
