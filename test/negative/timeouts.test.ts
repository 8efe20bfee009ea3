// Resource bounds in the transports: the handshake timeout and the idle timeout. Each is
// configurable (TlsStreamOptions handshakeTimeoutMs / idleTimeoutMs; the Node server's defaults
// are 30 s and 5 minutes), sends close_notify (RFC 8446 §6.1) and ends with a TlsTimeoutError.

import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createClientConnection, createServerConnection } from '../../src/connection/index.js';
import { TlsStream, TlsTimeoutError } from '../../src/io/index.js';
import { memoryChannelPair } from '../../src/testing/memory.js';
import { createServer } from '../../src/node/net.js';
import { concatBytes, utf8 } from '../../src/util/bytes.js';
import { testClientConfig, testServerConfig } from '../helpers/scripted.js';

const CLOSE_NOTIFY = [21, 3, 3, 0, 2, 1, 0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('transport timeouts', () => {
  it('handshake timeout: a client that never finishes gets close_notify, the server stream a TlsTimeoutError', async () => {
    const [a, b] = memoryChannelPair();
    const started = Date.now(); // the timer starts with the stream
    const server = new TlsStream(createServerConnection(testServerConfig()), b, { handshakeTimeoutMs: 150 });
    // Half a ClientHello, then silence.
    const hello = createClientConnection(testClientConfig()).takeOutput()!;
    await a.write(hello.subarray(0, 40));
    const err = await server.handshake().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsTimeoutError);
    expect((err as TlsTimeoutError).phase).toBe('handshake');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    const seen: Uint8Array[] = [];
    for (let c = await a.read(); c; c = await a.read()) seen.push(c);
    expect([...concatBytes(...seen)]).toEqual(CLOSE_NOTIFY);
  });

  it('idle timeout after the handshake: close_notify, the peer reads end of data, the idle side a TlsTimeoutError', async () => {
    const [a, b] = memoryChannelPair();
    const client = new TlsStream(createClientConnection(testClientConfig()), a);
    const server = new TlsStream(createServerConnection(testServerConfig()), b, { idleTimeoutMs: 200 });
    await Promise.all([client.handshake(), server.handshake()]);
    // Traffic keeps it open past the timeout...
    for (let i = 0; i < 5; i++) {
      await client.write(utf8(`ping ${i}`));
      expect(await server.read()).toEqual(utf8(`ping ${i}`));
      await sleep(80);
    }
    expect(server.error).toBeUndefined();
    // ...silence closes it.
    expect(await client.read()).toBeNull();
    await server.finished.catch(() => {});
    expect(server.error).toBeInstanceOf(TlsTimeoutError);
    expect((server.error as TlsTimeoutError).phase).toBe('idle');
    await expect(server.read()).rejects.toBeInstanceOf(TlsTimeoutError);
  });

  it('the TCP server: a ClientHello held half-sent is cut off by the handshake timeout (close_notify, then FIN)', async () => {
    const errors: unknown[] = [];
    const srv = createServer(testServerConfig(), () => {}, { handshakeTimeoutMs: 200, onError: (e) => errors.push(e) });
    const { port } = await srv.listen();
    try {
      const sock = net.connect({ host: '127.0.0.1', port });
      await new Promise((r) => sock.once('connect', r));
      const hello = createClientConnection(testClientConfig()).takeOutput()!;
      sock.write(hello.subarray(0, 50));
      const got: Buffer[] = [];
      sock.on('data', (d: Buffer) => got.push(d));
      await new Promise((r) => sock.once('close', r));
      expect([...Buffer.concat(got)]).toEqual(CLOSE_NOTIFY);
      expect(errors[0]).toBeInstanceOf(TlsTimeoutError);
    } finally {
      await srv.close();
    }
  });

  it('timeouts are off unless configured on a bare TlsStream, and cleared once the stream ends', async () => {
    const [a, b] = memoryChannelPair();
    const client = new TlsStream(createClientConnection(testClientConfig()), a, { handshakeTimeoutMs: 100, idleTimeoutMs: 100 });
    const server = new TlsStream(createServerConnection(testServerConfig()), b);
    await Promise.all([client.handshake(), server.handshake()]);
    await Promise.all([client.close(), server.close()]);
    await sleep(250);
    expect(client.error).toBeUndefined();
    expect(server.error).toBeUndefined();
  });
});
