// Record dispatch in the connection loop (RFC 8446 §5.1, §5.4, §6; RFC 9846 §5, §6.1): content
// types, handshake messages split across and coalesced into records, empty records, alerts.

import { describe, expect, it } from 'vitest';
import { AlertDescription, PeerAlertError } from '../../../src/errors.js';
import { concatBytes, utf8 } from '../../../src/util/bytes.js';
import {
  CT,
  clientAtEncryptedExtensions,
  clientAtServerHello,
  expectLocalAlert,
  fragment,
  loggedServer,
  output,
  plaintextHandshake,
  protectedRecords,
  record,
  trafficPair,
  type Protection,
} from './loop-fixture.js';

const alert = (level: number, description: number): Uint8Array => Uint8Array.of(level, description);

/** The client, given the server's first flight re-framed by `frame`, completes; so does the server with the client's Finished. */
function completesWith(frame: (sealer: Protection, flight: Uint8Array[]) => Uint8Array): void {
  const { client, server, sealer, flight } = clientAtEncryptedExtensions();
  client.conn.receive(frame(sealer, flight));
  expect(client.conn.error).toBeUndefined();
  expect(client.conn.handshakeComplete).toBe(true);
  server.conn.receive(output(client.conn));
  expect(server.conn.handshakeComplete).toBe(true);
}

/** `data` cut into protected handshake records of at most `size` bytes. */
function sealedFragments(sealer: Protection, data: Uint8Array, size: number): Uint8Array {
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += size) out.push(sealer.handshake(data.subarray(off, off + size)));
  return concatBytes(...out);
}

describe('handshake messages across records (RFC 8446 §5.1: fragmented and coalesced)', () => {
  it('a ClientHello in one-byte records: the server answers with its flight', () => {
    const { server, clientHello } = clientAtServerHello();
    server.conn.receive(fragment(CT.handshake, plaintextHandshake(clientHello), 1));
    expect(server.conn.error).toBeUndefined();
    expect(protectedRecords(output(server.conn)).length).toBeGreaterThan(0);
  });

  it('a ServerHello in 7-byte records, each record its own receive() call, then the real protected flight', () => {
    const { client, server, clientHello } = clientAtServerHello();
    server.conn.receive(clientHello);
    const flight = output(server.conn);
    const sh = plaintextHandshake(flight);
    for (let off = 0; off < sh.length; off += 7) client.conn.receive(record(CT.handshake, sh.subarray(off, off + 7)));
    client.conn.receive(concatBytes(...protectedRecords(flight)));
    expect(client.conn.handshakeComplete).toBe(true);
  });

  it('the whole encrypted flight (EncryptedExtensions … Finished) coalesced into one record', () => {
    completesWith((sealer, flight) => sealer.handshake(...flight));
  });

  it('each encrypted message in a record of its own', () => {
    completesWith((sealer, flight) => concatBytes(...flight.map((m) => sealer.handshake(m))));
  });

  it('the encrypted flight cut every 100 bytes, across message boundaries', () => {
    completesWith((sealer, flight) => sealedFragments(sealer, concatBytes(...flight), 100));
  });

  it('the encrypted flight in one-byte records, delivered one byte at a time', () => {
    const { client, sealer, flight } = clientAtEncryptedExtensions();
    const bytes = sealedFragments(sealer, concatBytes(...flight.slice(0, 2)), 1);
    for (let i = 0; i < bytes.length; i++) client.conn.receive(bytes.subarray(i, i + 1));
    expect(client.conn.error).toBeUndefined();
    client.conn.receive(sealer.handshake(...flight.slice(2)));
    expect(client.conn.handshakeComplete).toBe(true);
  });

  it('a record of another type inside a fragmented handshake message is unexpected_message', () => {
    for (const [type, body] of [
      [CT.alert, alert(1, AlertDescription.user_canceled)],
      [CT.application_data, Uint8Array.of(1)],
      [CT.change_cipher_spec, Uint8Array.of(1)],
    ] as const) {
      const { client, server, clientHello } = clientAtServerHello();
      server.conn.receive(clientHello);
      const sh = plaintextHandshake(output(server.conn));
      const err = expectLocalAlert(client, () => client.conn.receive(concatBytes(record(CT.handshake, sh.subarray(0, 10)), record(type, body))), 'unexpected_message');
      expect(err.message).toContain('interleaved');
    }
  });
});

describe('content types (RFC 8446 §5, §5.4; RFC 9846 §5)', () => {
  it('an unknown plaintext record type is unexpected_message', () => {
    for (const type of [0, 19, 24, 99, 255]) {
      const l = loggedServer();
      expectLocalAlert(l, () => l.conn.receive(record(type, Uint8Array.of(1, 2))), 'unexpected_message');
    }
  });

  it('an unknown inner content type in a protected record is unexpected_message', () => {
    for (const type of [24, 99]) {
      const { client, toClient } = trafficPair();
      expectLocalAlert(client, () => client.conn.receive(toClient.seal(type, utf8('x'))), 'unexpected_message');
      expect(client.conn.read()).toBeUndefined();
    }
  });

  it('a protected record whose plaintext is all zeros (no content type) is unexpected_message (RFC 8446 §5.4)', () => {
    const { client, toClient } = trafficPair();
    expectLocalAlert(client, () => client.conn.receive(toClient.sealInner(new Uint8Array(8))), 'unexpected_message');
  });

  it('a dummy change_cipher_spec after the ClientHello is dropped; the handshake completes', () => {
    const { client, server, clientHello } = clientAtServerHello();
    server.conn.receive(concatBytes(clientHello, record(CT.change_cipher_spec, Uint8Array.of(1))));
    client.conn.receive(output(server.conn));
    // One CCS per peer (RFC 8446 §D.4); a second is unexpected_message (test/negative/conformance-record).
    server.conn.receive(output(client.conn));
    expect(server.conn.error).toBeUndefined();
    expect(server.conn.handshakeComplete).toBe(true);
    expect(server.events).toContainEqual({ type: 'change_cipher_spec', direction: 'received' });
  });

  it('change_cipher_spec before the ClientHello, after the handshake, protected, or not 0x01 is unexpected_message', () => {
    const ccs = record(CT.change_cipher_spec, Uint8Array.of(1));
    const before = loggedServer();
    expectLocalAlert(before, () => before.conn.receive(ccs), 'unexpected_message');
    const after = trafficPair();
    expectLocalAlert(after.client, () => after.client.conn.receive(ccs), 'unexpected_message');
    const prot = trafficPair();
    expectLocalAlert(prot.server, () => prot.server.conn.receive(prot.toServer.seal(CT.change_cipher_spec, Uint8Array.of(1))), 'unexpected_message');
    const { server, clientHello } = clientAtServerHello();
    expectLocalAlert(server, () => server.conn.receive(concatBytes(clientHello, record(CT.change_cipher_spec, Uint8Array.of(2)))), 'unexpected_message');
  });
});

