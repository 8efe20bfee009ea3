// Resource bounds: each is configurable, has a safe default, and is enforced with an alert.

import { describe, expect, it } from 'vitest';
import { ContentType } from '../../src/wire/codepoints.js';
import { PeerAlertError, TlsError } from '../../src/errors.js';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import { record, runPair, testClientConfig, testServerConfig } from '../helpers/scripted.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/config.js';
import type { ClientSession } from '../../src/resumption/types.js';
import { nobleProvider } from '../../src/crypto/noble/index.js';
import { padToMaximum } from '../../src/record/writer.js';
import { concatBytes } from '../../src/util/bytes.js';
import { capture, newCapture, Sealer } from './catalogue/harness.js';

describe('resource bounds', () => {
  it('consecutive empty application_data records beyond the limit → unexpected_message', () => {
    const { client, server } = runPair({ server: { limits: { maxConsecutiveEmptyRecords: 4 } } });
    // Four are fine (RFC 8446 §5.1 allows them), the fifth in a row is not.
    for (let i = 0; i < 4; i++) client.write(new Uint8Array(0));
    server.receive(client.takeOutput()!);
    expect(server.error).toBeUndefined();
    client.write(new Uint8Array([1]));
    for (let i = 0; i < 5; i++) client.write(new Uint8Array(0));
    expect(() => server.receive(client.takeOutput()!)).toThrow(/unexpected_message: too many empty/);
    expect(server.read()).toEqual(new Uint8Array([1]));
    expect(() => client.receive(server.takeOutput()!)).toThrow(PeerAlertError);
  });

  it('KeyUpdates without application data beyond the limit → unexpected_message', () => {
    const { client, server } = runPair({ server: { limits: { maxKeyUpdatesWithoutData: 3 } } });
    for (let i = 0; i < 3; i++) client.updateKeys(false);
    server.receive(client.takeOutput()!);
    expect(server.error).toBeUndefined();
    client.write(new Uint8Array([7]));
    for (let i = 0; i < 4; i++) client.updateKeys(false);
    expect(() => server.receive(client.takeOutput()!)).toThrow(/too many KeyUpdates/);
  });

  it('NewSessionTickets beyond the client limit → unexpected_message', () => {
    const o = runPair({ client: { limits: { maxTicketsPerConnection: 3 } }, server: { tickets: { count: 4 } } });
    expect(o.clientError).toBeInstanceOf(TlsError);
    expect(o.clientError!.message).toMatch(/too many NewSessionTickets/);
    expect(o.serverError).toBeInstanceOf(PeerAlertError);
  });

  it('consecutive change_cipher_spec records beyond the limit → unexpected_message', () => {
    const ccs = record(ContentType.change_cipher_spec, new Uint8Array([1]));
    const o = runPair({
      server: { limits: { maxConsecutiveChangeCipherSpec: 2 } },
      toServer: (b, n) => (n === 0 ? new Uint8Array([...b, ...ccs, ...ccs, ...ccs]) : b),
    });
    expect(o.serverError).toBeInstanceOf(TlsError);
    expect(o.serverError!.message).toMatch(/too many change_cipher_spec/);
  });

  it('a handshake message over the configured size → illegal_parameter before it is buffered', () => {
    const o = runPair({ server: { limits: { maxHandshakeMessageSize: 100 } } });
    // The ClientHello is larger than 100 bytes.
    expect(o.serverError).toBeInstanceOf(TlsError);
    expect(o.serverError!.alertName).toBe('illegal_parameter');
  });

  it('the server certificate may exceed the general message limit (it has its own)', () => {
    const o = runPair({ client: { limits: { maxHandshakeMessageSize: 600, maxCertificateMessageSize: 4096 } } });
    expect(o.clientError ?? o.serverError).toBeUndefined();
  });

  it('a record announcing more than 2^14 + 256 bytes is refused at its header, before buffering', () => {
    const { client } = runPair();
    expect(() => client.receive(new Uint8Array([23, 3, 3, 0x41, 0x01]))).toThrow(/record_overflow/);
  });

  it('input piling up while an async step is pending is bounded', async () => {
    const base = testServerConfig();
    const key = base.signingKey!;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const client = createClientConnection(testClientConfig());
    const server = createServerConnection({
      ...base,
      limits: { maxBufferedBytes: 32 * 1024 },
      signingKey: { schemes: key.schemes, signer: (s) => ({ scheme: s, sign: async (m) => (await gate, key.signer(s).sign(m)) }) },
    });
    server.receive(client.takeOutput()!);
    expect(server.pending).toBeDefined();
    // While the signature is pending, the peer keeps sending: past the bound the server refuses.
    const junk = record(ContentType.application_data, new Uint8Array(16_000));
    expect(() => {
      for (let i = 0; i < 4; i++) server.receive(junk);
    }).toThrow(TlsError);
    release();
  });
});

