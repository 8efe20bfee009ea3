// Node `net` transport: TLS 1.3 clients and servers over TCP, built on the driver.

import * as net from 'node:net';
import type { ClientConfig, ServerConfig } from '../connection/config.js';
import { createClientConnection, createServerConnection } from '../connection/index.js';
import { nodeDefaultProvider } from '../crypto/node/index.js';
import { withNodeProvider } from './provider.js';
import { TlsStream, type TlsStreamOptions } from '../io/stream.js';
import { socketChannel } from './socket.js';

export { socketChannel, type SocketChannelOptions } from './socket.js';
export { TlsTimeoutError, TruncationError } from '../errors.js';
export type { ByteChannel } from '../io/channel.js';
export { TlsStream, type TlsStreamOptions } from '../io/stream.js';

export interface ConnectOptions extends ClientConfig, TlsStreamOptions {
  host: string;
  port: number;
  /** Abort the TCP connect and handshake after this long (default 30 s). */
  timeoutMs?: number;
}

/**
 * Opens a TCP connection, runs the handshake, and returns the stream. `serverName` defaults to `host`.
 * Without `provider`, the connection uses node:crypto (or the provider given to setDefaultProvider()).
 * 0-RTT: pass `earlyData` with a `session` (or a `sessionCache`) whose ticket allows it; the bytes
 * go out with the ClientHello. `stream.parameters.earlyData` then says 'accepted' or 'rejected';
 * on 'rejected' nothing reached the application and the caller may `write()` the bytes again.
 */
export async function connect(options: ConnectOptions): Promise<TlsStream> {
  const { host, port, timeoutMs = 30_000, highWaterMark, closeTimeoutMs, idleTimeoutMs, handshakeTimeoutMs, ...config } = options;
  const conn = createClientConnection({ ...config, provider: config.provider ?? nodeDefaultProvider(), serverName: config.serverName ?? host });
  const socket = await openSocket(host, port, timeoutMs);
  // The handshake bound (close_notify, then TlsTimeoutError) is the stream's; idle: none unless asked.
  const stream = new TlsStream(conn, socketChannel(socket), { highWaterMark, closeTimeoutMs, idleTimeoutMs, handshakeTimeoutMs: handshakeTimeoutMs ?? timeoutMs });
  await stream.handshake();
  return stream;
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, allowHalfOpen: true, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

export interface ServerOptions extends TlsStreamOptions {
  /** A handshake or connection failed (default: ignored). */
  onError?: (err: unknown, remote: string) => void;
  /** Bound on each handshake (default 30 s): close_notify, then the connection closes (TlsTimeoutError to onError). */
  handshakeTimeoutMs?: number;
  /** Close connections with no traffic either way for this long (default 5 minutes; 0: never). */
  idleTimeoutMs?: number;
}

export interface TlsServer {
  /** The underlying listener. */
  readonly server: net.Server;
  /** Starts listening (host defaults to 127.0.0.1, port 0 = ephemeral); resolves with the bound address. */
  listen(port?: number, host?: string): Promise<{ host: string; port: number }>;
  /** Stops accepting and destroys open connections. */
  close(): Promise<void>;
}

/**
 * A TCP server that runs a TLS handshake on every connection, then calls `onSecureConnection`
 * with the stream. 0-RTT data accepted during the handshake waits in `stream.readEarly()`
 * (marked early: it may be a replay), apart from the 1-RTT data of `read()`.
 * `config` may be a function, called per connection (e.g. for per-connection tracing); the
 * objects it returns should then share one `ticketing` (createServerTicketing()): a config
 * without one gets its own, so tickets would not resume across them.
 * A rejection from the callback aborts that connection and goes to `onError`.
 * Without `provider` in the config, connections use node:crypto (or the provider given to
 * setDefaultProvider()).
 */
export function createServer(
  config: ServerConfig | ((remote: string) => ServerConfig),
  onSecureConnection: (stream: TlsStream, remote: string) => void | Promise<void>,
  options: ServerOptions = {},
): TlsServer {
  const sockets = new Set<net.Socket>();
  const { onError, handshakeTimeoutMs = 30_000, idleTimeoutMs = 300_000, ...rest } = options;
  const streamOptions: TlsStreamOptions = { ...rest, handshakeTimeoutMs, idleTimeoutMs };
  // One listener for every socket ('close' comes once): nothing allocated per connection for it.
  const forget = function (this: net.Socket): void {
    sockets.delete(this);
  };
  // Records are whole when written: Nagle's algorithm would only delay them.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', forget);
    socket.setNoDelay(true);
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    let stream: TlsStream;
    try {
      const c = withNodeProvider(typeof config === 'function' ? config(remote) : config);
      stream = new TlsStream(createServerConnection(c), socketChannel(socket), streamOptions);
    } catch (err) {
      socket.destroy();
      onError?.(err, remote);
      return;
    }
    // A promise chain, not an async function: an open connection keeps no suspended frame here.
    stream
      .handshake()
      .then(() => onSecureConnection(stream, remote))
      .then(undefined, async (err: unknown) => {
        await stream.abort(err);
        onError?.(err, remote);
      });
  });
  return {
    server,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address();
          if (addr === null || typeof addr === 'string') reject(new Error('unexpected server address'));
          else resolve({ host: addr.address, port: addr.port });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) resolve();
        else server.close(() => resolve());
      });
    },
  };
}
