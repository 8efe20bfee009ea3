// Resumption, external PSKs and 0-RTT through the engine, in memory: tickets issued and
// redeemed, psk_dhe_ke and psk_ke, binders, 0-RTT accepted / rejected / replayed, the
// anti-replay window and its limits.

import { beforeAll, describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import type { Connection } from '../../src/connection/types.js';
import { AlertDescription as A, PeerAlertError, TlsError } from '../../src/errors.js';
import { nobleProvider, signingKeyFromMaterial } from '../../src/crypto/noble/index.js';
import { mintTestPki, type TestPki } from '../../src/testing/mint.js';
import { WebPkiServerVerifier } from '../../src/x509/verify.js';
import { MemoryAntiReplay, MemorySessionCache, SelfEncryptedTickets, StatefulTicketStore } from '../../src/resumption/index.js';
import type { ClientSession } from '../../src/resumption/types.js';
import { HandshakeType, NamedGroup, PskKeyExchangeMode } from '../../src/wire/codepoints.js';
import { bytesEqual, utf8 } from '../../src/util/bytes.js';
import { runPair } from '../helpers/scripted.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await mintTestPki({ keyType: 'p256' });
}, 60_000);

// A fixed instant inside the minted certificates' validity (they are valid from about an hour ago).
const T0 = Math.floor(Date.now() / 1000) * 1000;

function server(extra: Partial<ServerConfig> = {}): ServerConfig {
  return {
    certificateChain: [pki.server.certDer, pki.intermediate.certDer],
    signingKey: signingKeyFromMaterial(pki.server.key),
    now: () => new Date(T0),
    ...extra,
  };
}

function client(extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    serverName: 'localhost',
    verifier: new WebPkiServerVerifier({ trustAnchors: [pki.root.certDer], verifier: nobleProvider.verifier }),
    now: () => new Date(T0),
    ...extra,
  };
}

/** A full handshake that leaves its tickets in `cache` (and returns the sessions seen). */
function firstConnection(serverConfig: ServerConfig, extra: Partial<ClientConfig> = {}): { sessions: ClientSession[]; cache: MemorySessionCache } {
  const cache = new MemorySessionCache();
  const sessions: ClientSession[] = [];
  const o = runPair({
    clientConn: createClientConnection(client({ sessionCache: cache, onSession: (s) => sessions.push(s), ...extra })),
    serverConn: createServerConnection(serverConfig),
  });
  expect(o.clientError ?? o.serverError).toBeUndefined();
  expect(o.client.parameters.resumed).toBe(false);
  return { sessions, cache };
}

function messagesReceived(c: Partial<ClientConfig>): { config: ClientConfig; types: number[] } {
  const types: number[] = [];
  return {
    types,
    config: client({ ...c, onEvent: (e) => void (e.type === 'handshake' && e.direction === 'received' && types.push(e.message.msgType)) }),
  };
}

