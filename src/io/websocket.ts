// WebSocket transport: TLS records carried in binary WebSocket messages, for browsers (and other
// runtimes without raw sockets) reaching a TCP server through a WebSocket-to-TCP bridge such as
// `tls13 bridge`. The WebSocket is only a pipe: TLS runs end to end, the bridge sees ciphertext.
// Browser-safe: uses the runtime's WebSocket (or any object of the same shape).

import type { ClientConfig, ServerConfig } from '../connection/config.js';
import { createClientConnection, createServerConnection } from '../connection/index.js';
import type { Connection } from '../connection/types.js';
import type { ByteChannel } from './channel.js';
import { TlsStream, type TlsStreamOptions } from './stream.js';
import { pushChannel } from './push.js';

/** The part of the WHATWG WebSocket this transport uses (browsers, Deno, Bun, workerd, Node ≥ 22). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: { data?: unknown }) => void): void;
}

const CONNECTING = 0;
const OPEN = 1;

export interface WebSocketChannelOptions {
  /** Largest message we send; larger writes are split (default 64 KiB). */
  maxMessageBytes?: number;
  /** Write backpressure: wait while the socket buffers more than this (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Fail when the socket is not open after this long (default 15 s). */
  openTimeoutMs?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves once `ws` is open; rejects if it closes or errors first, or after `timeoutMs`. */
export function webSocketOpen(ws: WebSocketLike, timeoutMs = 15_000): Promise<void> {
  if (ws.readyState === OPEN) return Promise.resolve();
  if (ws.readyState !== CONNECTING) return Promise.reject(new Error('WebSocket is closed'));
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => finish(new Error(`WebSocket did not open within ${timeoutMs} ms`)), timeoutMs);
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    ws.addEventListener('open', () => finish());
    ws.addEventListener('error', () => finish(new Error('WebSocket failed to open')));
    ws.addEventListener('close', () => finish(new Error('WebSocket closed before it opened')));
  });
}

/**
 * A ByteChannel over a WebSocket: every write goes out as binary messages, every binary message
 * received is a chunk of the byte stream (message boundaries carry no meaning). A text message is
 * a protocol error. The socket may still be connecting.
 */
export function webSocketChannel(ws: WebSocketLike, options: WebSocketChannelOptions = {}): ByteChannel {
  const maxMessage = options.maxMessageBytes ?? 64 * 1024;
  const maxBuffered = options.maxBufferedBytes ?? 1 << 20;
  ws.binaryType = 'arraybuffer';
  const opened = webSocketOpen(ws, options.openTimeoutMs);
  opened.catch(() => {});
  let closedEvent = false;

  const p = pushChannel({
    write: async (bytes) => {
      await opened;
      for (let off = 0; off < bytes.length; off += maxMessage) {
        if (ws.readyState !== OPEN) throw new Error('WebSocket is not open');
        ws.send(bytes.subarray(off, Math.min(bytes.length, off + maxMessage)));
        // The WebSocket API has no drain event: poll bufferedAmount, bounded by the socket's life.
        for (let wait = 1; ws.bufferedAmount > maxBuffered; wait = Math.min(wait * 2, 50)) {
          if (ws.readyState !== OPEN) throw new Error('WebSocket closed during write');
          await sleep(wait);
        }
      }
    },
    close: () => {
      if (!closedEvent && ws.readyState <= OPEN) ws.close(1000);
    },
  });

  // Blob messages (a socket whose binaryType could not be set) are read in order.
  let blobs: Promise<void> = Promise.resolve();
  ws.addEventListener('message', (event) => {
    const data = event.data;
    if (data instanceof ArrayBuffer) p.push(new Uint8Array(data));
    else if (ArrayBuffer.isView(data)) p.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else if (typeof Blob !== 'undefined' && data instanceof Blob) {
      blobs = blobs.then(async () => p.push(new Uint8Array(await data.arrayBuffer())));
    } else {
      p.fail(new Error('text message on a TLS WebSocket'));
      ws.close(1003, 'binary messages only');
    }
  });
  ws.addEventListener('close', () => {
    closedEvent = true;
    void blobs.then(() => p.end());
  });
  ws.addEventListener('error', () => p.fail(new Error('WebSocket error')));
  opened.catch((err: unknown) => p.fail(err));
  return p.channel;
}

export interface WebSocketTlsOptions extends TlsStreamOptions, WebSocketChannelOptions {
  /** Abort the handshake after this long (default 30 s). */
  handshakeTimeoutMs?: number;
  /** WebSocket subprotocols to ask for when `target` is a URL. */
  protocols?: string | string[];
}

interface WebSocketConstructor {
  new (url: string, protocols?: string | string[]): WebSocketLike;
}

function openSocket(target: WebSocketLike | string | URL, protocols?: string | string[]): WebSocketLike {
  if (typeof target !== 'string' && !(target instanceof URL)) return target;
  const Ctor = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Ctor) throw new Error('this runtime has no global WebSocket: pass a WebSocket-shaped object');
  return new Ctor(String(target), protocols);
}

async function run(conn: Connection, ws: WebSocketLike, options: WebSocketTlsOptions): Promise<TlsStream> {
  const { handshakeTimeoutMs = 30_000, highWaterMark, closeTimeoutMs } = options;
  const tls = new TlsStream(conn, webSocketChannel(ws, options), { highWaterMark, closeTimeoutMs });
  const timer = setTimeout(() => void tls.abort(new Error(`handshake timed out after ${handshakeTimeoutMs} ms`)), handshakeTimeoutMs);
  try {
    await tls.handshake();
  } finally {
    clearTimeout(timer);
  }
  return tls;
}

/**
 * Client: TLS 1.3 over a WebSocket (a URL, e.g. `ws://127.0.0.1:8080/` of a `tls13 bridge`, or a
 * WebSocket object). Resolves with the stream once the handshake completed.
 */
export function connectWebSocket(target: WebSocketLike | string | URL, config: ClientConfig, options: WebSocketTlsOptions = {}): Promise<TlsStream> {
  return run(createClientConnection(config), openSocket(target, options.protocols), options);
}

/**
 * Server: answers a TLS 1.3 handshake arriving over a WebSocket (e.g. one a page opened to a
 * reverse `tls13 bridge`, which pairs it with a TCP client).
 */
export function acceptWebSocket(target: WebSocketLike | string | URL, config: ServerConfig, options: WebSocketTlsOptions = {}): Promise<TlsStream> {
  return run(createServerConnection(config), openSocket(target, options.protocols), options);
}
