// TlsStream: a TLS connection over a ByteChannel (handshake, full-duplex read/write, half-close,
// 0-RTT reads, one timeout mechanism for handshake and idle). It has a Pump that moves the bytes.
// RFC 8446 §6.1 (closure alerts), §2.3 and §8 (early data). Browser-safe.

import type { Connection, NegotiatedParameters } from '../connection/types.js';
import { TlsTimeoutError, TlsUsageError } from '../errors.js';
import type { ByteChannel } from './channel.js';
import { bounded, ERROR_FLUSH_TIMEOUT_MS, noop, OutputQueue } from './output-queue.js';
import { Pump } from './pump.js';

/**
 * A promise with its settle functions, dropped once settled. A rejection is marked handled
 * (a catch is attached first): whoever awaits still sees it, nobody else is told.
 */
class Deferred<T> {
  readonly promise: Promise<T>;
  private res: ((v: T) => void) | undefined;
  private rej: ((e: unknown) => void) | undefined;
  constructor() {
    this.promise = new Promise<T>((res, rej) => {
      this.res = res;
      this.rej = rej;
    });
  }
  get settled(): boolean {
    return this.res === undefined;
  }
  resolve(v: T): void {
    const r = this.res;
    if (r === undefined) return;
    this.res = this.rej = undefined;
    r(v);
  }
  reject(e: unknown): void {
    const r = this.rej;
    if (r === undefined) return;
    this.res = this.rej = undefined;
    this.promise.catch(noop);
    r(e);
  }
}

/** A read() waiting for data: resolved with the chunk (null at end of data). */
interface Reader {
  deliver(chunk: Uint8Array | null): void;
  reject(e: unknown): void;
}

class ChunkRead extends Deferred<Uint8Array | null> implements Reader {
  deliver(chunk: Uint8Array | null): void {
    this.resolve(chunk);
  }
}

/** An async iterator's next(): resolved with the IteratorResult itself (no .then() per read). */
class ResultRead extends Deferred<IteratorResult<Uint8Array>> implements Reader {
  deliver(chunk: Uint8Array | null): void {
    this.resolve(asResult(chunk));
  }
}

const DONE: IteratorResult<Uint8Array> = Object.freeze({ done: true, value: undefined });
const asResult = (c: Uint8Array | null): IteratorResult<Uint8Array> => (c === null ? DONE : { done: false, value: c });

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
 * Memory: an idle stream holds its connection, one pending channel read, the reader waiting in
 * read() if any, and its timers; nothing else is allocated until used.
 */
export class TlsStream implements AsyncIterable<Uint8Array> {
  /** The sans-I/O connection (parameters, exporters, events). */
  readonly connection: Connection;
  private readonly channel: ByteChannel;
  private readonly output: OutputQueue;
  private readonly pump: Pump;
  private readonly highWaterMark: number;
  private readonly closeTimeoutMs: number;

  private readonly received: Uint8Array[] = [];
  private receivedBytes = 0;
  /** The reader waiting for data (almost always at most one), then any others in order. */
  private reader: Reader | undefined;
  private moreReaders: Reader[] | undefined;
  /** 0-RTT data and its readers (server), made when first used. */
  private earlyReceived: Uint8Array[] | undefined;
  private earlyReaders: Deferred<Uint8Array | null>[] | undefined;
  /** No more 0-RTT data can arrive (handshake complete or peer closed). */
  private earlyEnded = false;
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
  private idleTimeoutMs = 0;
  private lastActivity = 0;

  private readonly handshakeDone = new Deferred<NegotiatedParameters>();
  /** The pump's end: undefined while it runs; then `{ error }` on failure, `{}` at close_notify. */
  private ended: { error?: unknown; failed?: true } | undefined;
  private finishedDeferred: Deferred<void> | undefined;

