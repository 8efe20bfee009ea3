// Closure in the connection loop (RFC 8446 §6.1; RFC 9846 §6.1): close_notify out, the peer's
// close_notify in, half-close (each side closes its own writes), usage errors after close().

import { describe, expect, it } from 'vitest';
import { AlertDescription, TlsUsageError } from '../../../src/errors.js';
import { connectPair, drain } from '../../../src/testing/memory.js';
import { concatBytes, utf8 } from '../../../src/util/bytes.js';
import { CT, HT, alertsIn, clientAtServerHello, loggedClient, loggedServer, output, record, sampleMessage, shuttle, suiteOf, trafficPair } from './loop-fixture.js';

const closeNotify = { level: 1, description: AlertDescription.close_notify };

describe('close() sends close_notify (RFC 8446 §6.1)', () => {
  it('one close_notify under our application key; a second close() sends nothing', () => {
    const { client, server, heldBack } = trafficPair();
    client.conn.receive(heldBack);
    client.conn.close();
    expect(client.conn.closed).toBe(true);
    const out = output(client.conn);
    expect(alertsIn(out, suiteOf(client.conn), [client.secrets.get('CLIENT_TRAFFIC_SECRET_0')!])).toEqual([closeNotify]);
    client.conn.close();
    expect(client.conn.takeOutput()).toBeUndefined();
    server.conn.receive(out);
    expect(server.conn.peerClosed).toBe(true);
    expect(server.conn.error).toBeUndefined();
    expect(server.conn.read()).toBeUndefined();
  });

  it('write() and updateKeys() after close() are usage errors; the connection itself does not fail', () => {
    const { client } = trafficPair();
    client.conn.close();
    expect(() => client.conn.write(utf8('late'))).toThrow(TlsUsageError);
    expect(() => client.conn.updateKeys()).toThrow(TlsUsageError);
    expect(client.conn.error).toBeUndefined();
  });

  it('close() during the handshake with nothing queued sends close_notify at once (in the clear before any key)', () => {
    const { client, server, clientHello } = clientAtServerHello();
    client.conn.close();
    const out = output(client.conn);
    expect(alertsIn(out, undefined)).toEqual([closeNotify]);
    server.conn.receive(concatBytes(clientHello, out));
    expect(server.conn.peerClosed).toBe(true);
    expect(server.conn.error).toBeUndefined();
  });

  it('close() with data queued before the handshake completes: the data goes first, then close_notify; write() is refused at once', async () => {
    const client = loggedClient();
    const server = loggedServer();
    client.conn.write(utf8('queued'));
    client.conn.close();
    expect(() => client.conn.write(utf8('more'))).toThrow(TlsUsageError);
    const pair = connectPair(client.conn, server.conn);
    await pair.handshake();
    expect(drain(server.conn)).toEqual(utf8('queued'));
    expect(server.conn.peerClosed).toBe(true);
    expect(client.conn.closed).toBe(true);
  });

  it('after a fatal error close() sends nothing, and write() rethrows the error', () => {
    const l = loggedServer();
    expect(() => l.conn.receive(record(CT.handshake, sampleMessage(HT.finished)))).toThrow();
    output(l.conn);
    l.conn.close();
    expect(l.conn.takeOutput()).toBeUndefined();
    expect(() => l.conn.write(utf8('x'))).toThrow(l.conn.error!);
  });
});

describe("the peer's close_notify: half-close (RFC 8446 §6.1)", () => {
  it('reads end: data and handshake messages after close_notify are ignored, without error', () => {
    const { client, toClient } = trafficPair();
    client.conn.receive(
      concatBytes(
        toClient.seal(CT.application_data, utf8('before')),
        toClient.seal(CT.alert, Uint8Array.of(1, AlertDescription.close_notify)),
        toClient.seal(CT.application_data, utf8('after')),
        toClient.handshake(sampleMessage(HT.new_session_ticket)),
      ),
    );
    expect(client.conn.error).toBeUndefined();
    expect(client.conn.read()).toEqual(utf8('before'));
    expect(client.conn.read()).toBeUndefined();
    expect(client.events.filter((e) => e.type === 'handshake' && e.direction === 'received' && e.message.msgType === HT.new_session_ticket)).toEqual([]);
  });

  it('writes still work until we close; then both directions are done and later input is ignored', () => {
    const { client, server, heldBack } = trafficPair();
    client.conn.receive(heldBack);
    server.conn.close();
    client.conn.receive(output(server.conn));
    expect(client.conn.peerClosed).toBe(true);
    expect(client.conn.closed).toBe(false);
    // The server closed its writes only: it still reads what the client sends.
    client.conn.write(utf8('still writing'));
    server.conn.receive(output(client.conn));
    expect(drain(server.conn)).toEqual(utf8('still writing'));
    client.conn.close();
    server.conn.receive(output(client.conn));
    expect(server.conn.peerClosed && server.conn.closed && client.conn.closed).toBe(true);
    // Closed both ways: more input is ignored, nothing goes out, nothing fails.
    client.conn.receive(record(CT.application_data, new Uint8Array(40)));
    expect(client.conn.error).toBeUndefined();
    expect(client.conn.takeOutput()).toBeUndefined();
    expect(server.conn.takeOutput()).toBeUndefined();
  });

  it('a driven pair closing from both sides settles (nothing hangs)', async () => {
    const pair = connectPair(loggedClient().conn, loggedServer().conn);
    await pair.handshake();
    expect(await pair.send('client', utf8('ping'))).toEqual(utf8('ping'));
    await pair.close('client');
    expect(await pair.send('server', utf8('pong'))).toEqual(utf8('pong'));
    await pair.close('server');
    expect(pair.flush()).toBe(0);
    expect(pair.client.error ?? pair.server.error).toBeUndefined();
    shuttle(pair.client, pair.server);
  });
});