// ---- audit #9: one bound on records that carry no progress, whatever their type ----

const CCS_RECORD = record(ContentType.change_cipher_spec, Uint8Array.of(1));
const USER_CANCELED = record(ContentType.alert, Uint8Array.of(1, 90));
const repeat = (n: number, ...records: Uint8Array[]): Uint8Array => concatBytes(...Array.from({ length: n }, () => concatBytes(...records)));
const errorOf = (f: () => void): TlsError | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof TlsError) return e;
    throw e;
  }
};

/**
 * A client clock inside the validity of RFC 8448's certificate (it expired on 2026-07-30): a
 * session is offered only while its server certificate is valid (RFC 8446 §4.6.1).
 */
const insideRfc8448Validity = (): Date => new Date(Date.UTC(2026, 0, 1));

/** A resumable session with 0-RTT allowed (max_early_data_size `max`), and the server config that issued it. */
function earlyDataSetup(max: number, server: Partial<ServerConfig> = {}) {
  const serverConfig = testServerConfig({ earlyData: { maxEarlyDataSize: max }, ...server });
  const sessions: ClientSession[] = [];
  runPair({ client: { onSession: (s) => void sessions.push(s), now: insideRfc8448Validity }, serverConn: createServerConnection(serverConfig) });
  expect(sessions[0]?.maxEarlyDataSize).toBe(max);
  return { serverConfig, session: sessions[0]! };
}

/**
 * A client's first flight with one byte of 0-RTT data, then `more(seal)`: further 0-RTT records
 * sealed under the client early traffic key (after the one the client sent), fed to a new server.
 */
function earlyFlight(max: number, more: (seal: Sealer) => Uint8Array, client: Partial<ClientConfig> = {}) {
  const { serverConfig, session } = earlyDataSetup(max);
  const cap = newCapture();
  const c = createClientConnection(testClientConfig({ ...capture(cap), session, earlyData: Uint8Array.of(120), now: insideRfc8448Validity, ...client }));
  const first = c.takeOutput()!;
  const seal = new Sealer(nobleProvider.cipherSuites.find((s) => s.id === session.cipherSuite)!, cap.secrets.get('CLIENT_EARLY_TRAFFIC_SECRET')!);
  seal.record(ContentType.application_data, Uint8Array.of(120)); // the record the client already sent
  const s = createServerConnection(serverConfig);
  return { s, err: errorOf(() => s.receive(concatBytes(first, more(seal)))) };
}

