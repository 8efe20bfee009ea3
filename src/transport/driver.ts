// The async driver shared by every transport: moves bytes between a sans-I/O Connection
// and a ByteChannel. This is the only module of the engine that awaits.

import { TlsUsageError } from '../errors.js';
import type { Connection, NegotiatedParameters } from '../connection/types.js';

/** A reliable, ordered byte stream (TCP socket, Web Stream pair, WebSocket, in-memory pipe). */
export interface ByteChannel {
  /** Next chunk of bytes; null at end of stream. */
  read(): Promise<Uint8Array | null>;
  /** Resolves when the channel accepted the bytes (backpressure). */
  write(bytes: Uint8Array): Promise<void>;
  /** Ends our side and releases the channel; reads return null afterwards. Idempotent. */
  close(): Promise<void>;
}

/** The transport ended without the peer's close_notify (RFC 8446 §6.1): data may be truncated. */
export class TruncationError extends Error {
  readonly code = 'ERR_TLS_TRUNCATED';
  constructor(message = 'connection closed by peer without close_notify') {
    super(message);
    this.name = 'TruncationError';
  }
}

/**
 * A transport timeout (TlsStreamOptions handshakeTimeoutMs / idleTimeoutMs): the stream sent
 * close_notify (RFC 8446 §6.1) and closed the channel.
 */
export class TlsTimeoutError extends Error {
  readonly code = 'ERR_TLS_TIMEOUT';
  constructor(
    readonly phase: 'handshake' | 'idle',
    readonly timeoutMs: number,
  ) {
    super(phase === 'handshake' ? `handshake not complete after ${timeoutMs} ms` : `no traffic for ${timeoutMs} ms`);
    this.name = 'TlsTimeoutError';
  }
}

/** Serialises writes of `conn.takeOutput()` to the channel, in order. Shared by the pump and the application. */
export class OutputQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(
    private readonly conn: Connection,
    private readonly channel: ByteChannel,
  ) {}

  /** Queues all pending output; resolves once the channel took it. A write failure is sticky. */
  flush(): Promise<void> {
    for (let out = this.conn.takeOutput(); out !== undefined; out = this.conn.takeOutput()) {
      const bytes = out;
      if (bytes.length === 0) continue;
      this.tail = this.tail.then(() => this.channel.write(bytes));
    }
    const t = this.tail;
    t.catch(() => {}); // observed by whoever awaits; never unhandled
    return t;
  }
}

const ERROR_FLUSH_TIMEOUT_MS = 5_000;

/** Awaits `p` for at most `ms`, ignoring its failure. */
async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((r) => {
    timer = setTimeout(r, ms);
  });
  await Promise.race([p.then(() => undefined, () => undefined), timeout]);
  clearTimeout(timer);
}

export interface PumpHandlers {
  /** Once, when the handshake completes. */
  onHandshake?(parameters: NegotiatedParameters): void;
  /** Decrypted application data, in order. */
  onData?(data: Uint8Array): void;
  /**
   * Server: 0-RTT data (RFC 8446 §2.3), in order, always before onHandshake and onData. It may be
   * a replay (§8): act on it only for requests that are safe to repeat.
   */
  onEarlyData?(data: Uint8Array): void;
  /** The peer's close_notify arrived; the pump stops reading (our side may still write). */
  onPeerClose?(): void;
  /** Read-side backpressure: when this returns a promise, the pump awaits it before reading more. */
  ready?(): Promise<void> | undefined;
}

/** Awaits every pending async step (signing, verification), flushing output in between. */
export async function settlePending(conn: Connection, output: OutputQueue): Promise<void> {
  void output.flush();
  for (let p = conn.pending; p !== undefined; p = conn.pending) {
    let rejection: { reason: unknown } | undefined;
    try {
      await p;
    } catch (reason) {
      rejection = { reason };
    }
    conn.process();
    if (conn.error) throw conn.error;
    // A step that survives process() would spin forever.
    if (conn.pending === p) throw rejection ? rejection.reason : new Error('pending step did not advance after process()');
    void output.flush();
  }
}

/**
 * Drives `conn` over `channel` until the peer's close_notify (resolves) or a failure (rejects).
 * On failure the queued alert is flushed, then the channel is closed, then the error thrown.
 * EOF without close_notify → TruncationError.
 */
