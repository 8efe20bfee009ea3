// KeyUpdate through the connection loop (RFC 8446 §4.6.3, §7.2; RFC 9846 §4.6.3): answers to
// update_requested, generation counters, and data under the updated keys.

import { describe, expect, it } from 'vitest';
import { TlsUsageError } from '../../../src/errors.js';
import { connectPair, drain } from '../../../src/testing/memory.js';
import { KeyUpdateRequest } from '../../../src/wire/codepoints.js';
import { concatBytes, utf8 } from '../../../src/util/bytes.js';
import {
  CT,
  HT,
  clientAtServerHello,
  expectLocalAlert,
  generations,
  keyUpdate,
  loggedClient,
  loggedServer,
  output,
  protection,
  records,
  trafficPair,
  type Logged,
  type Protection,
} from './loop-fixture.js';

const { update_requested: REQUESTED, update_not_requested: NOT_REQUESTED } = KeyUpdateRequest;

/** Opens each record of `bytes` in turn under `p`, moving to the next key after a KeyUpdate. */
function openAll(p: Protection, bytes: Uint8Array): { type: number; content: Uint8Array }[] {
  const out: { type: number; content: Uint8Array }[] = [];
  let key = p;
  for (const r of records(bytes)) {
    const opened = key.open(r);
    if (!opened) throw new Error(`record ${out.length} does not open under the expected key`);
    out.push(opened);
    if (opened.type === CT.handshake && opened.content[0] === HT.key_update) key = key.next();
  }
  return out;
}

const sentKeyUpdates = (l: Logged): number[] =>
  l.events.flatMap((e) => (e.type === 'handshake' && e.direction === 'sent' && e.message.msgType === HT.key_update ? [e.message.requestUpdate] : []));

describe('answering the peer’s KeyUpdate (RFC 8446 §4.6.3)', () => {
  it('one update_requested gets one update_not_requested, before our next application data, which goes under the new key', () => {
    const { client, toClient } = trafficPair();
    const asClient = protection(client, 'CLIENT_TRAFFIC_SECRET_0');
    client.conn.receive(toClient.handshake(keyUpdate(REQUESTED)));
    client.conn.write(utf8('after the update'));
    const opened = openAll(asClient, output(client.conn));
    expect(opened.map((o) => o.type)).toEqual([CT.handshake, CT.application_data]);
    expect(opened[0]!.content).toEqual(keyUpdate(NOT_REQUESTED));
    expect(opened[1]!.content).toEqual(utf8('after the update'));
    expect(generations(client, 'read')).toEqual([0, 1]);
    expect(generations(client, 'write')).toEqual([0, 1]);
  });

  it('two requests in one batch of input get a single answer', () => {
    const { client, toClient } = trafficPair();
    const next = toClient.next();
    client.conn.receive(concatBytes(toClient.handshake(keyUpdate(REQUESTED)), next.handshake(keyUpdate(REQUESTED))));
    expect(sentKeyUpdates(client)).toEqual([NOT_REQUESTED]);
    expect(generations(client, 'read')).toEqual([0, 1, 2]);
    expect(generations(client, 'write')).toEqual([0, 1]);
  });

  it('update_not_requested moves our read key only; nothing is answered', () => {
    const { client, toClient } = trafficPair();
    client.conn.receive(concatBytes(toClient.handshake(keyUpdate(NOT_REQUESTED)), toClient.next().seal(CT.application_data, utf8('gen 1'))));
    expect(client.conn.read()).toEqual(utf8('gen 1'));
    expect(client.conn.takeOutput()).toBeUndefined();
    expect(generations(client, 'read')).toEqual([0, 1]);
    expect(generations(client, 'write')).toEqual([0]);
  });

  it('a request after we sent close_notify gets no answer (RFC 8446 §6.1: we send nothing more)', () => {
    const { client, toClient } = trafficPair();
    client.conn.close();
    output(client.conn);
    client.conn.receive(toClient.handshake(keyUpdate(REQUESTED)));
    expect(client.conn.error).toBeUndefined();
    expect(client.conn.takeOutput()).toBeUndefined();
    expect(sentKeyUpdates(client)).toEqual([]);
  });

  it('a request_update value other than 0 or 1 is illegal_parameter', () => {
    const { client, toClient } = trafficPair();
    expectLocalAlert(client, () => client.conn.receive(toClient.handshake(keyUpdate(2))), 'illegal_parameter');
  });

  it('the 33rd KeyUpdate without application data in between is unexpected_message', () => {
    const { client, toClient } = trafficPair();
    let key = toClient;
    const updates: Uint8Array[] = [];
    for (let i = 0; i < 33; i++) {
      updates.push(key.handshake(keyUpdate(NOT_REQUESTED)));
      key = key.next();
    }
    client.conn.receive(concatBytes(...updates.slice(0, 32)));
    expect(client.conn.error).toBeUndefined();
    expectLocalAlert(client, () => client.conn.receive(updates[32]!), 'unexpected_message');
  });
});

