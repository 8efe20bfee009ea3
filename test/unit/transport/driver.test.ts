import { describe, expect, it } from 'vitest';
import { AlertDescription, PeerAlertError, TlsError, TlsUsageError } from '../../../src/errors.js';
import { pump, TlsStream, TruncationError, openTlsStream } from '../../../src/io/index.js';
import { streamPair } from '../../../src/testing/memory.js';
import { fromUtf8, utf8 } from '../../../src/util/bytes.js';
import { FakeConnection, frame } from './fake.js';
import { ScriptChannel } from './script-channel.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('TlsStream over a memory channel pair', () => {
  it('handshakes, exchanges data both ways and closes cleanly', async () => {
    const { client, server } = streamPair(new FakeConnection('client'), new FakeConnection('server'));
    const [cp, sp] = await Promise.all([client.handshake(), server.handshake()]);
    expect(cp.cipherSuiteName).toBe('TLS_AES_128_GCM_SHA256');
    expect(sp.version).toBe('TLSv1.3');
    await client.write(utf8('ping'));
    expect(fromUtf8((await server.read())!)).toBe('ping');
    await server.write(utf8('pong'));
    expect(fromUtf8((await client.read())!)).toBe('pong');
    const closing = client.close();
    expect(await server.read()).toBeNull();
    await server.close();
    await closing;
    expect(await client.read()).toBeNull();
    await expect(client.finished).resolves.toBeUndefined();
    await expect(server.finished).resolves.toBeUndefined();
  });

  it('reassembles when the channel delivers one byte at a time', async () => {
    const { client, server } = streamPair(new FakeConnection('client'), new FakeConnection('server'), { chunkSize: 1 });
    await client.handshake();
    await client.write(utf8('hello world'));
    expect(fromUtf8((await server.read())!)).toBe('hello world');
  });

  it('half-close: after the peer closes, we can still write until we close', async () => {
    const { client, server, channels } = streamPair(new FakeConnection('client'), new FakeConnection('server'));
    await client.handshake();
    const clientClosed = client.close();
    expect(await server.read()).toBeNull();
    expect(server.connection.peerClosed).toBe(true);
    await server.write(utf8('late reply'));
    expect(fromUtf8((await client.read())!)).toBe('late reply');
    await server.close();
    await clientClosed;
    expect(await client.read()).toBeNull();
    expect(channels[0].closed && channels[1].closed).toBe(true);
  });

  it('writes wait for the handshake; write after close is a usage error', async () => {
    const { client, server } = streamPair(new FakeConnection('client'), new FakeConnection('server'));
    const w = client.write(utf8('early'));
    await w;
    expect(client.connection.handshakeComplete).toBe(true);
    expect(fromUtf8((await server.read())!)).toBe('early');
    void client.close();
    await expect(client.write(utf8('x'))).rejects.toBeInstanceOf(TlsUsageError);
  });

  it('updateKeys(true) sends a key update and the peer answers', async () => {
    const { client, server } = streamPair(new FakeConnection('client'), new FakeConnection('server'));
    await client.handshake();
    await client.updateKeys(true);
    await server.write(utf8('after update'));
    expect(fromUtf8((await client.read())!)).toBe('after update');
    expect((server.connection as FakeConnection).keyUpdates).toBe(1);
    expect((client.connection as FakeConnection).keyUpdates).toBe(1);
  });

  it('async iteration yields chunks until close_notify', async () => {
    const { client, server } = streamPair(new FakeConnection('client'), new FakeConnection('server'));
    await client.write(utf8('a'));
    await client.write(utf8('b'));
    void client.close();
    const got: string[] = [];
    for await (const c of server) got.push(fromUtf8(c));
    expect(got).toEqual(['a', 'b']);
  });
});