export async function pump(
  conn: Connection,
  channel: ByteChannel,
  handlers: PumpHandlers = {},
  output: OutputQueue = new OutputQueue(conn, channel),
): Promise<void> {
  let handshakeSeen = false;
  const deliver = (): void => {
    for (let d = conn.readEarlyData(); d !== undefined; d = conn.readEarlyData()) if (d.length > 0) handlers.onEarlyData?.(d);
    if (!handshakeSeen && conn.handshakeComplete) {
      handshakeSeen = true;
      handlers.onHandshake?.(conn.parameters as NegotiatedParameters);
    }
    for (let d = conn.read(); d !== undefined; d = conn.read()) if (d.length > 0) handlers.onData?.(d);
  };
  try {
    for (;;) {
      await settlePending(conn, output);
      deliver();
      if (conn.peerClosed) {
        handlers.onPeerClose?.();
        return;
      }
      const wait = handlers.ready?.();
      if (wait) await wait;
      const bytes = await channel.read();
      if (bytes === null) {
        if (conn.error) throw conn.error;
        throw new TruncationError();
      }
      conn.receive(bytes);
      if (conn.error) throw conn.error;
    }
  } catch (err) {
    // Flush the alert (if any) before closing; a broken channel must not hide the original error.
    await bounded(output.flush(), ERROR_FLUSH_TIMEOUT_MS);
    await bounded(channel.close(), ERROR_FLUSH_TIMEOUT_MS);
    throw err;
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
  settled: boolean;
}
function deferred<T>(): Deferred<T> {
  let res!: (v: T) => void;
  let rej!: (e: unknown) => void;
  const d: Deferred<T> = {
    promise: new Promise<T>((a, b) => {
      res = a;
      rej = b;
    }),
    resolve: (v) => {
      if (d.settled) return;
      d.settled = true;
      res(v);
    },
    reject: (e) => {
      if (d.settled) return;
      d.settled = true;
      rej(e);
    },
    settled: false,
  };
  d.promise.catch(() => {});
  return d;
}

export interface TlsStreamOptions {
  /** Buffered received bytes above which the pump stops reading from the channel (default 1 MiB). */
  highWaterMark?: number;
  /** How long close() waits for the peer's close_notify before closing the channel anyway (default 10 s). */
  closeTimeoutMs?: number;
  /**
   * Bound on the handshake (ms): past it the stream sends close_notify, closes the channel and
   * fails with TlsTimeoutError('handshake'). Default: none here; the Node TCP server and
   * `connect()` use 30 s.
   */
  handshakeTimeoutMs?: number;
  /**
   * Close the connection when no byte was read from or written to the channel for this long (ms):
   * close_notify, then the channel closes and the stream fails with TlsTimeoutError('idle').
   * Default: none here; the Node TCP server uses 5 minutes.
   */
  idleTimeoutMs?: number;
}

type Timer = ReturnType<typeof setTimeout>;
/** Timers of ours never keep a process alive on their own. */
function unref(t: Timer): Timer {
  (t as { unref?: () => void }).unref?.();
  return t;
}

/**
 * A TLS connection over a ByteChannel: handshake, full-duplex read/write, half-close.
 * The pump starts on construction; received data is buffered until read().
 */
export class TlsStream implements AsyncIterable<Uint8Array> {
  readonly connection: Connection;
  private readonly channel: ByteChannel;
  private readonly output: OutputQueue;
  private readonly highWaterMark: number;
  private readonly closeTimeoutMs: number;

  private readonly received: Uint8Array[] = [];
  private readonly earlyReceived: Uint8Array[] = [];
  private earlyReaders: Deferred<Uint8Array | null>[] = [];
  /** No more 0-RTT data can arrive (handshake complete or peer closed). */
  private earlyEnded = false;
  private receivedBytes = 0;
  private readers: Deferred<Uint8Array | null>[] = [];
  private eof = false;
  private failure: unknown;
  private failed = false;
  private closing = false;
  private resume: Deferred<void> | undefined;
  private closePromise: Promise<void> | undefined;
  private closeWritePromise: Promise<void> | undefined;
  private channelClosed = false;
  private handshakeTimer: Timer | undefined;
  private idleTimer: Timer | undefined;
  private lastActivity = Date.now();

  private readonly handshakeDone = deferred<NegotiatedParameters>();
  /** Settles when the pump ends: peer close_notify (resolves) or failure (rejects). */
  readonly finished: Promise<void>;

  constructor(conn: Connection, rawChannel: ByteChannel, options: TlsStreamOptions = {}) {
    this.connection = conn;
    // Every byte moved either way counts as activity for the idle timeout.
    const channel: ByteChannel =
      options.idleTimeoutMs !== undefined && options.idleTimeoutMs > 0
        ? {
            read: async () => {
              const b = await rawChannel.read();
              this.lastActivity = Date.now();
              return b;
            },
            write: async (b) => {
              await rawChannel.write(b);
              this.lastActivity = Date.now();
            },
            close: () => rawChannel.close(),
          }
        : rawChannel;
    this.channel = channel;
    this.output = new OutputQueue(conn, channel);
    this.highWaterMark = options.highWaterMark ?? 1 << 20;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.finished = pump(
      conn,
      channel,
      {
        onHandshake: (p) => {
          this.endEarly();
          this.handshakeDone.resolve(p);
        },
        onData: (d) => this.push(d),
        onEarlyData: (d) => this.pushEarly(d),
        onPeerClose: () => this.end(),
        ready: () => this.readyForMore(),
      },
      this.output,
    ).then(
      () => {
        if (!this.handshakeDone.settled) this.handshakeDone.reject(new Error('peer closed before the handshake completed'));
      },
      (err: unknown) => {
        this.fail(err);
        this.channelClosed = true; // pump closed it
        throw err;
      },
    );
    this.finished.catch(() => {});
    const { handshakeTimeoutMs, idleTimeoutMs } = options;
    if (handshakeTimeoutMs !== undefined && handshakeTimeoutMs > 0) {
      this.handshakeTimer = unref(setTimeout(() => void this.timeout(new TlsTimeoutError('handshake', handshakeTimeoutMs)), handshakeTimeoutMs));
      const stop = (): void => clearTimeout(this.handshakeTimer);
      this.handshakeDone.promise.then(stop, stop);
    }
    if (idleTimeoutMs !== undefined && idleTimeoutMs > 0) {
      const check = (): void => {
        const idle = Date.now() - this.lastActivity;
        if (idle >= idleTimeoutMs) void this.timeout(new TlsTimeoutError('idle', idleTimeoutMs));
        else this.idleTimer = unref(setTimeout(check, idleTimeoutMs - idle));
      };
      this.idleTimer = unref(setTimeout(check, idleTimeoutMs));
    }
    const stopAll = (): void => {
      clearTimeout(this.handshakeTimer);
      clearTimeout(this.idleTimer);
    };
    this.finished.then(stopAll, stopAll);
  }

  /** A timeout fired: close_notify (RFC 8446 §6.1) on the wire if we can, then the channel closes. */
  private async timeout(err: TlsTimeoutError): Promise<void> {
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.idleTimer);
    if (this.failed || this.channelClosed) return;
    try {
      if (!this.connection.closed && !this.connection.error) this.connection.close();
    } catch {
      /* the connection failed meanwhile: its alert is already queued */
    }
    await bounded(this.output.flush(), ERROR_FLUSH_TIMEOUT_MS);
    await this.abort(err);
  }

  /** Parameters negotiated so far (complete once handshake() resolved). */
  get parameters(): Partial<NegotiatedParameters> {
    return this.connection.parameters;
  }

  /** The error that ended the stream, if any. */
  get error(): unknown {
    return this.failed ? this.failure : undefined;
  }

  /** Resolves with the negotiated parameters once the handshake completed. */
  handshake(): Promise<NegotiatedParameters> {
    return this.handshakeDone.promise;
  }

  /** Next chunk of application data; null after the peer's close_notify. Throws the connection's error. */
  read(): Promise<Uint8Array | null> {
    const chunk = this.received.shift();
    if (chunk !== undefined) {
      this.receivedBytes -= chunk.length;
      this.wake();
      return Promise.resolve(chunk);
    }
    if (this.failed) return Promise.reject(this.failure);
    if (this.eof) return Promise.resolve(null);
    const d = deferred<Uint8Array | null>();
    this.readers.push(d);
    return d.promise;
  }

  /**
   * Server: the next chunk of 0-RTT data (RFC 8446 §2.3), kept apart from read(); null once no more
   * can come (the handshake completed: 0-RTT data always precedes the client's Finished). Usable
   * before the handshake completes. Early data may be a replay (§8): act on it only for requests
   * that are safe to repeat. The client side (and a server without 0-RTT) gets null.
   * Not counted against highWaterMark (max_early_data_size bounds it).
   */
  readEarly(): Promise<Uint8Array | null> {
    const chunk = this.earlyReceived.shift();
    if (chunk !== undefined) return Promise.resolve(chunk);
    if (this.earlyEnded) return Promise.resolve(null);
    if (this.failed) return Promise.reject(this.failure);
    const d = deferred<Uint8Array | null>();
    this.earlyReaders.push(d);
    return d.promise;
  }

  /** readEarly() as an async iterable: every 0-RTT chunk, ending when the early phase does. */
  async *earlyData(): AsyncIterable<Uint8Array> {
    for (let c = await this.readEarly(); c !== null; c = await this.readEarly()) yield c;
  }

  /** Sends application data; waits for the handshake, resolves once the channel accepted the records. */
  async write(data: Uint8Array): Promise<void> {
    if (this.failed) throw this.failure;
    await this.handshakeDone.promise;
    if (this.failed) throw this.failure;
    if (this.connection.closed) throw new TlsUsageError('write after close');
    this.connection.write(data);
    await this.output.flush();
  }

  /** RFC 8446 §4.6.3 KeyUpdate (requestPeer: the connection's default when omitted). */
  async updateKeys(requestPeer?: boolean): Promise<void> {
    if (this.failed) throw this.failure;
    await this.handshakeDone.promise;
    this.connection.updateKeys(requestPeer);
    await this.output.flush();
  }

  /**
   * Half-close: sends close_notify and resolves once the channel took it; reading goes on until
   * the peer's close_notify (then close() releases the channel). Never rejects for a failed connection.
   */
  closeWrite(): Promise<void> {
    this.closeWritePromise ??= this.doCloseWrite();
    return this.closeWritePromise;
  }

  /** Sends close_notify, waits (bounded) for the peer's, then closes the channel. Never rejects for a failed connection. */
  close(): Promise<void> {
    this.closePromise ??= this.doClose();
    return this.closePromise;
  }

  /** Closes the channel without close_notify (e.g. on an application error). */
  async abort(reason: unknown = new TlsUsageError('aborted')): Promise<void> {
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.idleTimer);
    this.fail(reason);
    await this.closeChannel();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (let c = await this.read(); c !== null; c = await this.read()) yield c;
  }

  private async doCloseWrite(): Promise<void> {
    if (!this.failed && !this.connection.closed) {
      try {
        this.connection.close();
        await this.output.flush();
      } catch (err) {
        this.fail(err);
      }
    }
    // The peer's close_notify came first: nothing more can cross, release the channel.
    if (this.eof && !this.closing) await this.closeChannel();
  }

  private async doClose(): Promise<void> {
    this.closing = true;
    this.wake();
    await this.closeWrite();
    if (!this.failed && !this.eof) await bounded(this.finished, this.closeTimeoutMs);
    await this.closeChannel();
  }

  private async closeChannel(): Promise<void> {
    if (this.channelClosed) return;
    this.channelClosed = true;
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.idleTimer);
    try {
      await this.channel.close();
    } catch {
      /* ignore */
    }
  }

  private push(d: Uint8Array): void {
    const r = this.readers.shift();
    if (r) {
      r.resolve(d);
      return;
    }
    this.received.push(d);
    this.receivedBytes += d.length;
  }

  private end(): void {
    this.eof = true;
    for (const r of this.readers.splice(0)) r.resolve(null);
    this.endEarly();
    // Both close_notifys have crossed (ours went first, via closeWrite): release the channel.
    if (this.connection.closed && this.closeWritePromise) void this.closeWritePromise.then(() => this.closeChannel());
  }

  private pushEarly(d: Uint8Array): void {
    const r = this.earlyReaders.shift();
    if (r) r.resolve(d);
    else this.earlyReceived.push(d);
  }

  private endEarly(): void {
    if (this.earlyEnded) return;
    this.earlyEnded = true;
    for (const r of this.earlyReaders.splice(0)) r.resolve(null);
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = err;
    this.handshakeDone.reject(err);
    for (const r of this.readers.splice(0)) r.reject(err);
    // Early data already delivered stays readable; after it, readEarly() throws the failure.
    for (const r of this.earlyReaders.splice(0)) r.reject(err);
    this.wake();
  }

  private readyForMore(): Promise<void> | undefined {
    if (this.closing || this.receivedBytes < this.highWaterMark) return undefined;
    this.resume ??= deferred<void>();
    return this.resume.promise;
  }

  private wake(): void {
    if (this.resume && (this.closing || this.failed || this.receivedBytes < this.highWaterMark)) {
      const r = this.resume;
      this.resume = undefined;
      r.resolve();
    }
  }
}

/** Runs the handshake over `channel` and returns the stream; on failure the channel is closed and the error thrown. */
export async function openTlsStream(conn: Connection, channel: ByteChannel, options?: TlsStreamOptions): Promise<TlsStream> {
  const stream = new TlsStream(conn, channel, options);
  await stream.handshake();
  return stream;
}
