// Handshakes per second over loopback TCP, for each case and role, ours (per provider) against
// node:tls, and node:tls on both ends; sequential and with 8 concurrent connections.
//
// One handshake = TCP connect until the client holds the server's first application byte, which
// the server writes once its side of the handshake completed (after its session tickets). So both
// sides have finished, and a resuming client has its next ticket. Then the client drops the
// connection (no close_notify) and the server follows.
import { constants } from 'node:crypto';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import type { NegotiatedParameters } from '../../src/connection/types.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { MemoryAntiReplay } from '../../src/resumption/anti-replay.js';
import { selfEncryptedTicketsFor } from '../../src/resumption/tickets.js';
import type { ClientSession } from '../../src/resumption/types.js';
import type { TlsStream } from '../../src/io/stream.js';
import { connect, createServer } from '../../src/node/net.js';
import { CipherSuite, NamedGroup, PskKeyExchangeMode } from '../../src/wire/codepoints.js';
import { HOST, SERVER_NAME, type Fixtures, type Pki } from './fixtures.js';
import { concurrently, type Scenario } from './measure.js';

export const CASES = ['full', 'rsa', 'hrr', 'psk_dhe_ke', 'psk_ke', '0rtt', 'mtls'] as const;
export type CaseName = (typeof CASES)[number];
export const CONCURRENCY = [1, 8] as const;
export type Role = 'client' | 'server' | 'both';

export const CASE_LABELS: Record<CaseName, string> = {
  full: 'full, x25519 + ECDSA P-256',
  rsa: 'full, x25519 + RSA-2048',
  hrr: 'HelloRetryRequest (x25519 → P-256)',
  psk_dhe_ke: 'resumption, psk_dhe_ke',
  psk_ke: 'resumption, psk_ke',
  '0rtt': '0-RTT (resumption + early data)',
  mtls: 'mutual TLS, ECDSA P-256 both ways',
};

/**
 * What node:tls on both ends is compared with, per case: itself, except where OpenSSL 3.0 cannot
 * do the case on both ends (no 0-RTT in node:tls; a node:tls client always offers psk_dhe_ke
 * too, and an OpenSSL 3.0 server then prefers it): there its psk_dhe_ke resumption stands in.
 */
export const NODE_BASELINE: Record<CaseName, CaseName> = {
  full: 'full',
  rsa: 'rsa',
  hrr: 'hrr',
  psk_dhe_ke: 'psk_dhe_ke',
  psk_ke: 'psk_dhe_ke',
  '0rtt': 'psk_dhe_ke',
  mtls: 'mtls',
};

/** Row keys: `case|c<n>|node` (node:tls both ends) and `case|c<n>|<role>|<provider>`. */
export const nodeKey = (c: CaseName, conc: number): string => `${c}|c${conc}|node`;
export const oursKey = (c: CaseName, conc: number, role: Role, provider: string): string => `${c}|c${conc}|${role}|${provider}`;
/** 0-RTT needs a server that accepts early data: ours on both ends. Every other case runs ours against node:tls, both ways. */
export const rolesOf = (c: CaseName): Role[] => (c === '0rtt' ? ['both'] : ['client', 'server']);

const SUITE = 'TLS_AES_128_GCM_SHA256';
const EARLY = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
const ONE = Uint8Array.of(0x2a);

const isResumption = (c: CaseName): boolean => c === 'psk_dhe_ke' || c === 'psk_ke' || c === '0rtt';
const pkiOf = (f: Fixtures, c: CaseName): Pki => (c === 'rsa' ? f.rsa : f.ec);

// ---------------------------------------------------------------- servers

interface Server {
  port: number;
  close(): Promise<void>;
}

/** Failures on the server side of a row; the row throws the first one. */
class Failures {
  first: unknown;
  add(e: unknown): void {
    this.first ??= e;
  }
  check(): void {
    if (this.first !== undefined) throw this.first;
  }
}

function nodeServerOptions(f: Fixtures, c: CaseName): tls.TlsOptions {
  const p = pkiOf(f, c);
  const o: tls.TlsOptions = {
    key: p.serverKeyPem,
    cert: p.serverChainPem,
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    ciphers: SUITE,
    ecdhCurve: c === 'hrr' ? 'P-256' : 'X25519',
  };
  if (c === 'psk_ke') o.secureOptions = constants.SSL_OP_ALLOW_NO_DHE_KEX;
  if (c === 'mtls') Object.assign(o, { requestCert: true, rejectUnauthorized: true, ca: p.rootPem });
  return o;
}

