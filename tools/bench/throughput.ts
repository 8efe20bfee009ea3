// Record throughput, one direction, for each suite at 1 KiB and 16 KiB records: ours on both ends
// (per provider) and node:tls on both ends over loopback TCP, ours in memory (no sockets), and
// the provider's raw AEAD sealing and opening the same buffers. Each write is one record.
import { getRandomValues } from 'node:crypto';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { selfEncryptedTicketsFor } from '../../src/resumption/tickets.js';
import { connectPair, drain } from '../../src/testing/memory.js';
import { connect, createServer } from '../../src/node/net.js';
import { suiteByName } from '../../src/wire/codepoints.js';
import { HOST, SERVER_NAME, type Fixtures } from './fixtures.js';
import type { Cleanup } from './handshakes.js';
import { now, timedSync, type Sample, type Scenario } from './measure.js';

export const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
export const RECORD_SIZES = [1024, 16384] as const;

/** Row keys: `suite|size|node`, `suite|size|ours|<provider>` (TCP), `…|memory|<provider>`, `…|raw|<provider>`. */
export const tpKey = (suite: string, size: number, what: 'node' | 'ours' | 'memory' | 'raw', provider?: string): string =>
  `${suite}|${size}|${what}${provider ? `|${provider}` : ''}`;

/** Bytes received by a server, across its connections. */
class ByteCounter {
  total = 0;
  private waiter: { target: number; resolve: () => void } | undefined;
  add(n: number): void {
    this.total += n;
    if (this.waiter && this.total >= this.waiter.target) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve();
    }
  }
  until(target: number): Promise<void> {
    if (this.total >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench: receiver stalled at ${this.total} of ${target} bytes`)), 30_000);
      this.waiter = { target, resolve: () => (clearTimeout(timer), resolve()) };
    });
  }
}

function randomBuffer(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) getRandomValues(b.subarray(off, Math.min(n, off + 65536)));
  return b;
}

/** Sends for `ms`, then waits until the receiver has every byte; the time covers both. */
async function sendFor(ms: number, size: number, counter: ByteCounter, send: () => Promise<void> | undefined): Promise<Sample> {
  const base = counter.total;
  let sent = 0;
  const t0 = now();
  do {
    const p = send();
    if (p) await p;
    sent += size;
  } while (now() - t0 < ms);
  await counter.until(base + sent);
  return { units: sent, seconds: (now() - t0) / 1000 };
}

export async function throughputScenarios(f: Fixtures, providers: readonly CryptoProvider[], cleanups: Cleanup[]): Promise<Scenario[]> {
  const p = f.ec;
  const nodeCount = new ByteCounter();
  const sockets = new Set<Socket>();
  const ns = tls.createServer(
    { key: p.serverKeyPem, cert: p.serverChainPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ecdhCurve: 'X25519', ciphers: SUITES.join(':') },
    (s) => {
      s.on('error', () => {});
      s.on('data', (d: Buffer) => nodeCount.add(d.length));
    },
  );
  ns.on('connection', (s: Socket) => {
    s.setNoDelay(true);
    sockets.add(s);
  });
  await new Promise<void>((r) => ns.listen(0, HOST, r));
  const nodePort = (ns.address() as { port: number }).port;
  cleanups.push(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), ns.close(() => r()))));

  const ourCounts = new Map<string, ByteCounter>();
  const ourPorts = new Map<string, number>();
  for (const provider of providers) {
    const counter = new ByteCounter();
    const id = f.identity(provider, p);
    const server = createServer(
      { provider, certificateChain: p.serverChain, signingKey: id.serverKey, tickets: { count: 0, issuer: selfEncryptedTicketsFor(provider) } },
      async (s) => {
        try {
          for await (const chunk of s) counter.add(chunk.length);
        } catch {
          // dropped at cleanup
        }
      },
    );
    const { port } = await server.listen(0, HOST);
    cleanups.push(() => server.close());
    ourCounts.set(provider.name, counter);
    ourPorts.set(provider.name, port);
  }

  const scenarios: Scenario[] = [];
  for (const suite of SUITES) {
    const id = suiteByName(suite)!;
    const nodeClient = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ host: HOST, port: nodePort, servername: SERVER_NAME, ca: p.rootPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: suite }, () => resolve(s));
      s.setNoDelay(true);
      s.once('error', reject);
    });
    if (nodeClient.getCipher().standardName !== suite) throw new Error(`bench: node:tls negotiated ${nodeClient.getCipher().standardName}`);
    cleanups.push(async () => void nodeClient.destroy());
    const nodeSend = (data: Uint8Array) => (): Promise<void> | undefined => (nodeClient.write(data) ? undefined : once(nodeClient, 'drain').then(() => undefined));

    for (const size of RECORD_SIZES) {
      const data = randomBuffer(size);
      scenarios.push({ key: tpKey(suite, size, 'node'), run: (ms) => sendFor(ms, size, nodeCount, nodeSend(data)) });
    }

    for (const provider of providers) {
      const ident = f.identity(provider, p);
      const client = await connect({ provider, host: HOST, port: ourPorts.get(provider.name)!, serverName: SERVER_NAME, verifier: ident.serverVerifier, cipherSuites: [id] });
      if (client.parameters.cipherSuiteName !== suite) throw new Error(`bench: negotiated ${client.parameters.cipherSuiteName}`);
      cleanups.push(() => client.abort());
      const counter = ourCounts.get(provider.name)!;

      const pair = connectPair(
        createClientConnection({ provider, serverName: SERVER_NAME, verifier: ident.serverVerifier, cipherSuites: [id] }),
        createServerConnection({ provider, certificateChain: p.serverChain, signingKey: ident.serverKey, tickets: { count: 0 } }),
        { record: false },
      );
      await pair.handshake();

      const impl = provider.cipherSuites.find((s) => s.id === id)!;
      const aead = impl.aead.create(randomBuffer(impl.aead.keyLen));
      const nonce = new Uint8Array(12);
      const view = new DataView(nonce.buffer);
      let seq = 0;

      for (const size of RECORD_SIZES) {
        const data = randomBuffer(size);
        const aad = Uint8Array.of(23, 3, 3, (size + 17) >> 8, (size + 17) & 0xff);
        scenarios.push(
          { key: tpKey(suite, size, 'ours', provider.name), run: (ms) => sendFor(ms, size, counter, () => client.write(data)) },
          {
            key: tpKey(suite, size, 'memory', provider.name),
            run: async (ms) =>
              timedSync(ms, () => {
                pair.client.write(data);
                pair.transfer('client');
                const got = drain(pair.server).length;
                if (got !== size) throw new Error(`bench: memory pair delivered ${got} bytes, expected ${size}`);
                return got;
              }),
          },
          {
            key: tpKey(suite, size, 'raw', provider.name),
            run: async (ms) =>
              timedSync(ms, () => {
                view.setUint32(8, ++seq);
                const pt = aead.open(nonce, aad, aead.seal(nonce, aad, data));
                if (pt === null) throw new Error('bench: raw AEAD open failed');
                return pt.length;
              }),
          },
        );
      }
    }
  }
  return scenarios;
}