  constructor(conn: Connection, channel: ByteChannel, options: TlsStreamOptions = {}) {
    const { handshakeTimeoutMs, idleTimeoutMs } = options;
    const idle = idleTimeoutMs !== undefined && idleTimeoutMs > 0;
    this.connection = conn;
    this.channel = channel;
    // Every byte moved either way counts as activity for the idle timeout.
    this.output = new OutputQueue(conn, channel, idle ? () => this.touch() : undefined);
    this.highWaterMark = options.highWaterMark ?? 1 << 20;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    if (handshakeTimeoutMs !== undefined && handshakeTimeoutMs > 0) {
      this.handshakeTimer = unref(setTimeout(() => void this.timeout(new TlsTimeoutError('handshake', handshakeTimeoutMs)), handshakeTimeoutMs));
    }
    if (idle) {
      this.idleTimeoutMs = idleTimeoutMs;
      this.lastActivity = Date.now();
      this.idleTimer = unref(setTimeout(() => this.checkIdle(), idleTimeoutMs));
    }
    this.pump = new Pump(conn, channel, this.output, {
      onHandshake: (p) => this.onHandshake(p),
      onData: (d) => this.onData(d),
      onEarlyData: (d) => this.onEarlyData(d),
      onPeerClose: () => this.onPeerClose(),
      ready: () => this.ready(),
      onActivity: () => this.onActivity(),
      onEnd: (failure) => this.pumpEnded(failure),
    });
  }

  /** Settles when the pump ends: peer close_notify (resolves) or failure (rejects). */
  get finished(): Promise<void> {
    if (this.finishedDeferred === undefined) {
      this.finishedDeferred = new Deferred<void>();
      if (this.ended) this.settleFinished();
    }
    return this.finishedDeferred.promise;
  }

  private settleFinished(): void {
    const d = this.finishedDeferred;
    if (d === undefined || this.ended === undefined) return;
    if (this.ended.failed) d.reject(this.ended.error);
    else d.resolve();
  }

  private touch(): void {
    this.lastActivity = Date.now();
  }

  private checkIdle(): void {
    this.idleTimer = undefined;
    if (this.ended || this.channelClosed) return;
    const idle = Date.now() - this.lastActivity;
    if (idle >= this.idleTimeoutMs) void this.timeout(new TlsTimeoutError('idle', this.idleTimeoutMs));
    else this.idleTimer = unref(setTimeout(() => this.checkIdle(), this.idleTimeoutMs - idle));
  }

  private stopTimers(): void {
    if (this.handshakeTimer !== undefined) clearTimeout(this.handshakeTimer);
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.handshakeTimer = this.idleTimer = undefined;
  }

  // ---- The pump's events ----

  private onHandshake(p: NegotiatedParameters): void {
    if (this.handshakeTimer !== undefined) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.endEarly();
    this.handshakeDone.resolve(p);
  }

  private onData(d: Uint8Array): void {
    const r = this.nextReader();
    if (r) {
      r.deliver(d);
      return;
    }
    this.received.push(d);
    this.receivedBytes += d.length;
  }

  private onEarlyData(d: Uint8Array): void {
    const r = this.earlyReaders?.shift();
    if (r) r.resolve(d);
    else (this.earlyReceived ??= []).push(d);
  }

  private onPeerClose(): void {
    this.eof = true;
    for (const r of this.allReaders()) r.deliver(null);
    this.endEarly();
    // Both close_notifys have crossed (ours went first, via closeWrite): release the channel.
    if (this.connection.closed && this.closeWritePromise) void this.closeWritePromise.then(() => this.closeChannel());
  }

  private ready(): Promise<void> | undefined {
    if (this.closing || this.receivedBytes < this.highWaterMark) return undefined;
    this.resume ??= new Deferred<void>();
    return this.resume.promise;
  }

  private onActivity(): void {
    if (this.idleTimeoutMs > 0) this.lastActivity = Date.now();
  }

  private pumpEnded(failure: { error: unknown } | undefined): void {
    if (failure === undefined) {
      this.ended = {};
      if (!this.handshakeDone.settled) this.handshakeDone.reject(new Error('peer closed before the handshake completed'));
    } else {
      this.ended = { error: failure.error, failed: true };
      this.fail(failure.error);
      this.channelClosed = true; // the pump closed it
    }
    this.stopTimers();
    this.settleFinished();
  }