async function nodeServer(f: Fixtures, c: CaseName, failures: Failures): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = tls.createServer(nodeServerOptions(f, c), (s) => {
    s.on('error', () => {});
    s.on('end', () => s.destroy());
    s.resume();
    s.write(ONE);
  });
  server.on('connection', (s: Socket) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', (e: Error) => {
    // A client that drops the connection right after the byte can race the tickets: not a failure.
    if (!/ECONNRESET|socket hang up|EPIPE/.test(e.message)) failures.add(e);
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function ourServerConfig(f: Fixtures, c: CaseName, provider: CryptoProvider): ServerConfig {
  const p = pkiOf(f, c);
  const id = f.identity(provider, p);
  const config: ServerConfig = {
    provider,
    certificateChain: p.serverChain,
    signingKey: id.serverKey,
    groups: [c === 'hrr' ? NamedGroup.secp256r1 : NamedGroup.x25519],
    cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256],
    tickets: { issuer: selfEncryptedTicketsFor(provider) },
  };
  if (c === 'psk_ke') config.pskModes = [PskKeyExchangeMode.psk_ke];
  if (c === '0rtt') config.earlyData = { maxEarlyDataSize: 16384, antiReplay: new MemoryAntiReplay() };
  if (c === 'mtls') config.clientAuth = { mode: 'required', verifier: id.clientVerifier };
  return config;
}

async function ourServer(f: Fixtures, c: CaseName, provider: CryptoProvider, failures: Failures): Promise<Server> {
  const server = createServer(
    ourServerConfig(f, c, provider),
    async (s) => {
      try {
        await s.write(ONE);
        await s.read(); // until the client goes
      } catch {
        // the client dropped the connection
      }
      void s.abort();
    },
    { onError: (e) => failures.add(e) },
  );
  const { port } = await server.listen(0, HOST);
  return { port, close: () => server.close() };
}

// ---------------------------------------------------------------- clients

/** A client loop's state: the session it resumes next (the newest ticket of its last handshake). */
interface ClientState {
  nodeSession?: Buffer;
  ourSession?: ClientSession;
}

type Handshake = (state: ClientState, check: boolean) => Promise<void>;

function nodeClient(f: Fixtures, c: CaseName, port: number): Handshake {
  const p = pkiOf(f, c);
  return (state, check) =>
    new Promise<void>((resolve, reject) => {
      const o: tls.ConnectionOptions = {
        host: HOST,
        port,
        servername: SERVER_NAME,
        ca: p.rootPem,
        minVersion: 'TLSv1.3',
        maxVersion: 'TLSv1.3',
        ciphers: SUITE,
        ecdhCurve: c === 'hrr' ? 'X25519:P-256' : 'X25519', // OpenSSL sends a key share for the first only
      };
      if (isResumption(c) && state.nodeSession) o.session = state.nodeSession;
      if (c === 'psk_ke') o.secureOptions = constants.SSL_OP_ALLOW_NO_DHE_KEX;
      if (c === 'mtls') Object.assign(o, { cert: p.clientChainPem, key: p.clientKeyPem });
      const s = tls.connect(o);
      s.setNoDelay(true);
      s.once('error', reject);
      s.on('session', (session: Buffer) => (state.nodeSession = session));
      s.once('data', () => {
        try {
          if (check) checkNode(s, c, o.session !== undefined);
          resolve();
        } catch (e) {
          reject(e);
        } finally {
          s.destroy();
        }
      });
    });
}

function ourClientConfig(f: Fixtures, c: CaseName, provider: CryptoProvider, state: ClientState): ClientConfig {
  const p = pkiOf(f, c);
  const id = f.identity(provider, p);
  const config: ClientConfig = {
    provider,
    serverName: SERVER_NAME,
    verifier: id.serverVerifier,
    groups: c === 'hrr' ? [NamedGroup.x25519, NamedGroup.secp256r1] : [NamedGroup.x25519],
    keyShareGroups: [NamedGroup.x25519],
    cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256],
    onSession: (s) => (state.ourSession = s),
  };
  if (isResumption(c) && state.ourSession) {
    config.session = state.ourSession;
    if (c === 'psk_ke') config.pskModes = [PskKeyExchangeMode.psk_ke];
    if (c === '0rtt') config.earlyData = EARLY;
  }
  if (c === 'mtls') config.clientCertificates = [id.clientCertificate];
  return config;
}

