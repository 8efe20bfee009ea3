// `tls13 bench`: handshakes/s and record throughput, ours vs node:tls and vs the raw AEAD,
// measured side by side in one run (round-robin samples, so machine noise hits every row alike).
// Only ratios from one run are meaningful; see bench/README.md.

import { createCipheriv, getRandomValues } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import * as tls from 'node:tls';
import type { ClientConfig, ServerConfig } from '../connection/config.js';
import { createClientConnection, createServerConnection } from '../connection/index.js';
import type { NegotiatedParameters } from '../connection/types.js';
import { nobleProvider, signingKeyFromMaterial } from '../crypto/noble/index.js';
import type { CipherSuiteImpl, PublicKey, SigningKey } from '../crypto/provider.js';
import type { TlsStream } from '../transport/driver.js';
import { connectPair, drain } from '../transport/memory.js';
import { connect, createServer, type TlsServer } from '../transport/node.js';
import { NamedGroup, SignatureScheme } from '../wire/codepoints.js';
import { mintTestPki, type TestPki } from '../x509/mint.js';
import { WebPkiServerVerifier, type ServerCertificateVerifier } from '../x509/verify.js';

export interface BenchOptions {
  quick: boolean;
  /** Write the results as JSON to this file. */
  json?: string;
}

interface Budget {
  warmupMs: number;
  sampleMs: number;
  samples: number;
}
const QUICK: Budget = { warmupMs: 100, sampleMs: 250, samples: 2 };
const FULL: Budget = { warmupMs: 500, sampleMs: 1000, samples: 3 };

const WRITE_SIZE = 16 * 1024;
const HOST = '127.0.0.1';
const SERVER_NAME = 'localhost';
const HANDSHAKE_SUITE = 'TLS_AES_128_GCM_SHA256';
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
type SuiteName = (typeof SUITES)[number];
const NATIVE_AEAD: Record<SuiteName, 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'> = {
  TLS_AES_128_GCM_SHA256: 'aes-128-gcm',
  TLS_AES_256_GCM_SHA384: 'aes-256-gcm',
  TLS_CHACHA20_POLY1305_SHA256: 'chacha20-poly1305',
};

// ---------------------------------------------------------------- measuring

interface Sample {
  /** Handshakes or bytes. */
  units: number;
  seconds: number;
}

interface Scenario {
  key: string;
  /** Runs for at least `ms` (and at least one unit of work). */
  run(ms: number): Promise<Sample>;
}

export interface Measurement {
  /** Median of the samples, per second (handshakes/s, or MB/s = 10^6 bytes/s). */
  rate: number;
  min: number;
  max: number;
  samples: number[];
}

const now = (): number => performance.now();

async function timedAsync(ms: number, op: () => Promise<void>): Promise<Sample> {
  const t0 = now();
  let n = 0;
  do {
    await op();
    n++;
  } while (now() - t0 < ms);
  return { units: n, seconds: (now() - t0) / 1000 };
}