  /** A timeout fired: close_notify (RFC 8446 §6.1) on the wire if we can, then the channel closes. */
  private async timeout(err: TlsTimeoutError): Promise<void> {
    this.stopTimers();
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
    const chunk = this.takeReceived();
    if (chunk !== undefined) return Promise.resolve(chunk);
    if (this.failed) return Promise.reject(this.failure);
    if (this.eof) return Promise.resolve(null);
    const r = new ChunkRead();
    this.addReader(r);
    return r.promise;
  }

  /** read() as an IteratorResult. */
  private readResult(): Promise<IteratorResult<Uint8Array>> {
    const chunk = this.takeReceived();
    if (chunk !== undefined) return Promise.resolve({ done: false, value: chunk });
    if (this.failed) return Promise.reject(this.failure);
    if (this.eof) return Promise.resolve(DONE);
    const r = new ResultRead();
    this.addReader(r);
    return r.promise;
  }

  private takeReceived(): Uint8Array | undefined {
    const chunk = this.received.shift();
    if (chunk !== undefined) {
      this.receivedBytes -= chunk.length;
      this.wake();
    }
    return chunk;
  }

  private addReader(r: Reader): void {
    if (this.reader === undefined) this.reader = r;
    else (this.moreReaders ??= []).push(r);
  }

  private nextReader(): Reader | undefined {
    const r = this.reader;
    this.reader = this.moreReaders?.shift();
    return r;
  }

  private allReaders(): Reader[] {
    const all = this.reader === undefined ? [] : [this.reader, ...(this.moreReaders ?? [])];
    this.reader = this.moreReaders = undefined;
    return all;
  }

  /**
   * Server: the next chunk of 0-RTT data (RFC 8446 §2.3), kept apart from read(); null once no more
   * can come (the handshake completed: 0-RTT data always precedes the client's Finished). Usable
   * before the handshake completes. Early data may be a replay (§8): act on it only for requests
   * that are safe to repeat. The client side (and a server without 0-RTT) gets null.
   * Not counted against highWaterMark (max_early_data_size bounds it).
   */
  readEarly(): Promise<Uint8Array | null> {
    const chunk = this.earlyReceived?.shift();
    if (chunk !== undefined) return Promise.resolve(chunk);
    if (this.earlyEnded) return Promise.resolve(null);
    if (this.failed) return Promise.reject(this.failure);
    const d = new Deferred<Uint8Array | null>();
    (this.earlyReaders ??= []).push(d);
    return d.promise;
  }

  /** readEarly() as an async iterable: every 0-RTT chunk, ending when the early phase does. */
  async *earlyData(): AsyncIterable<Uint8Array> {
    for (let c = await this.readEarly(); c !== null; c = await this.readEarly()) yield c;
  }

  /** Sends application data; waits for the handshake, resolves once the channel accepted the records. */
  write(data: Uint8Array): Promise<void> {
    if (this.failed) return Promise.reject(this.failure);
    // Before the handshake: wait for it. After: no await at all (one record per write is the common case).
    if (!this.pump.handshakeSeen) return this.handshakeDone.promise.then(() => this.write(data));
    if (this.connection.closed) return Promise.reject(new TlsUsageError('write after close'));
    try {
      this.connection.write(data);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.output.flush();
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
    this.stopTimers();
    this.fail(reason);
    await this.closeChannel();
  }

  /** Every chunk of read() until the peer's close_notify (a plain iterator: no generator kept per stream). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    let done = false;
    return {
      next: () => (done ? Promise.resolve(DONE) : this.readResult()),
      return: () => {
        done = true;
        return Promise.resolve(DONE);
      },
    };
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
    this.stopTimers();
    try {
      await this.channel.close();
    } catch {
      /* ignore */
    }
  }

  private endEarly(): void {
    if (this.earlyEnded) return;
    this.earlyEnded = true;
    const readers = this.earlyReaders;
    this.earlyReaders = undefined;
    if (readers) for (const r of readers) r.resolve(null);
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = err;
    this.handshakeDone.reject(err);
    for (const r of this.allReaders()) r.reject(err);
    // Early data already delivered stays readable; after it, readEarly() throws the failure.
    const early = this.earlyReaders;
    this.earlyReaders = undefined;
    if (early) for (const r of early) r.reject(err);
    this.wake();
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