describe('pump over a scripted channel', () => {
  it('flushes output before awaiting a pending step, then processes', async () => {
    const conn = new FakeConnection('server', { pendingAfterHello: true });
    const ch = new ScriptChannel();
    const stream = new TlsStream(conn, ch);
    ch.feed(frame('H'));
    await tick();
    // Our hello went out while the async step is still pending.
    expect(ch.events).toEqual(['write:H']);
    expect(conn.pending).toBeDefined();
    expect(conn.handshakeComplete).toBe(false);
    conn.resolveStep!();
    const params = await stream.handshake();
    expect(params.version).toBe('TLSv1.3');
    expect(conn.pending).toBeUndefined();
  });

  it('a failed pending step: alert flushed, then channel closed, then error surfaced', async () => {
    const conn = new FakeConnection('server', { pendingAfterHello: true, pendingFails: true });
    const ch = new ScriptChannel();
    const stream = new TlsStream(conn, ch);
    ch.feed(frame('H'));
    await tick();
    conn.resolveStep!();
    const err = await stream.handshake().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).alert).toBe(AlertDescription.internal_error);
    expect(ch.events).toEqual(['write:H', 'write:A', 'close']);
  });

  it('a TlsError from receive: alert flushed, then channel closed, then surfaced to every waiter', async () => {
    const conn = new FakeConnection('client');
    const ch = new ScriptChannel();
    const stream = new TlsStream(conn, ch);
    const reading = stream.read();
    ch.feed(frame('X'));
    const err = await stream.handshake().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).alertName).toBe('decode_error');
    await expect(reading).rejects.toBe(err);
    await expect(stream.finished).rejects.toBe(err);
    expect(ch.events).toEqual(['write:H', 'write:A', 'close']);
    await expect(stream.write(utf8('x'))).rejects.toBe(err);
    await stream.close(); // never rejects once failed
    expect(ch.events.filter((e) => e === 'close')).toHaveLength(1);
  });

  it('EOF without close_notify surfaces a TruncationError', async () => {
    const conn = new FakeConnection('client');
    const ch = new ScriptChannel();
    const stream = new TlsStream(conn, ch);
    ch.feed(frame('H'));
    await stream.handshake();
    ch.feed(frame('D', utf8('partial')));
    ch.feed(null);
    expect(fromUtf8((await stream.read())!)).toBe('partial');
    await expect(stream.read()).rejects.toBeInstanceOf(TruncationError);
    expect(ch.events.at(-1)).toBe('close');
  });

  it('EOF during the handshake rejects handshake() with TruncationError', async () => {
    const ch = new ScriptChannel();
    ch.feed(null);
    await expect(openTlsStream(new FakeConnection('client'), ch)).rejects.toBeInstanceOf(TruncationError);
  });

  it("the peer's alert surfaces as PeerAlertError and closes the channel", async () => {
    const ch = new ScriptChannel();
    const stream = new TlsStream(new FakeConnection('client'), ch);
    ch.feed(frame('A', new Uint8Array([AlertDescription.unknown_ca])));
    const err = await stream.handshake().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerAlertError);
    expect((err as PeerAlertError).alertName).toBe('unknown_ca');
    expect(ch.events).toEqual(['write:H', 'close']);
  });

  it('close() sends close_notify and waits for the peer’s before closing the channel', async () => {
    const ch = new ScriptChannel();
    const stream = new TlsStream(new FakeConnection('client'), ch);
    ch.feed(frame('H'));
    await stream.handshake();
    let done = false;
    const closing = stream.close().then(() => (done = true));
    await tick();
    expect(ch.events).toEqual(['write:H', 'write:C']);
    expect(done).toBe(false);
    ch.feed(frame('C'));
    await closing;
    expect(ch.events).toEqual(['write:H', 'write:C', 'close']);
  });

  it('close() gives up waiting for the peer after closeTimeoutMs', async () => {
    const ch = new ScriptChannel();
    const stream = new TlsStream(new FakeConnection('client'), ch, { closeTimeoutMs: 20 });
    ch.feed(frame('H'));
    await stream.handshake();
    await stream.close();
    expect(ch.events).toEqual(['write:H', 'write:C', 'close']);
  });

  it('stops reading the channel above the high-water mark until the application reads', async () => {
    const ch = new ScriptChannel();
    const stream = new TlsStream(new FakeConnection('client'), ch, { highWaterMark: 10 });
    ch.feed(frame('H'));
    await stream.handshake();
    ch.feed(frame('D', new Uint8Array(8)));
    ch.feed(frame('D', new Uint8Array(8)));
    ch.feed(frame('D', new Uint8Array(8)));
    await tick();
    const readsWhenFull = ch.reads;
    await tick();
    expect(ch.reads).toBe(readsWhenFull);
    expect((await stream.read())!.length).toBe(8);
    await tick();
    expect(ch.reads).toBeGreaterThan(readsWhenFull);
    expect((await stream.read())!.length).toBe(8);
    expect((await stream.read())!.length).toBe(8);
  });

  it('pump() resolves at close_notify and reports data and the handshake', async () => {
    const conn = new FakeConnection('client');
    const ch = new ScriptChannel();
    const seen: string[] = [];
    const done = pump(conn, ch, {
      onHandshake: (p) => seen.push(`hs:${p.version}`),
      onData: (d) => seen.push(`data:${fromUtf8(d)}`),
      onPeerClose: () => seen.push('peer-close'),
    });
    ch.feed(frame('H'));
    ch.feed(frame('D', utf8('x')));
    ch.feed(frame('C'));
    await done;
    expect(seen).toEqual(['hs:TLSv1.3', 'data:x', 'peer-close']);
    expect(ch.events).toEqual(['write:H']); // the channel stays open for our side
  });

  it('a channel read error closes the channel and surfaces the error', async () => {
    const ch = new ScriptChannel();
    ch.read = () => Promise.reject(new Error('ECONNRESET'));
    const stream = new TlsStream(new FakeConnection('client'), ch);
    await expect(stream.handshake()).rejects.toThrow('ECONNRESET');
    expect(ch.events).toEqual(['write:H', 'close']);
  });
});
