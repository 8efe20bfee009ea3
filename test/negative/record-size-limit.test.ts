// RFC 8449 §4 record_size_limit in both roles (audit #8): once negotiated, a protected record
// whose TLSInnerPlaintext (content + type + padding) exceeds the limit we advertised is a fatal
// record_overflow; the limit applies from the handshake keys on, not to plaintext records nor
// to 0-RTT records (sent before the client can know it); and what we send stays within the
// peer's limit, padding included.

import { describe, expect, it } from 'vitest';
import { ContentType } from '../../src/wire/codepoints.js';
import { concatBytes, utf8 } from '../../src/util/bytes.js';
import { TlsError } from '../../src/errors.js';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import type { Connection } from '../../src/connection/types.js';
import type { ClientSession } from '../../src/resumption/types.js';
import { padToBlock, padToMaximum } from '../../src/record/writer.js';
import { CipherState } from '../../src/record/keys.js';
import { nextTrafficSecret, trafficKeys } from '../../src/keyschedule/index.js';
import { nobleProvider } from '../../src/crypto/noble/index.js';
import { runPair, splitRecords, testClientConfig, testServerConfig, type PairOutcome, type Rewrite } from '../helpers/scripted.js';
import { capture, newCapture, plaintextPrefix, Sealer, type Capture } from './catalogue/harness.js';

const CT = ContentType;
const MAX_INNER = 2 ** 14 + 1;

interface Pair {
  o: PairOutcome;
  client: Capture;
  server: Capture;
}

/** A pair with key logs on both sides; `rewrites` sees the connections before the handshake runs. */
function established(
  client: Partial<ClientConfig>,
  server: Partial<ServerConfig>,
  rewrites?: (c: Connection, s: Connection, cc: Capture, sc: Capture) => { toServer?: Rewrite; toClient?: Rewrite },
): Pair {
  const cc = newCapture();
  const sc = newCapture();
  const clientConn = createClientConnection(testClientConfig({ ...capture(cc), ...client }));
  const serverConn = createServerConnection(testServerConfig({ ...capture(sc), tickets: { count: 0 }, ...server }));
  const r = rewrites?.(clientConn, serverConn, cc, sc) ?? {};
  return { o: runPair({ clientConn, serverConn, ...r }), client: cc, server: sc };
}

/** A protected record whose TLSInnerPlaintext is exactly `inner` bytes: 10 bytes of data, the type, padding. */
const dataRecord = (sealer: Sealer, inner: number): Uint8Array => sealer.record(CT.application_data, utf8('0123456789'), inner - 11);

const receiveError = (conn: Connection, bytes: Uint8Array): TlsError | undefined => {
  try {
    conn.receive(bytes);
    return undefined;
  } catch (e) {
    if (e instanceof TlsError) return e;
    throw e;
  }
};

/** A client clock inside the validity of RFC 8448's certificate (expired 2026-07-30): sessions are offered only while it is valid. */
const insideRfc8448Validity = (): Date => new Date(Date.UTC(2026, 0, 1));