describe('resumption with tickets', () => {
  it('the server sends two tickets by default; the client resumes with psk_dhe_ke, no certificate', () => {
    const cfg = server();
    const { sessions, cache } = firstConnection(cfg);
    expect(sessions).toHaveLength(2);
    expect(sessions[0]!.lifetimeSeconds).toBe(7200);
    const { config, types } = messagesReceived({ sessionCache: cache });
    const o = runPair({ clientConn: createClientConnection(config), serverConn: createServerConnection(cfg) });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.resumed).toBe(true);
    expect(o.server.parameters.resumed).toBe(true);
    expect(o.client.parameters.group).toBe(NamedGroup.x25519);
    expect(types).not.toContain(HandshakeType.certificate);
    expect(types).not.toContain(HandshakeType.certificate_verify);
    // The resumed connection still reports the original server identity.
    expect(o.client.parameters.peerCertificates).toHaveLength(2);
    expect(bytesEqual(o.client.parameters.peerCertificates![0]!, pki.server.certDer)).toBe(true);
    // Data flows and exporters agree.
    expect(o.client.exportKeyingMaterial('x', undefined, 16)).toEqual(o.server.exportKeyingMaterial('x', undefined, 16));
  });

  it('psk_ke: no key exchange at all', () => {
    const cfg = server();
    const { cache } = firstConnection(cfg);
    const o = runPair({ clientConn: createClientConnection(client({ sessionCache: cache, pskModes: [PskKeyExchangeMode.psk_ke] })), serverConn: createServerConnection(cfg) });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.resumed).toBe(true);
    expect(o.client.parameters.group).toBeUndefined();
    expect(o.server.parameters.group).toBeUndefined();
  });

  it('a server that allows only psk_dhe_ke does a full handshake for a psk_ke-only client', () => {
    const cfg = server({ pskModes: [PskKeyExchangeMode.psk_dhe_ke] });
    const { cache } = firstConnection(cfg);
    const o = runPair({ clientConn: createClientConnection(client({ sessionCache: cache, pskModes: [PskKeyExchangeMode.psk_ke] })), serverConn: createServerConnection(cfg) });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.resumed).toBe(false);
  });

  it('each ticket is used once (Appendix C.4): two tickets, two resumptions, then a full handshake', () => {
    const cfg = server();
    const { cache } = firstConnection(cfg, { alpn: [] });
    const resumed = [0, 1, 2].map(() => {
      const o = runPair({ clientConn: createClientConnection(client({ sessionCache: cache })), serverConn: createServerConnection(cfg) });
      return o.client.parameters.resumed;
    });
    // Each resumption hands out two fresh tickets, so the cache never runs dry here.
    expect(resumed).toEqual([true, true, true]);
    const identities = new Set<string>();
    const cache2 = new MemorySessionCache();
    firstConnection(cfg).sessions.forEach((s) => cache2.put('k', s));
    for (let s = cache2.take('k', T0); s; s = cache2.take('k', T0)) identities.add(Buffer.from(s.ticket).toString('hex'));
    expect(identities.size).toBe(2);
  });

  it('the suite hash must match: a SHA-384 ticket is not offered when only SHA-256 suites are', () => {
    const cfg = server();
    const { sessions } = firstConnection(cfg, { cipherSuites: [0x1302] });
    const o = runPair({ clientConn: createClientConnection(client({ session: sessions[0], cipherSuites: [0x1301] })), serverConn: createServerConnection(cfg) });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.resumed).toBe(false);
  });

  it('resumption after a HelloRetryRequest recomputes the binder', () => {
    const cfg = server({ groups: [NamedGroup.x25519] });
    const { sessions } = firstConnection(cfg);
    const r = runPair({
      clientConn: createClientConnection(
        client({ session: sessions[0], groups: [NamedGroup.secp384r1, NamedGroup.x25519], keyShareGroups: [NamedGroup.secp384r1] }),
      ),
      serverConn: createServerConnection(cfg),
    });
    expect(r.clientError ?? r.serverError).toBeUndefined();
    expect(r.client.parameters.helloRetryRequest).toBe(true);
    expect(r.client.parameters.resumed).toBe(true);
  });

  it('an expired ticket (by the server clock) → full handshake', () => {
    const issuer = new SelfEncryptedTickets({ now: () => T0 });
    const { sessions } = firstConnection(server({ tickets: { issuer, lifetimeSeconds: 60 } }));
    const later = server({ tickets: { issuer, lifetimeSeconds: 60 }, now: () => new Date(T0 + 61_000) });
    const o = runPair({ clientConn: createClientConnection(client({ session: sessions[0] })), serverConn: createServerConnection(later) });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.resumed).toBe(false);
  });

  it('a ticket under a retired key → full handshake; under the previous key → resumed', () => {
    const issuer = new SelfEncryptedTickets();
    const cfg = server({ tickets: { issuer } });
    const a = firstConnection(cfg).sessions[0]!;
    issuer.rotate();
    const b = runPair({ clientConn: createClientConnection(client({ session: a })), serverConn: createServerConnection(cfg) });
    expect(b.client.parameters.resumed).toBe(true);
    const c = firstConnection(cfg).sessions[0]!;
    issuer.rotate();
    issuer.rotate();
    const d = runPair({ clientConn: createClientConnection(client({ session: c })), serverConn: createServerConnection(cfg) });
    expect(d.clientError ?? d.serverError).toBeUndefined();
    expect(d.client.parameters.resumed).toBe(false);
  });

  it('a stateful ticket store works, and its tickets are single use on the server too', () => {
    const cfg = server({ tickets: { issuer: new StatefulTicketStore() } });
    const { sessions } = firstConnection(cfg);
    const one = runPair({ clientConn: createClientConnection(client({ session: sessions[0] })), serverConn: createServerConnection(cfg) });
    expect(one.client.parameters.resumed).toBe(true);
    const again = runPair({ clientConn: createClientConnection(client({ session: sessions[0] })), serverConn: createServerConnection(cfg) });
    expect(again.client.parameters.resumed).toBe(false);
  });

  it('a wrong binder → decrypt_error', () => {
    const cfg = server();
    const { sessions } = firstConnection(cfg);
    const o = runPair({
      clientConn: createClientConnection(client({ session: sessions[0] })),
      serverConn: createServerConnection(cfg),
      // The binder is the last bytes of the ClientHello record.
      toServer: (b, n) => {
        if (n > 0) return b;
        const c = b.slice();
        c[c.length - 1] = c[c.length - 1]! ^ 1;
        return c;
      },
    });
    expect(o.serverError).toBeInstanceOf(TlsError);
    expect(o.serverError).not.toBeInstanceOf(PeerAlertError);
    expect(o.serverError!.alert).toBe(A.decrypt_error);
    expect(o.clientError).toBeInstanceOf(PeerAlertError);
    expect(o.clientError!.alert).toBe(A.decrypt_error);
  });
});

