import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TlsStream, TruncationError } from '../../../src/io/index.js';
import { socketChannel } from '../../../src/node/socket.js';
import { fromUtf8, utf8 } from '../../../src/util/bytes.js';
import { FakeConnection } from './fake.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** A connected socket pair over loopback TCP. */
async function socketPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer({ allowHalfOpen: true });
  cleanup.push(() => server.close());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as net.AddressInfo;
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect({ host: '127.0.0.1', port: addr.port, allowHalfOpen: true });
  await new Promise<void>((r, j) => client.once('connect', r).once('error', j));
  const s = await accepted;
  cleanup.push(() => {
    client.destroy();
    s.destroy();
  });
  return [client, s];
}

async function streams(): Promise<{ client: TlsStream; server: TlsStream; sockets: [net.Socket, net.Socket] }> {
  const sockets = await socketPair();
  return {
    client: new TlsStream(new FakeConnection('client'), socketChannel(sockets[0])),
    server: new TlsStream(new FakeConnection('server'), socketChannel(sockets[1])),
    sockets,
  };
}

describe('socketChannel + TlsStream over loopback TCP', () => {
  it('handshake, echo, close_notify both ways, sockets closed', async () => {
    const { client, server, sockets } = await streams();
    await Promise.all([client.handshake(), server.handshake()]);
    await client.write(utf8('hello'));
    const got = (await server.read())!;
    await server.write(got);
    expect(fromUtf8((await client.read())!)).toBe('hello');
    const closing = client.close();
    expect(await server.read()).toBeNull();
    await server.write(utf8('bye')); // half-close: still allowed
    expect(fromUtf8((await client.read())!)).toBe('bye');
    await server.close();
    await closing;
    expect(await client.read()).toBeNull();
    expect(sockets[0].destroyed && sockets[1].destroyed).toBe(true);
  });

  it('moves 6 MB with a slow reader (backpressure) intact', async () => {
    const { client, server } = await streams();
    const chunk = 60_000;
    const n = 100;
    const writer = (async () => {
      for (let i = 0; i < n; i++) await client.write(new Uint8Array(chunk).fill(i & 0xff));
      await client.close();
    })();
    let total = 0;
    let ok = true;
    let slow = 0;
    for (let c = await server.read(); c !== null; c = await server.read()) {
      for (let k = 0; k < c.length; k++) if (c[k] !== Math.floor((total + k) / chunk) % 256) ok = false;
      total += c.length;
      if (slow++ < 20) await new Promise((r) => setTimeout(r, 5));
    }
    await server.close();
    await writer;
    expect(ok).toBe(true);
    expect(total).toBe(chunk * n);
  });

  it('a TCP close without close_notify is a TruncationError', async () => {
    const { client, server, sockets } = await streams();
    await server.handshake();
    await client.handshake();
    sockets[0].destroy();
    await expect(server.read()).rejects.toBeInstanceOf(TruncationError);
  });

  it('a FIN without close_notify is a TruncationError too', async () => {
    const { client, server, sockets } = await streams();
    await client.handshake();
    await server.handshake();
    sockets[0].end();
    await expect(server.read()).rejects.toBeInstanceOf(TruncationError);
  });

  it('a channel nobody reads stops the socket: at most its queue bound is held, then TCP pushes back', async () => {
    const [a, b] = await socketPair();
    const channel = socketChannel(b); // never read
    const block = new Uint8Array(64 * 1024).fill(1);
    let written = 0;
    // Write until the kernel buffers are full too (write() returns false and no drain comes).
    for (;;) {
      const more = a.write(block);
      written += block.length;
      if (!more) {
        const drained = await Promise.race([new Promise<boolean>((r) => a.once('drain', () => r(true))), new Promise<boolean>((r) => setTimeout(() => r(false), 300))]);
        if (!drained) break;
      }
      if (written > 64 * 1024 * 1024) throw new Error('the reading side never pushed back');
    }
    expect(b.isPaused()).toBe(true);
    expect(b.readableLength).toBeLessThanOrEqual(64 * 1024 * 1024);
    // Reading resumes the socket and every byte arrives.
    let got = 0;
    a.end();
    for (let c = await channel.read(); c !== null; c = await channel.read()) got += c.length;
    expect(got).toBe(written);
  });

  it('writes made in one tick leave together, in order, after it; close() sends them before the FIN', async () => {
    const [a, b] = await socketPair();
    const out = socketChannel(a);
    const input = socketChannel(b);
    const parts = Array.from({ length: 5 }, (_, i) => new Uint8Array(1000).fill(i + 1));
    const accepted = parts.map((p) => out.write(p));
    expect(a.bytesWritten).toBe(0); // still ours: handed to the socket on the next tick, as one writev
    await Promise.all(accepted); // under the bound: accepted at once
    const closing = out.close(); // flushes what is pending, then ends
    const got: number[] = [];
    for (let c = await input.read(); c !== null; c = await input.read()) got.push(...c);
    await closing;
    expect(got).toEqual(parts.flatMap((p) => [...p]));
  });

  it('a writer past the coalescing bound waits until the socket took the batch', async () => {
    const [a, b] = await socketPair();
    const out = socketChannel(a);
    const input = socketChannel(b);
    const big = new Uint8Array(40 * 1024).fill(9);
    const first = out.write(big);
    const second = out.write(big); // 80 KiB pending: beyond the bound
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await first;
    await Promise.resolve();
    expect(secondDone).toBe(false);
    let total = 0;
    while (total < 2 * big.length) total += (await input.read())!.length;
    await second;
    expect(total).toBe(2 * big.length);
  });
});

