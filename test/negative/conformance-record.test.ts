// Issue 11, record layer: a ClientHello followed by change_cipher_spec records in one segment,
// split every way (RFC 8446 Appendix D.4, RFC 9846 §5); KeyUpdate bursts (RFC 8446 §4.6.3);
// record_size_limit both ways (RFC 8449 §4).

import { describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import type { Connection, ConnectionEvent } from '../../src/connection/types.js';
import { AlertDescription, TlsError } from '../../src/errors.js';
import { nobleProvider } from '../../src/crypto/noble/index.js';
import { nextTrafficSecret } from '../../src/keyschedule/index.js';
import { ContentType, HandshakeType, KeyUpdateRequest } from '../../src/wire/codepoints.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { concatBytes, utf8 } from '../../src/util/bytes.js';
import { plaintextAlert, record, runPair, splitRecords, testClientConfig, testServerConfig } from '../helpers/scripted.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import { capture, newCapture, Sealer, type Side } from './catalogue/harness.js';

const CCS = record(ContentType.change_cipher_spec, Uint8Array.of(1));

/** Feeds `chunks` to a fresh server; its error (if any) and everything it wrote. */
function serverFed(chunks: Uint8Array[]): { server: Connection; error: TlsError | undefined; out: Uint8Array } {
  const server = createServerConnection(testServerConfig());
  let error: TlsError | undefined;
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    try {
      server.receive(c);
    } catch (e) {
      if (!(e instanceof TlsError)) throw e;
      error = e;
    }
    for (let o = server.takeOutput(); o; o = server.takeOutput()) out.push(o);
    if (error) break;
  }
  return { server, error, out: concatBytes(...out) };
}

/** Every split of `bytes` into 2 chunks, then byte by byte. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const all: Uint8Array[][] = [];
  for (let i = 0; i <= bytes.length; i++) all.push([bytes.subarray(0, i), bytes.subarray(i)]);
  all.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return all;
}

describe('ClientHello and change_cipher_spec records in one segment (issue 11 item 4)', () => {
  const hello = createClientConnection(testClientConfig()).takeOutput()!;

  it('ClientHello + one CCS, split every way: the server answers with its flight, no error', () => {
    const bytes = concatBytes(hello, CCS);
    const whole = serverFed([bytes]);
    expect(whole.error).toBeUndefined();
    expect(whole.out[0]).toBe(ContentType.handshake); // the ServerHello record
    for (const chunks of splits(bytes)) {
      const r = serverFed(chunks);
      expect(r.error, `split ${chunks.length === 2 ? chunks[0]!.length : 'bytewise'}`).toBeUndefined();
      expect(r.out.length, 'answered').toBeGreaterThan(0);
      expect(r.out[0]).toBe(ContentType.handshake);
    }
  });

  for (const n of [2, 3, 5]) {
    it(`ClientHello + ${n} CCS, split every way: never silent, unexpected_message on the wire`, () => {
      const bytes = concatBytes(hello, ...Array.from({ length: n }, () => CCS));
      for (const chunks of splits(bytes)) {
        const r = serverFed(chunks);
        const where = `split ${chunks.length === 2 ? chunks[0]!.length : 'bytewise'}`;
        expect(r.error, where).toBeInstanceOf(TlsError);
        expect(r.error!.alertName, where).toBe('unexpected_message');
        expect(r.error!.message).toMatch(/change_cipher_spec/);
        // The server answered: its flight (ServerHello …) and then the alert, in the clear or
        // under the handshake key; never nothing.
        expect(r.out.length, where).toBeGreaterThan(0);
        expect(r.server.error).toBe(r.error);
      }
    });
  }

  it('the first CCS before the ClientHello is refused in the clear (no window yet)', () => {
    const r = serverFed([concatBytes(CCS, hello)]);
    expect(r.error?.alertName).toBe('unexpected_message');
    expect(plaintextAlert(r.out)).toBe(AlertDescription.unexpected_message);
  });
});

describe('a burst of KeyUpdate(update_requested) (issue 11 item 3, RFC 8446 §4.6.3)', () => {
  /**
   * A finished pair; `n` real KeyUpdate(update_requested) records of `peer`'s, each sealed under
   * the peer's next application traffic secret (RFC 8446 §7.2), for `self` to receive.
   */
  function burst(self: Side, n: number) {
    const caps = { client: newCapture(), server: newCapture() };
    const sent: number[] = [];
    const onEvent = (e: ConnectionEvent): void => {
      if (e.type === 'handshake' && e.direction === 'sent' && e.message.msgType === HandshakeType.key_update) sent.push(e.message.requestUpdate);
    };
    const conf = { client: capture(caps.client), server: { ...capture(caps.server), tickets: { count: 0 } } };
    const own = self === 'client' ? conf.client : conf.server;
    const captureEvents = own.onEvent!;
    own.onEvent = (e) => (captureEvents(e), onEvent(e));
    const o = runPair(conf);
    expect(o.clientError ?? o.serverError).toBeUndefined();
    const peer = self === 'client' ? o.server : o.client;
    const label = self === 'client' ? 'SERVER_TRAFFIC_SECRET_0' : 'CLIENT_TRAFFIC_SECRET_0';
    const suite = nobleProvider.cipherSuites.find((s) => s.id === peer.parameters.cipherSuite)!;
    let secret = (self === 'client' ? caps.server : caps.client).secrets.get(label)!;
    const records: Uint8Array[] = [];
    const ku = encodeHandshake({ msgType: HandshakeType.key_update, requestUpdate: KeyUpdateRequest.update_requested });
    for (let i = 0; i < n; i++) {
      records.push(new Sealer(suite, secret).handshake(ku));
      secret = nextTrafficSecret(suite.hash, secret);
    }
    return { conn: self === 'client' ? o.client : o.server, sent, records, after: new Sealer(suite, secret) };
  }

  /** Deterministic pseudo-random chunk sizes 1..max. */
  function chunked(bytes: Uint8Array, seed: number, max: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let x = seed;
    for (let off = 0; off < bytes.length; ) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      const len = 1 + (x % max);
      out.push(bytes.subarray(off, off + len));
      off += len;
    }
    return out;
  }

  for (const self of ['server', 'client'] as const) {
    const segmentations: [string, (records: Uint8Array[]) => Uint8Array[]][] = [
      ['one segment', (r) => [concatBytes(...r)]],
      ['one record per segment', (r) => r],
      ['two segments, split inside record 7', (r) => { const b = concatBytes(...r); return [b.subarray(0, 7 * r[0]!.length + 3), b.subarray(7 * r[0]!.length + 3)]; }],
      ['pseudo-random segments of 1..40 bytes', (r) => chunked(concatBytes(...r), 7, 40)],
      ['pseudo-random segments of 1..200 bytes', (r) => chunked(concatBytes(...r), 11, 200)],
      ['byte by byte', (r) => chunked(concatBytes(...r), 1, 1)],
    ];
    for (const [how, split] of segmentations) {
      it(`${self}: 32 KeyUpdate(update_requested), ${how} → exactly one KeyUpdate(update_not_requested), before our next data`, () => {
        const { conn, sent, records, after } = burst(self, 32);
        for (const chunk of split(records)) {
          conn.receive(chunk);
          for (let o = conn.takeOutput(); o; o = conn.takeOutput());
        }
        expect(conn.error).toBeUndefined();
        conn.write(utf8('data'));
        expect(sent).toEqual([KeyUpdateRequest.update_not_requested]);
        // The peer's data under its 33rd secret is read: the burst was taken whole.
        conn.receive(after.record(ContentType.application_data, utf8('peer data')));
        expect(conn.read()).toEqual(utf8('peer data'));
        // A request after our data gets an answer of its own.
        conn.receive(after.handshake(encodeHandshake({ msgType: HandshakeType.key_update, requestUpdate: KeyUpdateRequest.update_requested })));
        conn.write(utf8('more'));
        expect(sent).toEqual([KeyUpdateRequest.update_not_requested, KeyUpdateRequest.update_not_requested]);
      });
    }
  }
});