describe('external PSKs', () => {
  const psk = { identity: utf8('client-1'), key: new Uint8Array(32).fill(7) };

  it('with a certificate configured: the PSK is used, no certificate sent', () => {
    const { config, types } = messagesReceived({ externalPsks: [psk] });
    const o = runPair({ clientConn: createClientConnection(config), serverConn: createServerConnection(server({ externalPsks: [psk] })) });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.resumed).toBe(false);
    expect(o.client.parameters.pskIdentity).toEqual(psk.identity);
    expect(types).not.toContain(HandshakeType.certificate);
  });

  it('without any certificate or verifier (PSK-only peers), SHA-384 PSK, psk_ke', () => {
    const psk384 = { identity: utf8('id-384'), key: new Uint8Array(48).fill(3), hash: 'SHA-384' as const };
    const o = runPair({
      clientConn: createClientConnection({ serverName: 'psk.test', externalPsks: [psk384], pskModes: [PskKeyExchangeMode.psk_ke] }),
      serverConn: createServerConnection({ externalPsks: [psk384] }),
    });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.cipherSuiteName).toBe('TLS_AES_256_GCM_SHA384');
    expect(o.client.parameters.group).toBeUndefined();
  });

  it('a wrong key → decrypt_error (binder)', () => {
    const o = runPair({
      clientConn: createClientConnection(client({ externalPsks: [{ ...psk, key: new Uint8Array(32).fill(8) }] })),
      serverConn: createServerConnection(server({ externalPsks: [psk] })),
    });
    expect(o.serverError!.alert).toBe(A.decrypt_error);
  });

  it('an unknown identity → a certificate handshake', () => {
    const o = runPair({
      clientConn: createClientConnection(client({ externalPsks: [{ ...psk, identity: utf8('nobody') }] })),
      serverConn: createServerConnection(server({ externalPsks: [psk] })),
    });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.pskIdentity).toBeUndefined();
    expect(o.client.parameters.signatureSchemeName).toBe('ecdsa_secp256r1_sha256');
  });
});

