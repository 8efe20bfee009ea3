import { describe, expect, it } from 'vitest';
import { PeerAlertError, TlsError } from '../../../src/errors.js';
import { connectPair, drain, handshakePair, memoryChannelPair, transfer } from '../../../src/testing/memory.js';
import { fromUtf8, utf8 } from '../../../src/util/bytes.js';
import { FakeConnection, frame } from './fake.js';

describe('memory pair (synchronous shuttle)', () => {
  it('transfer() moves one side’s output into the other', () => {
    const c = new FakeConnection('client');
    const s = new FakeConnection('server');
    expect(transfer(c, s)).toBe(3);
    expect(transfer(c, s)).toBe(0);
    expect(transfer(s, c)).toBe(3);
    expect(c.handshakeComplete && s.handshakeComplete).toBe(true);
  });

  it('handshakePair() completes and counts bytes per direction', async () => {
    const { clientToServer, serverToClient, pair } = await handshakePair(new FakeConnection('client'), new FakeConnection('server'));
    expect([clientToServer, serverToClient]).toEqual([3, 3]);
    expect(pair.log.map((c) => c.from)).toEqual(['client', 'server']);
  });

  it('flush() stops at a pending step; run() settles it', async () => {
    const s = new FakeConnection('server', { pendingAfterHello: true });
    const pair = connectPair(new FakeConnection('client'), s);
    pair.flush();
    expect(pair.pending).toBe(true);
    expect(s.handshakeComplete).toBe(false);
    setTimeout(() => s.resolveStep!(), 1);
    const params = await pair.handshake();
    expect(params.server.version).toBe('TLSv1.3');
    expect(pair.pending).toBe(false);
  });

  it('chunkSize delivers each chunk in receive() calls of at most that many bytes', async () => {
    const s = new FakeConnection('server');
    const sizes: number[] = [];
    const receive = s.receive.bind(s);
    s.receive = (b: Uint8Array): void => {
      sizes.push(b.length);
      receive(b);
    };
    const pair = connectPair(new FakeConnection('client'), s, { chunkSize: 2 });
    await pair.handshake();
    expect(fromUtf8(await pair.send('client', utf8('hello')))).toBe('hello');
    expect(sizes).toEqual([2, 1, 2, 2, 2, 2]); // 'H' frame (3 bytes), then 'D' frame (8 bytes)
    expect(pair.bytes.clientToServer).toBe(11);
    expect(() => connectPair(s, s, { chunkSize: 0 })).toThrow(RangeError);
  });

  it('handshake() throws when the exchange stalls', async () => {
    const pair = connectPair(new FakeConnection('client'), new FakeConnection('server'), {
      intercept: (from, b) => (from === 'server' ? null : b),
    });
    await expect(pair.handshake()).rejects.toThrow(/stalled/);
  });

  it('send() delivers data and close() delivers close_notify', async () => {
    const pair = connectPair(new FakeConnection('client'), new FakeConnection('server'));
    await pair.handshake();
    expect(fromUtf8(await pair.send('client', utf8('hi')))).toBe('hi');
    expect(fromUtf8(await pair.send('server', utf8('yo')))).toBe('yo');
    await pair.close('client');
    expect(pair.server.peerClosed).toBe(true);
    expect(drain(pair.server)).toHaveLength(0);
  });

  it('an interceptor can tamper; the error propagates and the alert can be delivered back', async () => {
    const pair = connectPair(new FakeConnection('client'), new FakeConnection('server'), {
      intercept: (from, b) => (from === 'client' && b[0] === 'D'.charCodeAt(0) ? frame('X') : b),
    });
    await pair.handshake();
    pair.client.write(utf8('x'));
    expect(() => pair.flush()).toThrow(TlsError);
    expect(() => pair.transfer('server')).toThrow(PeerAlertError);
    expect(pair.client.error?.alertName).toBe('decode_error');
  });
});

describe('memory channel pair', () => {
  it('carries bytes both ways, splits by chunkSize, and signals EOF on close', async () => {
    const [a, b] = memoryChannelPair({ chunkSize: 2 });
    await a.write(utf8('abcde'));
    expect(fromUtf8((await b.read())!)).toBe('ab');
    expect(fromUtf8((await b.read())!)).toBe('cd');
    expect(fromUtf8((await b.read())!)).toBe('e');
    const pending = a.read();
    await b.write(utf8('z'));
    expect(fromUtf8((await pending)!)).toBe('z');
    await a.close();
    expect(await b.read()).toBeNull();
    expect(await a.read()).toBeNull();
    await expect(b.write(utf8('late'))).rejects.toThrow();
  });

  it('endWrite() is a half-close', async () => {
    const [a, b] = memoryChannelPair();
    a.endWrite();
    expect(await b.read()).toBeNull();
    await b.write(utf8('still'));
    expect(fromUtf8((await a.read())!)).toBe('still');
  });
});