describe('record_size_limit both ways (issue 11 item 8, RFC 8449 §4)', () => {
  const TAG = 16; // every default suite's AEAD tag
  /** TLSInnerPlaintext lengths of the protected records in `wire` (no padding policy: ciphertext − tag). */
  const innerLengths = (wire: Uint8Array[]): number[] =>
    splitRecords(concatBytes(...wire)).filter((r) => r[0] === ContentType.application_data).map((r) => r.length - 5 - TAG);

  const cases: [string, Partial<ClientConfig>, Partial<ServerConfig>, Side][] = [
    ['client advertised 64, server has no limit of its own: the server sends TLSInnerPlaintext ≤ 64', { recordSizeLimit: 64 }, {}, 'server'],
    ['client advertised 64, server 2^14+1: the server sends TLSInnerPlaintext ≤ 64', { recordSizeLimit: 64 }, { recordSizeLimit: 2 ** 14 + 1 }, 'server'],
    ['server advertised 64 (client 2^14+1): the client sends TLSInnerPlaintext ≤ 64', { recordSizeLimit: 2 ** 14 + 1 }, { recordSizeLimit: 64 }, 'client'],
  ];
  for (const [title, client, server, sender] of cases) {
    it(title, () => {
      const o = runPair({ client, server: { tickets: { count: 2 }, ...server } });
      expect(o.clientError ?? o.serverError).toBeUndefined();
      const from = sender === 'server' ? o.server : o.client;
      const to = sender === 'server' ? o.client : o.server;
      from.write(new Uint8Array(1017).fill(7));
      const bytes = from.takeOutput()!;
      to.receive(bytes);
      let got = 0;
      for (let d = to.read(); d; d = to.read()) got += d.length;
      expect(got).toBe(1017);
      const lengths = innerLengths([...(sender === 'server' ? o.serverWire : o.clientWire), bytes]);
      expect(lengths.length).toBeGreaterThan(16); // 1017 bytes in records of at most 63
      expect(Math.max(...lengths)).toBeLessThanOrEqual(64);
    });
  }

  for (const self of ['server', 'client'] as const) {
    it(`${self} advertised 64: a peer record of 1017 bytes (application data) → record_overflow on the wire`, () => {
      const caps = { client: newCapture(), server: newCapture() };
      const o = runPair({ client: { ...capture(caps.client), recordSizeLimit: 64 }, server: { ...capture(caps.server), recordSizeLimit: 64, tickets: { count: 0 } } });
      expect(o.clientError ?? o.serverError).toBeUndefined();
      const conn = self === 'server' ? o.server : o.client;
      const peer = self === 'server' ? o.client : o.server;
      const seal = Sealer.of(peer, self === 'server' ? caps.client : caps.server, self === 'server' ? 'CLIENT_TRAFFIC_SECRET_0' : 'SERVER_TRAFFIC_SECRET_0');
      let err: unknown;
      try {
        conn.receive(seal.record(ContentType.application_data, new Uint8Array(1016)));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TlsError);
      expect((err as TlsError).alertName).toBe('record_overflow');
      expect(conn.read()).toBeUndefined();
      // The alert went out (under our application key): the peer reads it.
      let peerErr: unknown;
      try {
        peer.receive(conn.takeOutput()!);
      } catch (e) {
        peerErr = e;
      }
      expect((peerErr as TlsError).alertName).toBe('record_overflow');
    });
  }
});