describe('audit #9: records without progress', () => {
  it('audit #9: empty 0-RTT records: 32 in a row are accepted, the 33rd is unexpected_message (20 000 were accepted)', () => {
    const ok = earlyFlight(100, (seal) => repeat(1, ...Array.from({ length: 32 }, () => seal.record(ContentType.application_data, new Uint8Array(0)))));
    expect(ok.err).toBeUndefined();
    expect(ok.s.parameters.earlyData).toBe('accepted');
    const bad = earlyFlight(100, (seal) => concatBytes(...Array.from({ length: 20_000 }, () => seal.record(ContentType.application_data, new Uint8Array(0)))));
    expect(bad.err?.alertName).toBe('unexpected_message');
    expect(bad.err?.message).toMatch(/too many empty 0-RTT/);
  });

  it('audit #9: padding-only 0-RTT records (300 × 16 000 bytes against max_early_data_size 100) → unexpected_message', () => {
    const { err } = earlyFlight(100, (seal) => concatBytes(...Array.from({ length: 300 }, () => seal.record(ContentType.application_data, new Uint8Array(0), 16_000))));
    expect(err?.alertName).toBe('unexpected_message');
  });

  it('audit #9: 0-RTT padding is bounded apart from max_early_data_size: at most max_early_data_size + 2^14 bytes in all', () => {
    // Data within max_early_data_size (100), padding 16 000 + 484 = 100 + 2^14 exactly: accepted.
    const pad = (seal: Sealer, n: number) => seal.record(ContentType.application_data, Uint8Array.of(1), n);
    const one = earlyFlight(100, (seal) => concatBytes(pad(seal, 16_000), pad(seal, 484)));
    expect(one.err).toBeUndefined();
    expect(one.s.parameters.earlyData).toBe('accepted');
    expect(one.s.readEarlyData()).toEqual(Uint8Array.of(120, 1, 1));
    // One byte of padding more is refused (before: 300 such records were taken).
    const two = earlyFlight(100, (seal) => concatBytes(pad(seal, 16_000), pad(seal, 484), pad(seal, 1)));
    expect(two.err?.alertName).toBe('unexpected_message');
    expect(two.err?.message).toMatch(/0-RTT padding/);
  });

  it('audit #9: a client padding its 0-RTT data to the maximum is still accepted', () => {
    const { serverConfig, session } = earlyDataSetup(1000);
    const early = new Uint8Array(600).fill(3);
    const o = runPair({
      clientConn: createClientConnection(testClientConfig({ session, earlyData: early, padding: padToMaximum, now: insideRfc8448Validity })),
      serverConn: createServerConnection(serverConfig),
    });
    expect(o.clientError ?? o.serverError).toBeUndefined();
    expect(o.server.parameters.earlyData).toBe('accepted');
    expect(o.server.readEarlyData()).toEqual(early);
  });

  // A peer sends one change_cipher_spec at most (RFC 8446 Appendix D.4; a second is refused on
  // its own), so the kinds interleaved are the one CCS, empty 0-RTT records and one user_canceled.
  it('audit #9: interleaving records without progress does not reset the bound: change_cipher_spec, empty 0-RTT × 16, user_canceled, empty 0-RTT × 20 → unexpected_message', () => {
    const { err } = earlyFlight(100, (seal) => {
      const empty = () => seal.record(ContentType.application_data, new Uint8Array(0));
      return concatBytes(CCS_RECORD, ...Array.from({ length: 16 }, empty), seal.record(ContentType.alert, Uint8Array.of(1, 90)), ...Array.from({ length: 20 }, empty));
    });
    expect(err?.alertName).toBe('unexpected_message');
    expect(err?.message).toMatch(/without progress/);
  });

  it('audit #9: the change_cipher_spec bound is not reset by other records without progress', () => {
    // The ticket must come from the same config object (its ticket key and anti-replay store).
    const { serverConfig, session } = earlyDataSetup(100, { limits: { maxConsecutiveChangeCipherSpec: 2 } });
    const cap = newCapture();
    const c = createClientConnection(testClientConfig({ ...capture(cap), session, earlyData: Uint8Array.of(120), now: insideRfc8448Validity }));
    const first = c.takeOutput()!;
    const seal = new Sealer(nobleProvider.cipherSuites.find((x) => x.id === session.cipherSuite)!, cap.secrets.get('CLIENT_EARLY_TRAFFIC_SECRET')!);
    seal.record(ContentType.application_data, Uint8Array.of(120)); // the record the client already sent
    const empty = () => seal.record(ContentType.application_data, new Uint8Array(0));
    // maxConsecutiveChangeCipherSpec 2: CCS, empty 0-RTT, CCS, empty 0-RTT, CCS → the third CCS is refused.
    const s = createServerConnection(serverConfig);
    const err = errorOf(() => s.receive(concatBytes(first, CCS_RECORD, empty(), CCS_RECORD, empty(), CCS_RECORD)));
    expect(s.parameters.earlyData).toBe('accepted');
    expect(err?.message).toMatch(/too many change_cipher_spec/);
  });

  it('audit #9: user_canceled before the ClientHello: one is ignored, a second is unexpected_message (100 000 were ignored)', () => {
    const one = createServerConnection(testServerConfig());
    one.receive(USER_CANCELED);
    expect(one.error).toBeUndefined();
    const flood = createServerConnection(testServerConfig());
    const err = errorOf(() => flood.receive(repeat(100_000, USER_CANCELED)));
    expect(err?.alertName).toBe('unexpected_message');
    expect(err?.message).toMatch(/user_canceled/);
  });

  it('audit #9: 20 000 × (change_cipher_spec, user_canceled) after the ClientHello → unexpected_message', () => {
    const s = createServerConnection(testServerConfig());
    s.receive(createClientConnection(testClientConfig()).takeOutput()!);
    const err = errorOf(() => s.receive(repeat(20_000, CCS_RECORD, USER_CANCELED)));
    expect(err?.alertName).toBe('unexpected_message');
  });

  for (const side of ['client', 'server'] as const) {
    it(`audit #9: protected user_canceled after the handshake (${side}): one, then close_notify, is a normal closure; a second is unexpected_message (50 000 were ignored)`, () => {
      const caps = { client: newCapture(), server: newCapture() };
      const o = runPair({ client: capture(caps.client), server: { ...capture(caps.server), tickets: { count: 0 } } });
      expect(o.clientError ?? o.serverError).toBeUndefined();
      const peer = side === 'client' ? o.server : o.client;
      const self = side === 'client' ? o.client : o.server;
      const label = side === 'client' ? 'SERVER_TRAFFIC_SECRET_0' : 'CLIENT_TRAFFIC_SECRET_0';
      const seal = Sealer.of(peer, side === 'client' ? caps.server : caps.client, label);
      self.receive(concatBytes(seal.record(ContentType.alert, Uint8Array.of(1, 90)), seal.record(ContentType.alert, Uint8Array.of(1, 0))));
      expect(self.error).toBeUndefined();
      expect(self.peerClosed).toBe(true);
      const o2 = runPair({ client: capture(caps.client), server: { ...capture(caps.server), tickets: { count: 0 } } });
      const peer2 = side === 'client' ? o2.server : o2.client;
      const self2 = side === 'client' ? o2.client : o2.server;
      const seal2 = Sealer.of(peer2, side === 'client' ? caps.server : caps.client, label);
      const err = errorOf(() => self2.receive(concatBytes(...Array.from({ length: 1000 }, () => seal2.record(ContentType.alert, Uint8Array.of(1, 90))))));
      expect(err?.alertName).toBe('unexpected_message');
    });
  }

  it('audit #9: empty application_data interleaved with user_canceled does not reset the bound', () => {
    const caps = { client: newCapture(), server: newCapture() };
    const o = runPair({ client: capture(caps.client), server: { ...capture(caps.server), limits: { maxRecordsWithoutProgress: 4 } } });
    const seal = Sealer.of(o.client, caps.client, 'CLIENT_TRAFFIC_SECRET_0');
    const empty = () => seal.record(ContentType.application_data, new Uint8Array(0));
    // 4 without progress are fine; data resets the count; then 5 in a row (one a user_canceled) are not.
    o.server.receive(concatBytes(empty(), empty(), empty(), empty(), seal.record(ContentType.application_data, Uint8Array.of(1))));
    expect(o.server.read()).toEqual(Uint8Array.of(1));
    const err = errorOf(() => o.server.receive(concatBytes(empty(), empty(), seal.record(ContentType.alert, Uint8Array.of(1, 90)), empty(), empty())));
    expect(err?.alertName).toBe('unexpected_message');
    expect(err?.message).toMatch(/without progress/);
  });

  it('audit #9: records after close_notify are ignored, within the same bound', () => {
    const caps = { client: newCapture(), server: newCapture() };
    const o = runPair({ client: capture(caps.client), server: capture(caps.server) });
    const seal = Sealer.of(o.client, caps.client, 'CLIENT_TRAFFIC_SECRET_0');
    o.server.receive(seal.record(ContentType.alert, Uint8Array.of(1, 0)));
    expect(o.server.peerClosed).toBe(true);
    o.server.receive(concatBytes(...Array.from({ length: 32 }, () => seal.record(ContentType.application_data, Uint8Array.of(1)))));
    expect(o.server.read()).toBeUndefined();
    const err = errorOf(() => o.server.receive(seal.record(ContentType.application_data, Uint8Array.of(1))));
    expect(err?.alertName).toBe('unexpected_message');
  });

  it('audit #9: maxConsecutiveEmptyRecords still sets the bound (the old name of maxRecordsWithoutProgress)', () => {
    const caps = { client: newCapture(), server: newCapture() };
    const o = runPair({ client: capture(caps.client), server: { ...capture(caps.server), limits: { maxConsecutiveEmptyRecords: 2 } } });
    const seal = Sealer.of(o.client, caps.client, 'CLIENT_TRAFFIC_SECRET_0');
    const empty = () => seal.record(ContentType.application_data, new Uint8Array(0));
    const err = errorOf(() => o.server.receive(concatBytes(seal.record(ContentType.alert, Uint8Array.of(1, 90)), empty(), empty())));
    expect(err?.alertName).toBe('unexpected_message');
  });
});