function timedSync(ms: number, op: () => number): Sample {
  const t0 = now();
  let units = 0;
  do units += op();
  while (now() - t0 < ms);
  return { units, seconds: (now() - t0) / 1000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Warm-up, then `samples` rounds in which every scenario runs once, in turn. */
async function measureAll(scenarios: Scenario[], budget: Budget, scale: number, progress: (s: string) => void): Promise<Record<string, Measurement>> {
  for (const s of scenarios) await s.run(budget.warmupMs);
  const rates = new Map<string, number[]>(scenarios.map((s) => [s.key, []]));
  for (let i = 0; i < budget.samples; i++) {
    progress(`sample ${i + 1}/${budget.samples}`);
    for (const s of scenarios) {
      const r = await s.run(budget.sampleMs);
      rates.get(s.key)!.push(r.units / r.seconds / scale);
    }
  }
  const out: Record<string, Measurement> = {};
  for (const [key, xs] of rates) out[key] = { rate: median(xs), min: Math.min(...xs), max: Math.max(...xs), samples: xs };
  return out;
}

// ---------------------------------------------------------------- fixtures

interface Fixture {
  pki: TestPki;
  rootPem: string;
  chainPem: string;
  chainDer: Uint8Array[];
  signingKey: SigningKey;
  verifier: ServerCertificateVerifier;
}

async function fixture(): Promise<Fixture> {
  const pki = await mintTestPki({ keyType: 'p256', serverNames: [SERVER_NAME, HOST] });
  return {
    pki,
    rootPem: pki.root.certPem,
    chainPem: pki.server.certPem + pki.intermediate.certPem,
    chainDer: [pki.server.certDer, pki.intermediate.certDer],
    signingKey: signingKeyFromMaterial(pki.server.key),
    verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
  };
}

function suiteImpl(name: string): CipherSuiteImpl {
  const s = nobleProvider.cipherSuites.find((c) => c.name === name);
  if (!s) throw new Error(`provider has no ${name}`);
  return s;
}

function ourClientConfig(f: Fixture, suite: string): ClientConfig {
  return { serverName: SERVER_NAME, verifier: f.verifier, groups: [NamedGroup.x25519], cipherSuites: [suiteImpl(suite).id] };
}

function ourServerConfig(f: Fixture, suites: readonly string[]): ServerConfig {
  return {
    certificateChain: f.chainDer,
    signingKey: f.signingKey,
    groups: [NamedGroup.x25519],
    cipherSuites: suites.map((s) => suiteImpl(s).id),
  };
}

function nodeClientOptions(f: Fixture, port: number, suite: string): tls.ConnectionOptions {
  return {
    host: HOST,
    port,
    servername: SERVER_NAME,
    ca: f.rootPem,
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    ecdhCurve: 'X25519',
    ciphers: suite, // node routes TLS_* names to the TLS 1.3 suite list
  };
}

/** Throws unless we negotiated what the bench claims to measure. */
function checkOurs(p: Partial<NegotiatedParameters>, suite: string): void {
  const got = `${p.version} ${p.cipherSuiteName} ${p.groupName} ${p.signatureSchemeName}`;
  const want = `TLSv1.3 ${suite} x25519 ecdsa_secp256r1_sha256`;
  if (got !== want) throw new Error(`bench: negotiated ${got}, expected ${want}`);
}

function checkNode(s: tls.TLSSocket, suite: string, client: boolean): void {
  const key = client ? s.getEphemeralKeyInfo() : undefined;
  const got = `${s.getProtocol()} ${s.getCipher().standardName}${client ? ` ${'name' in key! ? key.name : '?'}` : ''}`;
  const want = `TLSv1.3 ${suite}${client ? ' X25519' : ''}`;
  if (got !== want) throw new Error(`bench: node:tls negotiated ${got}, expected ${want}`);
}

/** Server-side handshake completions, awaited one at a time by the sequential client loop. */
class Completions {
  private ready = 0;
  private waiter: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  done(): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w.resolve();
    else this.ready++;
  }
  fail(err: unknown): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }
  next(): Promise<void> {
    if (this.ready > 0) {
      this.ready--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error('bench: server handshake did not complete within 10 s')), 10_000);
      this.waiter = {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }
}

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
  /** Resolves once `target` bytes arrived; rejects after 30 s. */
  until(target: number): Promise<void> {
    if (this.total >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench: receiver stalled at ${this.total} of ${target} bytes`)), 30_000);
      this.waiter = { target, resolve: () => (clearTimeout(timer), resolve()) };
    });
  }
}

interface NodeServer {
  port: number;
  close(): Promise<void>;
}

async function nodeServer(f: Fixture, suites: readonly string[], onSecure: (s: tls.TLSSocket) => void, onError: (e: unknown) => void): Promise<NodeServer> {
  const sockets = new Set<Socket>();
  const server = tls.createServer(
    { key: f.pki.server.keyPem, cert: f.chainPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ecdhCurve: 'X25519', ciphers: suites.join(':') },
    (s) => {
      s.on('error', () => {});
      onSecure(s);
    },
  );
  server.on('connection', (s: Socket) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', onError);
  server.listen(0, HOST);
  await once(server, 'listening');
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('bench: unexpected server address');
  return {
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function ourServer(config: ServerConfig, onSecure: (s: TlsStream) => void | Promise<void>, onError: (e: unknown) => void): Promise<TlsServer & { port: number }> {
  const server = createServer(config, onSecure, { onError });
  const { port } = await server.listen(0, HOST);
  return Object.assign(server, { port });
}

function nodeConnect(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect(options, () => {
      s.off('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

// ---------------------------------------------------------------- handshakes

export const HANDSHAKE_KEYS = ['node-node', 'ours-node', 'node-ours', 'ours-ours', 'ours-ours-memory', 'crypto-floor'] as const;

interface Cleanup {
  (): Promise<void>;
}

async function handshakeScenarios(f: Fixture, cleanups: Cleanup[]): Promise<Scenario[]> {
  const suite = HANDSHAKE_SUITE;
  // Every handshake waits for both sides to complete; both then drop the connection without close_notify.
  const nodeDone = new Completions();
  const ns = await nodeServer(f, [suite], (s) => (nodeDone.done(), s.destroy()), (e) => nodeDone.fail(e));
  cleanups.push(ns.close);
  const ourDone = new Completions();
  const os_ = await ourServer(ourServerConfig(f, [suite]), (s) => (ourDone.done(), void s.abort()), (e) => ourDone.fail(e));
  cleanups.push(() => os_.close());

  const nodeClient = async (port: number, done: Completions, check: boolean): Promise<void> => {
    const server = done.next();
    const s = await nodeConnect(nodeClientOptions(f, port, suite));
    if (check) checkNode(s, suite, true);
    await server;
    s.destroy();
  };
  const ourClient = async (port: number, done: Completions, check: boolean): Promise<void> => {
    const server = done.next();
    const s = await connect({ ...ourClientConfig(f, suite), host: HOST, port });
    if (check) checkOurs(s.parameters, suite);
    await server;
    void s.abort();
  };
  const tcp = (key: string, client: typeof nodeClient, port: number, done: Completions): Scenario => {
    let first = true;
    return {
      key,
      run: (ms) =>
        timedAsync(ms, () => {
          const check = first;
          first = false;
          return client(port, done, check);
        }),
    };
  };

  const memory: Scenario = {
    key: 'ours-ours-memory',
    run: (ms) =>
      timedAsync(ms, async () => {
        const pair = connectPair(createClientConnection(ourClientConfig(f, suite)), createServerConnection(ourServerConfig(f, [suite])), { record: false });
        const p = await pair.handshake();
        checkOurs(p.client, suite);
      }),
  };

  // The public-key operations of one full handshake, straight from the provider.
  const x25519 = nobleProvider.groups.find((g) => g.id === NamedGroup.x25519)!;
  const signer = f.signingKey.signer(SignatureScheme.ecdsa_secp256r1_sha256);
  const leafKey: PublicKey = f.pki.server.cert.publicKey;
  const message = new Uint8Array(130).fill(0x20);
  const floor: Scenario = {
    key: 'crypto-floor',
    run: async (ms) =>
      timedSync(ms, () => {
        const a = x25519.start(nobleProvider.random);
        const b = x25519.start(nobleProvider.random);
        a.complete(b.publicKey);
        b.complete(a.publicKey);
        const sig = signer.sign(message);
        if (sig instanceof Promise) throw new Error('bench: expected a synchronous signer');
        let ok = true;
        for (let i = 0; i < 3; i++) ok &&= nobleProvider.verifier.verify(SignatureScheme.ecdsa_secp256r1_sha256, leafKey, message, sig);
        if (!ok) throw new Error('bench: signature did not verify');
        return 1;
      }),
  };

  return [
    tcp('node-node', nodeClient, ns.port, nodeDone),
    tcp('ours-node', ourClient, ns.port, nodeDone),
    tcp('node-ours', nodeClient, os_.port, ourDone),
    tcp('ours-ours', ourClient, os_.port, ourDone),
    memory,
    floor,
  ];
}

// ---------------------------------------------------------------- throughput

export const THROUGHPUT_KEYS = ['node-node', 'ours-node', 'node-ours', 'ours-memory', 'raw-seal', 'raw-seal-open', 'native-seal'] as const;

function randomBuffer(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) getRandomValues(b.subarray(off, Math.min(n, off + 65536)));
  return b;
}

/** Sends for `ms`, then waits until the receiver has every byte; the time covers both. */
async function sendFor(ms: number, counter: ByteCounter, send: () => Promise<void> | undefined): Promise<Sample> {
  const base = counter.total;
  let sent = 0;
  const t0 = now();
  do {
    const p = send();
    if (p) await p;
    sent += WRITE_SIZE;
  } while (now() - t0 < ms);
  await counter.until(base + sent);
  return { units: sent, seconds: (now() - t0) / 1000 };
}

async function throughputScenarios(f: Fixture, cleanups: Cleanup[]): Promise<Scenario[]> {
  const data = randomBuffer(WRITE_SIZE);
  const nodeCount = new ByteCounter();
  const ns = await nodeServer(f, SUITES, (s) => s.on('data', (d: Buffer) => nodeCount.add(d.length)), () => {});
  cleanups.push(ns.close);
  const ourCount = new ByteCounter();
  let serverError: unknown;
  const os_ = await ourServer(
    ourServerConfig(f, SUITES),
    async (s) => {
      for await (const c of s) ourCount.add(c.length);
    },
    (e) => (serverError ??= e),
  );
  cleanups.push(() => os_.close());

  const scenarios: Scenario[] = [];
  for (const suite of SUITES) {
    const impl = suiteImpl(suite);

    const nodeToNode = await nodeConnect(nodeClientOptions(f, ns.port, suite));
    checkNode(nodeToNode, suite, true);
    const nodeToOurs = await nodeConnect(nodeClientOptions(f, os_.port, suite));
    checkNode(nodeToOurs, suite, true);
    const oursToNode = await connect({ ...ourClientConfig(f, suite), host: HOST, port: ns.port });
    checkOurs(oursToNode.parameters, suite);
    cleanups.push(async () => {
      nodeToNode.destroy();
      nodeToOurs.destroy();
      await oursToNode.abort();
    });
    const nodeSend = (s: tls.TLSSocket) => (): Promise<void> | undefined => (s.write(data) ? undefined : once(s, 'drain').then(() => undefined));

    const pair = connectPair(createClientConnection(ourClientConfig(f, suite)), createServerConnection(ourServerConfig(f, [suite])), { record: false });
    checkOurs((await pair.handshake()).client, suite);

    const key = randomBuffer(impl.aead.keyLen);
    const aead = impl.aead.create(key);
    const nonce = new Uint8Array(12);
    const nonceView = new DataView(nonce.buffer);
    const aad = Uint8Array.of(23, 3, 3, (WRITE_SIZE + 17) >> 8, (WRITE_SIZE + 17) & 0xff);
    let seq = 0;
    const nextNonce = (): Uint8Array => (nonceView.setUint32(8, ++seq), nonce);
    const nativeName = NATIVE_AEAD[suite];

    scenarios.push(
      { key: `${suite}/node-node`, run: (ms) => sendFor(ms, nodeCount, nodeSend(nodeToNode)) },
      {
        key: `${suite}/ours-node`,
        run: (ms) => sendFor(ms, nodeCount, () => oursToNode.write(data)),
      },
      {
        key: `${suite}/node-ours`,
        run: async (ms) => {
          const r = await sendFor(ms, ourCount, nodeSend(nodeToOurs));
          if (serverError !== undefined) throw serverError;
          return r;
        },
      },
      {
        key: `${suite}/ours-memory`,
        run: async (ms) =>
          timedSync(ms, () => {
            pair.client.write(data);
            pair.transfer('client');
            const got = drain(pair.server).length;
            if (got !== WRITE_SIZE) throw new Error(`bench: memory pair delivered ${got} bytes, expected ${WRITE_SIZE}`);
            return got;
          }),
      },
      {
        key: `${suite}/raw-seal`,
        run: async (ms) => timedSync(ms, () => aead.seal(nextNonce(), aad, data).length - 16),
      },
      {
        key: `${suite}/raw-seal-open`,
        run: async (ms) =>
          timedSync(ms, () => {
            const n = nextNonce();
            const pt = aead.open(n, aad, aead.seal(n, aad, data));
            if (pt === null) throw new Error('bench: raw AEAD open failed');
            return pt.length;
          }),
      },
      {
        key: `${suite}/native-seal`,
        run: async (ms) =>
          timedSync(ms, () => {
            const c =
              nativeName === 'chacha20-poly1305'
                ? createCipheriv(nativeName, key, nextNonce(), { authTagLength: 16 })
                : createCipheriv(nativeName, key, nextNonce(), { authTagLength: 16 });
            c.setAAD(aad, { plaintextLength: WRITE_SIZE });
            const n = c.update(data).length + c.final().length;
            c.getAuthTag();
            return n;
          }),
      },
    );
  }
  return scenarios;
}

// ---------------------------------------------------------------- report

export interface BenchResults {
  version: 1;
  mode: 'quick' | 'full';
  date: string;
  machine: {
    cpu: string;
    cores: number;
    node: string;
    openssl: string;
    platform: string;
    arch: string;
    loadavgBefore: number[];
    loadavgAfter: number[];
  };
  settings: Budget & { writeSize: number; handshakeSuite: string; group: 'x25519'; certificate: string };
  /** handshakes/s by scenario (HANDSHAKE_KEYS). */
  handshakes: Record<string, Measurement>;
  /** MB/s (10^6 bytes/s) by suite, then scenario (THROUGHPUT_KEYS). */
  throughput: Record<string, Record<string, Measurement>>;
  ratios: {
    handshakes: Record<string, number>;
    throughput: Record<string, Record<string, number>>;
  };
}

const HANDSHAKE_LABELS: Record<(typeof HANDSHAKE_KEYS)[number], string> = {
  'node-node': 'node:tls client ↔ node:tls server  TCP',
  'ours-node': 'our client ↔ node:tls server      TCP',
  'node-ours': 'node:tls client ↔ our server      TCP',
  'ours-ours': 'our client ↔ our server           TCP',
  'ours-ours-memory': 'our client ↔ our server           memory',
  'crypto-floor': 'crypto floor (noble: 2×x25519 keygen+DH, 1 ECDSA sign, 3 verify)',
};

function table(rows: string[][], align: ('l' | 'r')[]): string {
  const widths = align.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i]! - [...cell].length);
          return align[i] === 'r' ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const fmtRate = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmtRatio = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : x >= 10 ? `${x.toFixed(1)}×` : `${x.toFixed(2)}×`);
const spread = (m: Measurement): string => (m.samples.length < 2 || m.rate === 0 ? '' : `±${(((m.max - m.min) / 2 / m.rate) * 100).toFixed(0)}%`);

function ratios(h: Record<string, Measurement>, t: Record<string, Record<string, Measurement>>): BenchResults['ratios'] {
  const r = (a: Measurement | undefined, b: Measurement | undefined): number => (a && b ? a.rate / b.rate : NaN);
  const handshakes: Record<string, number> = {
    'ours-node/node-node': r(h['ours-node'], h['node-node']),
    'node-ours/node-node': r(h['node-ours'], h['node-node']),
    'ours-ours/node-node': r(h['ours-ours'], h['node-node']),
    'ours-ours-memory/crypto-floor': r(h['ours-ours-memory'], h['crypto-floor']),
  };
  const throughput: Record<string, Record<string, number>> = {};
  for (const [suite, m] of Object.entries(t))
    throughput[suite] = {
      'ours-node/node-node': r(m['ours-node'], m['node-node']),
      'node-ours/node-node': r(m['node-ours'], m['node-node']),
      'ours-memory/raw-seal-open': r(m['ours-memory'], m['raw-seal-open']),
      'ours-node/raw-seal': r(m['ours-node'], m['raw-seal']),
      'raw-seal/native-seal': r(m['raw-seal'], m['native-seal']),
    };
  return { handshakes, throughput };
}

export function formatReport(res: BenchResults): string {
  const m = res.machine;
  const s = res.settings;
  const lines: string[] = [];
  lines.push(`tls13 bench (${res.mode}): ${m.cpu}, ${m.cores} cores, node ${m.node} (OpenSSL ${m.openssl}), ${m.platform}/${m.arch}`);
  lines.push(`load average before/after: ${m.loadavgBefore.map((x) => x.toFixed(2)).join(' ')} / ${m.loadavgAfter.map((x) => x.toFixed(2)).join(' ')}`);
  lines.push(`${s.samples} sample(s) × ${s.sampleMs} ms per row after ${s.warmupMs} ms warm-up, rows interleaved; median shown, ± is half the sample range.`);
  lines.push('Everything runs in this one process, on one thread: both ends of every connection count.');
  lines.push('');
  lines.push(`Handshakes per second, sequential: full handshake, ${s.group}, ${s.handshakeSuite}, ${s.certificate}, chain verified by the client`);
  const hr = res.ratios.handshakes;
  const hRatio: Record<string, string> = {
    'ours-node': `${fmtRatio(hr['ours-node/node-node'])} of node↔node`,
    'node-ours': `${fmtRatio(hr['node-ours/node-node'])} of node↔node`,
    'ours-ours': `${fmtRatio(hr['ours-ours/node-node'])} of node↔node`,
    'ours-ours-memory': `${fmtRatio(hr['ours-ours-memory/crypto-floor'])} of crypto floor`,
  };
  const hRows = [['scenario', 'hs/s', '', 'ratio']];
  for (const k of HANDSHAKE_KEYS) {
    const x = res.handshakes[k];
    if (x) hRows.push([HANDSHAKE_LABELS[k], fmtRate(x.rate), spread(x), hRatio[k] ?? '']);
  }
  lines.push(table(hRows, ['l', 'r', 'l', 'l']));
  lines.push('');
  lines.push(`Record throughput, MB/s (10^6 bytes/s), ${s.writeSize}-byte application writes, one direction`);
  const tRows = [['suite', 'node↔node', 'ours→node', 'node→ours', 'ours mem', 'raw seal', 'raw s+o', 'native seal']];
  const rRows = [['suite', 'ours→node / node↔node', 'node→ours / node↔node', 'ours mem / raw s+o', 'ours→node / raw seal', 'raw seal / native seal']];
  for (const [suite, ms] of Object.entries(res.throughput)) {
    const r = res.ratios.throughput[suite] ?? {};
    const cell = (k: string): string => {
      const x = ms[k];
      return x ? fmtRate(x.rate) + (spread(x) ? ` ${spread(x)}` : '') : '-';
    };
    tRows.push([suite, ...THROUGHPUT_KEYS.map(cell)]);
    rRows.push([suite, ...['ours-node/node-node', 'node-ours/node-node', 'ours-memory/raw-seal-open', 'ours-node/raw-seal', 'raw-seal/native-seal'].map((k) => fmtRatio(r[k]))]);
  }
  lines.push(table(tRows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']));
  lines.push('');
  lines.push(table(rRows, ['l', 'r', 'r', 'r', 'r', 'r']));
  lines.push('');
  lines.push('ours→node: our client sends to a node:tls server over TCP (we seal, node opens); node→ours: node seals, we open.');
  lines.push('ours mem: client.write → takeOutput → server.receive → read, in memory: seal + open, hence against raw s+o.');
  lines.push('raw: the provider\'s AeadKey.seal (and .open) on the same 16 KiB; native: node:crypto createCipheriv.');
  return lines.join('\n');
}

// ---------------------------------------------------------------- entry

export async function runBench(io: { stdout: Writable; stderr: Writable }, options: BenchOptions): Promise<number> {
  const budget = options.quick ? QUICK : FULL;
  const log = (line: string): void => void io.stderr.write(`bench: ${line}\n`);
  const loadavgBefore = os.loadavg();
  const cleanups: Cleanup[] = [];
  try {
    const f = await fixture();
    log(`handshakes (${HANDSHAKE_KEYS.length} rows)`);
    const handshakes = await measureAll(await handshakeScenarios(f, cleanups), budget, 1, (p) => log(`handshakes: ${p}`));
    log(`throughput (${SUITES.length} suites × ${THROUGHPUT_KEYS.length} rows)`);
    const flat = await measureAll(await throughputScenarios(f, cleanups), budget, 1e6, (p) => log(`throughput: ${p}`));
    const throughput: Record<string, Record<string, Measurement>> = {};
    for (const [k, v] of Object.entries(flat)) {
      const [suite, row] = k.split('/') as [string, string];
      (throughput[suite] ??= {})[row] = v;
    }
    const cpus = os.cpus();
    const res: BenchResults = {
      version: 1,
      mode: options.quick ? 'quick' : 'full',
      date: new Date().toISOString(),
      machine: {
        cpu: cpus[0]?.model.trim() ?? 'unknown',
        cores: cpus.length,
        node: process.version,
        openssl: process.versions.openssl ?? 'unknown',
        platform: process.platform,
        arch: process.arch,
        loadavgBefore,
        loadavgAfter: os.loadavg(),
      },
      settings: { ...budget, writeSize: WRITE_SIZE, handshakeSuite: HANDSHAKE_SUITE, group: 'x25519', certificate: 'ECDSA P-256 leaf + intermediate' },
      handshakes,
      throughput,
      ratios: ratios(handshakes, throughput),
    };
    io.stdout.write(`${formatReport(res)}\n`);
    if (options.json !== undefined) {
      writeFileSync(options.json, `${JSON.stringify(res, null, 2)}\n`);
      log(`results written to ${options.json}`);
    }
    return 0;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}