describe('0-RTT', () => {
  const EARLY = utf8('GET /idempotent HTTP/1.1\r\n\r\n');

  function earlyServer(extra: Partial<ServerConfig> = {}): ServerConfig {
    return server({ earlyData: { maxEarlyDataSize: 1024, antiReplay: new MemoryAntiReplay() }, ...extra });
  }

  /** Client connection + its first flight (ClientHello and 0-RTT records), as bytes. */
  function earlyClient(session: ClientSession, extra: Partial<ClientConfig> = {}): { conn: Connection; firstFlight: Uint8Array } {
    const conn = createClientConnection(client({ session, earlyData: EARLY, ...extra }));
    return { conn, firstFlight: conn.takeOutput()! };
  }

  function finish(c: Connection, s: Connection, firstFlight: Uint8Array) {
    s.receive(firstFlight);
    return runPair({ clientConn: c, serverConn: s });
  }

  it('accepted: the server reads the data as early data; EndOfEarlyData; both sides agree', () => {
    const cfg = earlyServer();
    const { sessions } = firstConnection(cfg);
    expect(sessions[0]!.maxEarlyDataSize).toBe(1024);
    const c = earlyClient(sessions[0]!);
    const s = createServerConnection(cfg);
    s.receive(c.firstFlight);
    expect(s.readEarlyData()).toEqual(EARLY);
    expect(s.read()).toBeUndefined();
    const o = runPair({ clientConn: c.conn, serverConn: s });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.earlyData).toBe('accepted');
    expect(o.server.parameters.earlyData).toBe('accepted');
    expect(o.client.parameters.resumed).toBe(true);
    // RFC 8446 §7.5: the early exporter agrees on both sides, and differs from the main one.
    const early = o.client.exportEarlyKeyingMaterial('EXPERIMENTAL e', undefined, 32);
    expect(o.server.exportEarlyKeyingMaterial('EXPERIMENTAL e', undefined, 32)).toEqual(early);
    expect(o.client.exportKeyingMaterial('EXPERIMENTAL e', undefined, 32)).not.toEqual(early);
  });

  it('rejected by a server without 0-RTT: the records are skipped, the handshake completes, the client can resend', () => {
    const issuer = new SelfEncryptedTickets();
    const { sessions } = firstConnection(earlyServer({ tickets: { issuer } }));
    const c = earlyClient(sessions[0]!);
    const o = finish(c.conn, createServerConnection(server({ tickets: { issuer } })), c.firstFlight);
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.earlyData).toBe('rejected');
    expect(o.server.parameters.earlyData).toBe('rejected');
    expect(o.server.readEarlyData()).toBeUndefined();
    o.client.write(EARLY);
    o.server.receive(o.client.takeOutput()!);
    expect(o.server.read()).toEqual(EARLY);
  });

  it('rejected after a HelloRetryRequest: skipped in the clear, the handshake completes', () => {
    const issuer = new SelfEncryptedTickets();
    const cfg = earlyServer({ tickets: { issuer }, groups: [NamedGroup.x25519] });
    const { sessions } = firstConnection(cfg);
    const c = earlyClient(sessions[0]!, { groups: [NamedGroup.secp256r1, NamedGroup.x25519], keyShareGroups: [NamedGroup.secp256r1] });
    const o = finish(c.conn, createServerConnection(cfg), c.firstFlight);
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.helloRetryRequest).toBe(true);
    expect(o.client.parameters.earlyData).toBe('rejected');
    expect(o.server.parameters.earlyData).toBe('rejected');
    expect(o.server.readEarlyData()).toBeUndefined();
  });

  it('replay: the same ClientHello + 0-RTT bytes sent twice, and to a second server sharing the store: seen once', () => {
    const issuer = new SelfEncryptedTickets();
    const antiReplay = new MemoryAntiReplay();
    const cfgA = server({ tickets: { issuer }, earlyData: { maxEarlyDataSize: 1024, antiReplay } });
    const cfgB = server({ tickets: { issuer }, earlyData: { maxEarlyDataSize: 1024, antiReplay } });
    const { sessions } = firstConnection(cfgA);
    const { firstFlight } = earlyClient(sessions[0]!);
    const seen: Uint8Array[] = [];
    for (const cfg of [cfgA, cfgA, cfgB]) {
      const s = createServerConnection(cfg);
      s.receive(firstFlight);
      const d = s.readEarlyData();
      if (d) seen.push(d);
      expect(s.error).toBeUndefined();
    }
    expect(seen).toEqual([EARLY]);
  });

  it('a ticket age outside the window → 0-RTT rejected, resumption still succeeds', () => {
    const cfg = earlyServer();
    const { sessions } = firstConnection(cfg);
    // The client believes 30 s have passed; the server's clock says none.
    const c = earlyClient(sessions[0]!, { now: () => new Date(T0 + 30_000) });
    const o = finish(c.conn, createServerConnection(cfg), c.firstFlight);
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.resumed).toBe(true);
    expect(o.client.parameters.earlyData).toBe('rejected');
    expect(o.server.readEarlyData()).toBeUndefined();
  });

  it('a full replay store refuses 0-RTT (fail closed) while the 1-RTT handshake succeeds', () => {
    const cfg = server({ earlyData: { maxEarlyDataSize: 1024, antiReplay: new MemoryAntiReplay({ capacity: 1 }) } });
    const { sessions } = firstConnection(cfg);
    // One ticket's 0-RTT fills the store (one entry per ticket); the next ticket finds it full.
    const filler = createServerConnection(cfg);
    filler.receive(earlyClient(sessions[0]!).firstFlight);
    expect(filler.readEarlyData()).toEqual(EARLY);
    const c = earlyClient(sessions[1]!);
    const o = finish(c.conn, createServerConnection(cfg), c.firstFlight);
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.client.parameters.resumed).toBe(true);
    expect(o.client.parameters.earlyData).toBe('rejected');
  });

  it('an async (cluster) replay store is a pending step', async () => {
    const inner = new MemoryAntiReplay();
    const cfg = server({
      earlyData: { maxEarlyDataSize: 1024, antiReplay: { checkAndRecord: async (id, now, w) => inner.checkAndRecord(id, now, w) } },
    });
    const { sessions } = firstConnection(cfg);
    const c = earlyClient(sessions[0]!);
    const s = createServerConnection(cfg);
    s.receive(c.firstFlight);
    expect(s.pending).toBeDefined();
    await s.pending;
    s.process();
    expect(s.readEarlyData()).toEqual(EARLY);
  });

  it('more 0-RTT data than max_early_data_size → unexpected_message', () => {
    const cfg = earlyServer();
    const { sessions } = firstConnection(cfg);
    // The client's own limit check is bypassed by lying about the ticket's limit.
    const c = earlyClient({ ...sessions[0]!, maxEarlyDataSize: 4096 }, { earlyData: new Uint8Array(2000) });
    const s = createServerConnection(cfg);
    expect(() => s.receive(c.firstFlight)).toThrow(/unexpected_message/);
  });

  it('many tickets on one connection have distinct nonces, hence distinct PSKs', () => {
    const { sessions } = firstConnection(server({ tickets: { count: 300 } }), { limits: { maxTicketsPerConnection: 300 } });
    expect(sessions).toHaveLength(300);
    expect(new Set(sessions.map((s) => Buffer.from(s.psk).toString('hex'))).size).toBe(300);
  });

  it('0-RTT is not sent when the ticket does not allow it', () => {
    const cfg = server();
    const { sessions } = firstConnection(cfg);
    expect(sessions[0]!.maxEarlyDataSize).toBe(0);
    const c = earlyClient(sessions[0]!);
    const o = finish(c.conn, createServerConnection(cfg), c.firstFlight);
    expect(o.client.parameters.earlyData).toBe('rejected');
    expect(o.client.parameters.resumed).toBe(true);
  });
});
