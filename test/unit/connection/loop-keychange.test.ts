// Key changes on record boundaries (RFC 8446 §5.1): a handshake message that ends where the
// read key changes must end its record; bytes after it under the old key are unexpected_message.

import { describe, expect, it } from 'vitest';
import { KeyUpdateRequest } from '../../../src/wire/codepoints.js';
import { concatBytes, utf8 } from '../../../src/util/bytes.js';
import {
  CT,
  HT,
  clientAtEncryptedExtensions,
  clientAtServerHello,
  expectLocalAlert,
  generations,
  keyUpdate,
  output,
  plaintextHandshake,
  protection,
  record,
  sampleMessage,
  trafficPair,
} from './loop-fixture.js';

const SPANS = 'handshake message spans a key change';

/** The client at ExpectServerHello and the real server's ServerHello (its handshake bytes). */
function serverHello(): ReturnType<typeof clientAtServerHello> & { sh: Uint8Array } {
  const at = clientAtServerHello();
  at.server.conn.receive(at.clientHello);
  return { ...at, sh: plaintextHandshake(output(at.server.conn)) };
}

describe('a key change must fall on a record boundary (RFC 8446 §5.1)', () => {
  it('ServerHello and the first bytes of EncryptedExtensions in one record', () => {
    const { client, sh } = serverHello();
    const ee = sampleMessage(HT.encrypted_extensions);
    const err = expectLocalAlert(client, () => client.conn.receive(record(CT.handshake, concatBytes(sh, ee.subarray(0, 2)))), 'unexpected_message');
    expect(err.message).toContain(SPANS);
  });

  it('ServerHello and a whole EncryptedExtensions in one plaintext record', () => {
    const { client, sh } = serverHello();
    const err = expectLocalAlert(client, () => client.conn.receive(record(CT.handshake, concatBytes(sh, sampleMessage(HT.encrypted_extensions)))), 'unexpected_message');
    expect(err.message).toContain(SPANS);
  });

  it('a ServerHello split over two records, the second carrying one byte more', () => {
    const { client, sh } = serverHello();
    client.conn.receive(record(CT.handshake, sh.subarray(0, 20)));
    expect(client.conn.error).toBeUndefined();
    const err = expectLocalAlert(client, () => client.conn.receive(record(CT.handshake, concatBytes(sh.subarray(20), Uint8Array.of(HT.encrypted_extensions)))), 'unexpected_message');
    expect(err.message).toContain(SPANS);
  });

  it('the server Finished and a NewSessionTicket in one record under the handshake key', () => {
    const { client, sealer, flight } = clientAtEncryptedExtensions();
    const err = expectLocalAlert(client, () => client.conn.receive(sealer.handshake(...flight, sampleMessage(HT.new_session_ticket))), 'unexpected_message');
    expect(err.message).toContain(SPANS);
    expect(client.conn.handshakeComplete).toBe(false);
  });

  it('the client Finished and a KeyUpdate in one record under the client handshake key', () => {
    const { client, server, sealer, flight } = clientAtEncryptedExtensions();
    client.conn.receive(sealer.handshake(...flight));
    const finished = client.sent[client.sent.length - 1]!;
    expect(finished[0]).toBe(HT.finished);
    // Re-sealed as the client, from the first record under its handshake key (which the server logged).
    const p = protection(server, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET');
    const err = expectLocalAlert(server, () => server.conn.receive(p.handshake(finished, keyUpdate(KeyUpdateRequest.update_not_requested))), 'unexpected_message');
    expect(err.message).toContain(SPANS);
  });

  it('a KeyUpdate and a NewSessionTicket in one record', () => {
    const { client, toClient } = trafficPair();
    const err = expectLocalAlert(
      client,
      () => client.conn.receive(toClient.handshake(keyUpdate(KeyUpdateRequest.update_not_requested), sampleMessage(HT.new_session_ticket))),
      'unexpected_message',
    );
    expect(err.message).toContain(SPANS);
  });

  it('a KeyUpdate followed by the start of a message whose rest would come under the new key', () => {
    const { client, toClient } = trafficPair();
    const nst = sampleMessage(HT.new_session_ticket);
    const next = toClient.next();
    const bytes = concatBytes(toClient.handshake(keyUpdate(KeyUpdateRequest.update_not_requested), nst.subarray(0, 3)), next.handshake(nst.subarray(3)));
    const err = expectLocalAlert(client, () => client.conn.receive(bytes), 'unexpected_message');
    expect(err.message).toContain(SPANS);
    expect(client.conn.read()).toBeUndefined();
  });

  it('a KeyUpdate split over two records under the old key, then data under the new key, is read', () => {
    const { client, toClient } = trafficPair();
    const ku = keyUpdate(KeyUpdateRequest.update_not_requested);
    const next = toClient.next();
    client.conn.receive(concatBytes(toClient.handshake(ku.subarray(0, 2)), toClient.handshake(ku.subarray(2)), next.seal(CT.application_data, utf8('new key'))));
    expect(client.conn.error).toBeUndefined();
    expect(client.conn.read()).toEqual(utf8('new key'));
    expect(generations(client, 'read')).toEqual([0, 1]);
  });

  it('a KeyUpdate, then a NewSessionTicket in the next record under the new key, is accepted', () => {
    const { client, toClient } = trafficPair();
    const next = toClient.next();
    client.conn.receive(concatBytes(toClient.handshake(keyUpdate(KeyUpdateRequest.update_not_requested)), next.handshake(sampleMessage(HT.new_session_ticket))));
    expect(client.conn.error).toBeUndefined();
    expect(client.events).toContainEqual(expect.objectContaining({ type: 'handshake', direction: 'received', message: expect.objectContaining({ msgType: HT.new_session_ticket }) }));
  });
});