describe('updateKeys() between two real connections (RFC 8446 §4.6.3, §7.2)', () => {
  it('generations advance on both sides, and data written after each update is read by the peer', async () => {
    const client = loggedClient();
    const server = loggedServer();
    const pair = connectPair(client.conn, server.conn);
    await pair.handshake();
    for (const generation of [1, 2]) {
      client.conn.updateKeys(true);
      expect(await pair.send('client', utf8(`client gen ${generation}`))).toEqual(utf8(`client gen ${generation}`));
      expect(await pair.send('server', utf8(`server gen ${generation}`))).toEqual(utf8(`server gen ${generation}`));
      expect(generations(client, 'write').at(-1)).toBe(generation);
      expect(generations(server, 'read').at(-1)).toBe(generation);
      expect(generations(server, 'write').at(-1)).toBe(generation);
      expect(generations(client, 'read').at(-1)).toBe(generation);
    }
    expect(sentKeyUpdates(client)).toEqual([REQUESTED, REQUESTED]);
    expect(sentKeyUpdates(server)).toEqual([NOT_REQUESTED, NOT_REQUESTED]);
  });

  it('updateKeys(false): the peer follows with its read key only', async () => {
    const client = loggedClient();
    const server = loggedServer();
    const pair = connectPair(client.conn, server.conn);
    await pair.handshake();
    client.conn.updateKeys(false);
    expect(await pair.send('client', utf8('one way'))).toEqual(utf8('one way'));
    expect(await pair.send('server', utf8('other way'))).toEqual(utf8('other way'));
    expect(generations(server, 'read')).toEqual([0, 1]);
    expect(generations(server, 'write')).toEqual([0]);
    expect(sentKeyUpdates(server)).toEqual([]);
  });

  it('a second updateKeys(true) before the answer is sent as update_not_requested (RFC 9846 §4.6.3); one answer comes back', async () => {
    const client = loggedClient();
    const server = loggedServer();
    const pair = connectPair(client.conn, server.conn);
    await pair.handshake();
    client.conn.updateKeys(true);
    client.conn.updateKeys(true);
    client.conn.write(utf8('gen 2'));
    await pair.run();
    expect(drain(server.conn)).toEqual(utf8('gen 2'));
    expect(sentKeyUpdates(client)).toEqual([REQUESTED, NOT_REQUESTED]);
    expect(sentKeyUpdates(server)).toEqual([NOT_REQUESTED]);
    expect(generations(server, 'read')).toEqual([0, 1, 2]);
  });

  it('updateKeys() before the handshake completes is a usage error', () => {
    const { client } = clientAtServerHello();
    expect(() => client.conn.updateKeys()).toThrow(TlsUsageError);
    expect(client.conn.error).toBeUndefined();
  });
});