describe('audit #8: record_size_limit (RFC 8449 §4) is enforced on receive', () => {
  for (const limit of [64, 100, 4096, MAX_INNER]) {
    it(`audit #8: server, limit ${limit}: a client application record of exactly the limit is accepted, limit + 1 is record_overflow`, () => {
      const ok = established({ recordSizeLimit: MAX_INNER }, { recordSizeLimit: limit });
      expect(ok.o.clientError ?? ok.o.serverError).toBeUndefined();
      const sealer = Sealer.of(ok.o.client, ok.client, 'CLIENT_TRAFFIC_SECRET_0');
      ok.o.server.receive(dataRecord(sealer, limit));
      expect(ok.o.server.read()).toEqual(utf8('0123456789'));
      // Content alone up to the limit (limit − 1 bytes and the type byte).
      ok.o.server.receive(sealer.record(CT.application_data, new Uint8Array(limit - 1).fill(7)));
      expect(ok.o.server.read()?.length).toBe(limit - 1);
      if (limit === MAX_INNER) return; // above 2^14 + 1 is the protocol's own record_overflow
      const bad = established({ recordSizeLimit: MAX_INNER }, { recordSizeLimit: limit });
      const err = receiveError(bad.o.server, dataRecord(Sealer.of(bad.o.client, bad.client, 'CLIENT_TRAFFIC_SECRET_0'), limit + 1));
      expect(err?.alertName).toBe('record_overflow');
      expect(bad.o.server.read()).toBeUndefined();
    });

    it(`audit #8: client, limit ${limit}: a server application record of exactly the limit is accepted, limit + 1 is record_overflow`, () => {
      const ok = established({ recordSizeLimit: limit }, { recordSizeLimit: MAX_INNER });
      expect(ok.o.clientError ?? ok.o.serverError).toBeUndefined();
      const sealer = Sealer.of(ok.o.server, ok.server, 'SERVER_TRAFFIC_SECRET_0');
      ok.o.client.receive(dataRecord(sealer, limit));
      expect(ok.o.client.read()).toEqual(utf8('0123456789'));
      if (limit === MAX_INNER) return;
      const bad = established({ recordSizeLimit: limit }, { recordSizeLimit: MAX_INNER });
      const err = receiveError(bad.o.client, dataRecord(Sealer.of(bad.o.server, bad.server, 'SERVER_TRAFFIC_SECRET_0'), limit + 1));
      expect(err?.alertName).toBe('record_overflow');
      expect(bad.o.client.read()).toBeUndefined();
    });
  }

  it('audit #8: the limit holds after a KeyUpdate (both roles)', () => {
    const p = established({ recordSizeLimit: 100 }, { recordSizeLimit: 100 });
    p.o.client.updateKeys(false);
    p.o.server.receive(p.o.client.takeOutput()!);
    p.o.server.updateKeys(false);
    p.o.client.receive(p.o.server.takeOutput()!);
    // Records of 101 bytes under the new keys, sealed as the peer would.
    const suite = suiteOf(p.o.client);
    const next = (cap: Capture, label: string) => new CipherState(trafficKeys(suite, nextTrafficSecret(suite.hash, cap.secrets.get(label)!)));
    expect(receiveError(p.o.server, sealInner(next(p.client, 'CLIENT_TRAFFIC_SECRET_0'), 101))?.alertName).toBe('record_overflow');
    expect(receiveError(p.o.client, sealInner(next(p.server, 'SERVER_TRAFFIC_SECRET_0'), 101))?.alertName).toBe('record_overflow');
  });

  it('audit #8: server: the client handshake flight (handshake keys) is held to the limit: exactly the limit passes, limit + 1 is record_overflow', () => {
    const run = (extra: number) =>
      established({ recordSizeLimit: MAX_INNER }, { recordSizeLimit: 200 }, (c, _s, cc) => ({
        toServer: (b, n) => {
          if (n !== 1) return b;
          const finished = cc.sent[cc.sent.length - 1]!;
          return Sealer.of(c, cc, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET').record(CT.handshake, finished, 200 - finished.length - 1 + extra);
        },
      }));
    const ok = run(0);
    expect(ok.o.serverError).toBeUndefined();
    expect(ok.o.server.handshakeComplete).toBe(true);
    const bad = run(1);
    expect(bad.o.serverError?.alertName).toBe('record_overflow');
    expect(bad.o.server.handshakeComplete).toBe(false);
  });

  it('audit #8: client: the record that carries EncryptedExtensions is held to the limit it negotiates', () => {
    const limit = 4096;
    const run = (extra: number) =>
      established({ recordSizeLimit: limit }, { recordSizeLimit: MAX_INNER }, (_c, s, _cc, sc) => ({
        toClient: (b, n) => {
          if (n !== 0) return b;
          const flight = concatBytes(...sc.sent.slice(1)); // EncryptedExtensions … Finished
          expect(flight.length).toBeLessThan(limit - 1);
          return concatBytes(plaintextPrefix(b), Sealer.of(s, sc, 'SERVER_HANDSHAKE_TRAFFIC_SECRET').record(CT.handshake, flight, limit - flight.length - 1 + extra));
        },
      }));
    const ok = run(0);
    expect(ok.o.clientError).toBeUndefined();
    expect(ok.o.client.handshakeComplete).toBe(true);
    const bad = run(1);
    expect(bad.o.clientError?.alertName).toBe('record_overflow');
    expect(bad.o.client.handshakeComplete).toBe(false);
  });

  it('audit #8: not negotiated, not enforced: a limit the server does not answer, or one the client did not offer, leaves the protocol maximum', () => {
    // The client offers 100; the server sends none: the client's limit is not in force (RFC 8449 §4).
    const a = established({ recordSizeLimit: 100 }, {});
    expect(a.o.clientError ?? a.o.serverError).toBeUndefined();
    a.o.client.receive(dataRecord(Sealer.of(a.o.server, a.server, 'SERVER_TRAFFIC_SECRET_0'), 5000));
    expect(a.o.client.read()).toEqual(utf8('0123456789'));
    // The server is configured with 100, but the client offered none: the server sends none either.
    const b = established({}, { recordSizeLimit: 100 });
    expect(b.o.clientError ?? b.o.serverError).toBeUndefined();
    b.o.server.receive(dataRecord(Sealer.of(b.o.client, b.client, 'CLIENT_TRAFFIC_SECRET_0'), 5000));
    expect(b.o.server.read()).toEqual(utf8('0123456789'));
  });

  it('audit #8: plaintext records are not subject to it: a handshake with both limits at 64 completes (ClientHello and ServerHello are larger)', () => {
    const p = established({ recordSizeLimit: 64 }, { recordSizeLimit: 64 });
    expect(p.o.clientError ?? p.o.serverError).toBeUndefined();
    expect(p.o.clientWire[0]!.length).toBeGreaterThan(64);
    expect(p.o.client.handshakeComplete && p.o.server.handshakeComplete).toBe(true);
  });

  it('audit #8: 0-RTT records are not subject to the server limit (the client sends them before it can know it)', () => {
    const sessions: ClientSession[] = [];
    const serverConfig = testServerConfig({ recordSizeLimit: 64, earlyData: { maxEarlyDataSize: 1000 } });
    runPair({ client: { onSession: (s) => void sessions.push(s), recordSizeLimit: 64, now: insideRfc8448Validity }, serverConn: createServerConnection(serverConfig) });
    const early = new Uint8Array(500).fill(5);
    const o = runPair({
      clientConn: createClientConnection(testClientConfig({ session: sessions[0]!, earlyData: early, recordSizeLimit: 64, now: insideRfc8448Validity })),
      serverConn: createServerConnection(serverConfig),
    });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.server.parameters.earlyData).toBe('accepted');
    expect(o.server.readEarlyData()).toEqual(early);
  });
});

