// Web Streams transport: TLS over a `{ readable, writable }` pair of byte streams, giving back the
// same shape with plaintext in it. That pair is what Cloudflare's `connect()`, `Deno.connect`,
// WebTransport bidirectional streams, Node's `Duplex.toWeb` and a browser's TransformStreams
// offer. STARTTLS: hand over the reader and writer a plaintext exchange already used, with the
// bytes read past its end (`initial`). Browser-safe: no Node built-ins.

import type { ClientConfig, ServerConfig } from '../connection/config.js';
import { createClientConnection, createServerConnection } from '../connection/index.js';
import type { Connection, NegotiatedParameters } from '../connection/types.js';
import type { ByteChannel } from './channel.js';
import { TlsStream, type TlsStreamOptions } from './stream.js';

/** A pair of byte streams, unlocked (e.g. a Cloudflare socket, a `Deno.Conn`). */
export interface StreamPair {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

/** A reader and a writer already acquired on a pair of byte streams (STARTTLS after a plaintext phase). */
export interface LockedStreams {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  writer: WritableStreamDefaultWriter<Uint8Array>;
}

export type StreamTransport = StreamPair | LockedStreams;

export interface StreamChannelOptions {
  /**
   * Bytes already read from the stream that belong to the TLS phase (STARTTLS: a peer may send
   * its ClientHello right behind the upgrade command, in the same chunk). Delivered first.
   */
  initial?: Uint8Array;
  /** How long close() waits for the writable to finish before aborting it (default 2 s). */
  closeTimeoutMs?: number;
}

function isStreamTransport(t: StreamTransport | ByteChannel): t is StreamTransport {
  return ('readable' in t && 'writable' in t) || ('reader' in t && 'writer' in t);
}

function isLocked(t: StreamTransport): t is LockedStreams {
  return 'reader' in t && 'writer' in t;
}

/** Normalises a chunk from a runtime's stream (Uint8Array, another view, an ArrayBuffer) to Uint8Array. */
function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError(`expected bytes from the stream, got ${typeof chunk}`);
}

/** A ByteChannel over a pair of Web Streams (or a reader and writer already acquired on them). */
export function streamChannel(transport: StreamTransport, options: StreamChannelOptions = {}): ByteChannel {
  const reader = isLocked(transport) ? transport.reader : transport.readable.getReader();
  const writer = isLocked(transport) ? transport.writer : transport.writable.getWriter();
  const closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
  let initial = options.initial && options.initial.length > 0 ? options.initial : undefined;
  let closed = false;
  let closing: Promise<void> | undefined;

  return {
    async read() {
      if (initial) {
        const b = initial;
        initial = undefined;
        return b;
      }
      if (closed) return null;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return null;
        const bytes = asBytes(value);
        if (bytes.length > 0) return bytes;
      }
    },
    async write(bytes) {
      if (closed) throw new Error('write on a closed stream channel');
      await writer.ready;
      await writer.write(bytes);
    },
    close() {
      closing ??= (async () => {
        closed = true;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<'timeout'>((r) => {
          timer = setTimeout(() => r('timeout'), closeTimeoutMs);
        });
        const ended = writer.close().then(
          () => 'ok' as const,
          () => 'failed' as const,
        );
        if ((await Promise.race([ended, timeout])) === 'timeout') await writer.abort(new Error('close timed out')).catch(() => {});
        clearTimeout(timer);
        await reader.cancel().catch(() => {});
      })();
      return closing;
    },
  };
}

/** Plaintext Web Streams over a TlsStream: reading pulls decrypted data, writing encrypts. */
export function webStreamsOf(tls: TlsStream): StreamPair {
  const readable = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const d = await tls.read();
          if (d !== null) controller.enqueue(d);
          else {
            controller.close();
            void tls.close(); // the peer's close_notify arrived: answer (if not yet) and release the transport
          }
        } catch (err) {
          controller.error(err);
        }
      },
      cancel() {
        void tls.close();
      },
    },
    { highWaterMark: 0 },
  );
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) => tls.write(asBytes(chunk)),
    // Closing the writable sends close_notify; reading goes on until the peer's (half-close),
    // and the readable's end (or cancel) releases the transport.
    close: () => tls.closeWrite(),
    abort: (reason) => tls.abort(reason),
  });
  return { readable, writable };
}