describe('empty records (RFC 8446 §5.1, §5.4) and the bound on records without progress', () => {
  it('a zero-length plaintext handshake record is unexpected_message', () => {
    const l = loggedServer();
    expectLocalAlert(l, () => l.conn.receive(record(CT.handshake, new Uint8Array(0))), 'unexpected_message');
  });

  it('a protected handshake record with no content is unexpected_message', () => {
    const { client, sealer } = clientAtEncryptedExtensions();
    expectLocalAlert(client, () => client.conn.receive(sealer.seal(CT.handshake, new Uint8Array(0))), 'unexpected_message');
  });

  it('32 empty application_data records (some padded) in a row are accepted; data after them is read', () => {
    const { client, toClient } = trafficPair();
    const empties = Array.from({ length: 32 }, (_, i) => toClient.seal(CT.application_data, new Uint8Array(0), i % 2 === 0 ? 0 : 17));
    client.conn.receive(concatBytes(...empties, toClient.seal(CT.application_data, utf8('after'))));
    expect(client.conn.error).toBeUndefined();
    expect(client.conn.read()).toEqual(utf8('after'));
    expect(client.conn.read()).toBeUndefined();
    // Data reset the bound: 32 more are fine.
    client.conn.receive(concatBytes(...Array.from({ length: 32 }, () => toClient.seal(CT.application_data, new Uint8Array(0)))));
    expect(client.conn.error).toBeUndefined();
  });

  it('the 33rd empty record in a row is unexpected_message', () => {
    const { client, toClient } = trafficPair();
    const empties = Array.from({ length: 33 }, () => toClient.seal(CT.application_data, new Uint8Array(0)));
    const err = expectLocalAlert(client, () => client.conn.receive(concatBytes(...empties)), 'unexpected_message');
    expect(err.message).toContain('without progress');
  });
});

describe('alerts (RFC 8446 §6, RFC 9846 §6.1)', () => {
  it('close_notify sets peerClosed; no error, nothing answered', () => {
    const { client, toClient } = trafficPair();
    client.conn.receive(toClient.seal(CT.alert, alert(1, AlertDescription.close_notify)));
    expect(client.conn.peerClosed).toBe(true);
    expect(client.conn.error).toBeUndefined();
    expect(client.conn.closed).toBe(false);
    expect(client.conn.takeOutput()).toBeUndefined();
  });

  it('a fatal alert is a PeerAlertError with its description; no alert goes back', () => {
    const { client, toClient } = trafficPair();
    let caught: unknown;
    try {
      client.conn.receive(toClient.seal(CT.alert, alert(2, AlertDescription.handshake_failure)));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PeerAlertError);
    expect((caught as PeerAlertError).alertName).toBe('handshake_failure');
    expect(client.conn.error).toBe(caught);
    expect(client.conn.takeOutput()).toBeUndefined();
  });

  it('a plaintext fatal alert during the handshake ends it the same way', () => {
    const { client } = clientAtServerHello();
    expect(() => client.conn.receive(record(CT.alert, alert(2, AlertDescription.protocol_version)))).toThrow(PeerAlertError);
    expect(client.conn.error?.alertName).toBe('protocol_version');
    expect(client.conn.takeOutput()).toBeUndefined();
  });

  it('a warning-level alert other than close_notify and user_canceled is an error too (RFC 8446 §6.2)', () => {
    const { client, toClient } = trafficPair();
    expect(() => client.conn.receive(toClient.seal(CT.alert, alert(1, AlertDescription.bad_certificate)))).toThrow(PeerAlertError);
    expect(client.conn.error?.alertName).toBe('bad_certificate');
  });

  it('one user_canceled is ignored; a second is unexpected_message (RFC 9846 §6.1)', () => {
    const { client, toClient } = trafficPair();
    client.conn.receive(toClient.seal(CT.alert, alert(1, AlertDescription.user_canceled)));
    expect(client.conn.error).toBeUndefined();
    expectLocalAlert(client, () => client.conn.receive(toClient.seal(CT.alert, alert(1, AlertDescription.user_canceled))), 'unexpected_message');
  });

  it('an alert record that is not exactly two bytes is decode_error (RFC 8446 §5.1: no coalesced or fragmented alerts)', () => {
    for (const body of [Uint8Array.of(1), Uint8Array.of(1, 0, 1, 0)]) {
      const { client, toClient } = trafficPair();
      expectLocalAlert(client, () => client.conn.receive(toClient.seal(CT.alert, body)), 'decode_error');
    }
  });
});