describe('audit #8: what we send stays within the peer record_size_limit, padding included', () => {
  const policies = [
    ['padToMaximum', padToMaximum],
    ['padToBlock(48)', padToBlock(48)],
    ['a policy asking for 10 000 bytes', () => 10_000],
  ] as const;
  for (const [name, padding] of policies) {
    it(`audit #8: ${name}: every protected record, both roles, has TLSInnerPlaintext ≤ 64, and the peer accepts them all`, () => {
      const p = established({ recordSizeLimit: 64, padding }, { recordSizeLimit: 64, padding, tickets: { count: 2 } });
      expect(p.o.clientError ?? p.o.serverError).toBeUndefined();
      p.o.client.write(new Uint8Array(1000).fill(1));
      const toServer = p.o.client.takeOutput()!;
      p.o.server.receive(toServer);
      p.o.server.write(new Uint8Array(1000).fill(2));
      const toClient = p.o.server.takeOutput()!;
      p.o.client.receive(toClient);
      expect(p.o.server.read()?.length).toBeGreaterThan(0);
      expect(p.o.client.read()?.length).toBeGreaterThan(0);
      const suite = suiteOf(p.o.client);
      const fromClient = innerLengths([...p.o.clientWire, toServer], suite, p.client, ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0']);
      const fromServer = innerLengths([...p.o.serverWire, toClient], suite, p.server, ['SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']);
      for (const lengths of [fromClient, fromServer]) {
        expect(lengths.length).toBeGreaterThan(16); // 1000 bytes in records of at most 63
        expect(Math.max(...lengths)).toBeLessThanOrEqual(64);
        if (padding === padToMaximum) expect(lengths.every((l) => l === 64)).toBe(true);
      }
    });
  }
});

// ---- helpers ----

function suiteOf(conn: Connection) {
  return nobleProvider.cipherSuites.find((s) => s.id === conn.parameters.cipherSuite)!;
}

function sealInner(state: CipherState, inner: number): Uint8Array {
  const plaintext = new Uint8Array(inner);
  plaintext[0] = 1;
  plaintext[inner - 1] = CT.application_data;
  const len = inner + state.aead.tagLen;
  const header = Uint8Array.of(CT.application_data, 3, 3, len >> 8, len & 0xff);
  return concatBytes(header, state.seal(header, plaintext));
}

/** TLSInnerPlaintext lengths of every protected record on one side's wire, opened with its logged secrets in order. */
function innerLengths(wire: Uint8Array[], suite: ReturnType<typeof suiteOf>, cap: Capture, labels: string[]): number[] {
  const states = labels.map((l) => new CipherState(trafficKeys(suite, cap.secrets.get(l)!)));
  let at = 0;
  const out: number[] = [];
  for (const r of splitRecords(concatBytes(...wire))) {
    if (r[0] !== CT.application_data) continue;
    for (;;) {
      const opened = states[at]!.open(r.subarray(0, 5), r.subarray(5));
      if (opened) {
        out.push(opened.length);
        break;
      }
      at++;
      if (at >= states.length) throw new Error('record opens under no logged key');
    }
  }
  return out;
}