function ourClient(f: Fixtures, c: CaseName, provider: CryptoProvider, port: number): Handshake {
  return async (state, check) => {
    const config = ourClientConfig(f, c, provider, state);
    const s: TlsStream = await connect({ ...config, host: HOST, port });
    try {
      const first = await s.read();
      if (first === null) throw new Error('bench: the server closed before its first byte');
      if (check) checkOurs(s.parameters, c, config.session !== undefined);
    } finally {
      void s.abort();
    }
  };
}

// ---------------------------------------------------------------- checks (first handshake of every row)

function checkOurs(p: Partial<NegotiatedParameters>, c: CaseName, resuming: boolean): void {
  const want = {
    version: 'TLSv1.3',
    cipherSuiteName: SUITE,
    groupName: c === 'hrr' ? 'secp256r1' : c === 'psk_ke' ? undefined : 'x25519',
    helloRetryRequest: c === 'hrr',
    resumed: resuming,
    earlyData: c === '0rtt' && resuming ? 'accepted' : 'none',
    signatureSchemeName: resuming ? undefined : c === 'rsa' ? 'rsa_pss_rsae_sha256' : 'ecdsa_secp256r1_sha256',
  };
  const got = {
    version: p.version,
    cipherSuiteName: p.cipherSuiteName,
    groupName: p.groupName,
    helloRetryRequest: p.helloRetryRequest,
    resumed: p.resumed,
    earlyData: p.earlyData,
    signatureSchemeName: p.signatureSchemeName,
  };
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`bench ${c}: negotiated ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
}

function checkNode(s: tls.TLSSocket, c: CaseName, resuming: boolean): void {
  const key = s.getEphemeralKeyInfo();
  const group = key && 'name' in key ? key.name : undefined;
  const got = { protocol: s.getProtocol(), cipher: s.getCipher().standardName, reused: s.isSessionReused(), group };
  const want = {
    protocol: 'TLSv1.3',
    cipher: SUITE,
    reused: resuming,
    group: c === 'hrr' ? 'prime256v1' : c === 'psk_ke' && resuming ? undefined : 'X25519',
  };
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`bench ${c}: node:tls negotiated ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
}

// ---------------------------------------------------------------- scenarios

/** A row: `conc` client loops, each primed with a session first when the case resumes. */
function row(key: string, c: CaseName, conc: number, handshake: Handshake, failures: Failures): Scenario {
  const states: ClientState[] = Array.from({ length: conc }, () => ({}));
  let first = true;
  return {
    key,
    async run(ms) {
      if (first) {
        // Prime every loop (a full handshake gives the first ticket), then check the case itself once.
        if (isResumption(c)) for (const st of states) await handshake(st, false);
        await handshake(states[0]!, true);
        first = false;
      }
      const sample = await concurrently(ms, states, (st) => handshake(st, false));
      failures.check();
      return sample;
    },
  };
}

export type Cleanup = () => Promise<void>;

export async function handshakeScenarios(f: Fixtures, providers: readonly CryptoProvider[], cleanups: Cleanup[]): Promise<Scenario[]> {
  const failures = new Failures();
  const scenarios: Scenario[] = [];
  const nodeServers = new Map<CaseName, Server>();
  const ourServers = new Map<string, Server>();
  // node:tls servers for every case it can serve (not 0-RTT), with that case's options.
  for (const c of CASES) if (c !== '0rtt') nodeServers.set(c, await nodeServer(f, c, failures));
  for (const s of nodeServers.values()) cleanups.push(s.close);
  for (const c of CASES) for (const p of providers) {
    const s = await ourServer(f, c, p, failures);
    ourServers.set(`${c}/${p.name}`, s);
    cleanups.push(s.close);
  }
  for (const conc of CONCURRENCY) {
    for (const c of CASES) {
      if (NODE_BASELINE[c] === c) scenarios.push(row(nodeKey(c, conc), c, conc, nodeClient(f, c, nodeServers.get(c)!.port), failures));
      for (const p of providers) {
        const ours = ourServers.get(`${c}/${p.name}`)!;
        for (const role of rolesOf(c)) {
          const h =
            role === 'server'
              ? nodeClient(f, c, ours.port) // node:tls client → our server
              : role === 'client'
                ? ourClient(f, c, p, nodeServers.get(c)!.port) // our client → node:tls server
                : ourClient(f, c, p, ours.port); // ours on both ends
          scenarios.push(row(oursKey(c, conc, role, p.name), c, conc, h, failures));
        }
      }
    }
  }
  return scenarios;
}