/** A TLS connection with the shape of a Cloudflare / Deno socket: plaintext `readable` and `writable`. */
export interface WebTlsSocket extends StreamPair {
  /** The driver's stream underneath (read()/write()/updateKeys()/readEarly()). */
  readonly tls: TlsStream;
  /** The sans-I/O connection (parameters, exporters). */
  readonly connection: Connection;
  /** The negotiated parameters (the handshake has completed). */
  readonly parameters: NegotiatedParameters;
  /** Settles when the connection ends: resolves at the peer's close_notify, rejects with the failure. */
  readonly closed: Promise<void>;
  /** RFC 8446 §7.5 exporter. */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array;
  /** Sends close_notify, waits (bounded) for the peer's, releases the transport. */
  close(): Promise<void>;
}

export interface WebStreamsOptions extends TlsStreamOptions, StreamChannelOptions {
  /** Abort the handshake after this long (default 30 s). */
  handshakeTimeoutMs?: number;
}

async function open(conn: Connection, transport: StreamTransport | ByteChannel, options: WebStreamsOptions): Promise<WebTlsSocket> {
  const { handshakeTimeoutMs = 30_000, highWaterMark, closeTimeoutMs, initial } = options;
  // Streams first: a Deno.Conn has `readable`/`writable` and also a `read(buffer)` method of its own.
  const channel = isStreamTransport(transport) ? streamChannel(transport, { initial }) : transport;
  const tls = new TlsStream(conn, channel, { highWaterMark, closeTimeoutMs });
  const timer = setTimeout(() => void tls.abort(new Error(`handshake timed out after ${handshakeTimeoutMs} ms`)), handshakeTimeoutMs);
  let parameters: NegotiatedParameters;
  try {
    parameters = await tls.handshake();
  } finally {
    clearTimeout(timer);
  }
  const { readable, writable } = webStreamsOf(tls);
  return {
    readable,
    writable,
    tls,
    connection: conn,
    parameters,
    closed: tls.finished,
    exportKeyingMaterial: (label, context, length) => conn.exportKeyingMaterial(label, context, length),
    close: () => tls.close(),
  };
}

/**
 * Client: runs a TLS 1.3 handshake over `transport` and resolves with the plaintext streams.
 *
 * ```ts
 * const tcp = connect('example.com:443');            // cloudflare:sockets, or Deno.connect(...)
 * const tls = await connectStreams(tcp, { serverName: 'example.com', verifier });
 * ```
 */
export function connectStreams(
  transport: StreamTransport | ByteChannel,
  config: ClientConfig,
  options: WebStreamsOptions = {},
): Promise<WebTlsSocket> {
  return open(createClientConnection(config), transport, options);
}

/** Server: answers a TLS 1.3 handshake over `transport` and resolves with the plaintext streams. */
export function acceptStreams(
  transport: StreamTransport | ByteChannel,
  config: ServerConfig,
  options: WebStreamsOptions = {},
): Promise<WebTlsSocket> {
  return open(createServerConnection(config), transport, options);
}

/**
 * STARTTLS: upgrades a byte-stream connection that already carried plaintext. Pass the reader and
 * writer the plaintext phase used (or the unlocked streams) and, in `options.initial`, any bytes
 * read past the upgrade point. `role` says which side of the handshake we play.
 */
export function startTls(
  plain: StreamTransport,
  role: { client: ClientConfig } | { server: ServerConfig },
  options: WebStreamsOptions = {},
): Promise<WebTlsSocket> {
  return 'client' in role ? connectStreams(plain, role.client, options) : acceptStreams(plain, role.server, options);
}
