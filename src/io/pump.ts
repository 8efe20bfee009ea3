// The pump: moves bytes between a sans-I/O Connection and a ByteChannel (read, receive, settle
// pending async steps, deliver), reporting to PumpEvents. With TlsStream, the only code of the
// library's browser half that awaits.

import type { Connection, NegotiatedParameters } from '../connection/types.js';
import { TruncationError } from '../errors.js';
import type { ByteChannel } from './channel.js';
import { bounded, ERROR_FLUSH_TIMEOUT_MS, OutputQueue } from './output-queue.js';

/** What the pump reports to its owner. */
export interface PumpEvents {
  /** Once, when the handshake completes. */
  onHandshake(parameters: NegotiatedParameters): void;
  /** Decrypted application data, in order. */
  onData(data: Uint8Array): void;
  /** Server: 0-RTT data (RFC 8446 §2.3), in order, always before onHandshake and onData. */
  onEarlyData(data: Uint8Array): void;
  /** The peer's close_notify arrived; the pump stops reading. */
  onPeerClose(): void;
  /** Read-side backpressure: when this returns a promise, the pump awaits it before reading more. */
  ready(): Promise<void> | undefined;
  /** Bytes arrived from the channel (before they are processed). */
  onActivity(): void;
  /** Once: at the peer's close_notify (undefined) or on failure, after the queued alert was flushed and the channel closed. */
  onEnd(failure: { error: unknown } | undefined): void;
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

/** After a pending step settled: let the connection continue; a step that survives process() would spin forever. */
function afterPending(conn: Connection, p: Promise<void>, rejection: { reason: unknown } | undefined): void {
  conn.process();
  if (conn.error) throw conn.error;
  if (conn.pending === p) throw rejection ? rejection.reason : new Error('pending step did not advance after process()');
}

/**
 * The pump as callbacks rather than an async loop: between reads nothing is suspended but the
 * channel's read promise, so an idle connection holds no async frame (memory per connection).
 * Started on the next microtask, so that its owner is fully constructed first.
 */
export class Pump {
  private seen = false;
  private running = true;
  private readonly onBytes = (bytes: Uint8Array | null): void => this.received(bytes);
  private readonly onFailure = (err: unknown): void => this.failed(err);
  private readonly readNext = (): void => this.read();

  constructor(
    private readonly connection: Connection,
    private readonly channel: ByteChannel,
    private readonly output: OutputQueue,
    private readonly events: PumpEvents,
  ) {
    void Promise.resolve().then(() => this.turn());
  }

  /** onHandshake() was called. */
  get handshakeSeen(): boolean {
    return this.seen;
  }

  /** Settle pending steps, deliver, then read (or end at the peer's close_notify). */
  private turn(): void {
    if (!this.running) return;
    try {
      const conn = this.connection;
      const events = this.events;
      void this.output.flush();
      const p = conn.pending;
      if (p !== undefined) {
        p.then(
          () => this.settled(p, undefined),
          (reason: unknown) => this.settled(p, { reason }),
        );
        return;
      }
      for (let d = conn.readEarlyData(); d !== undefined; d = conn.readEarlyData()) if (d.length > 0) events.onEarlyData(d);
      if (!this.seen && conn.handshakeComplete) {
        this.seen = true;
        events.onHandshake(conn.parameters as NegotiatedParameters);
      }
      for (let d = conn.read(); d !== undefined; d = conn.read()) if (d.length > 0) events.onData(d);
      if (conn.peerClosed) {
        events.onPeerClose();
        this.running = false;
        events.onEnd(undefined);
        return;
      }
      const wait = events.ready();
      if (wait) wait.then(this.readNext, this.onFailure);
      else this.read();
    } catch (err) {
      this.failed(err);
    }
  }

  private settled(p: Promise<void>, rejection: { reason: unknown } | undefined): void {
    if (!this.running) return;
    try {
      afterPending(this.connection, p, rejection);
    } catch (err) {
      this.failed(err);
      return;
    }
    this.turn();
  }

  private read(): void {
    if (!this.running) return;
    try {
      this.channel.read().then(this.onBytes, this.onFailure);
    } catch (err) {
      this.failed(err);
    }
  }

  private received(bytes: Uint8Array | null): void {
    if (!this.running) return;
    try {
      if (bytes === null) throw this.connection.error ?? new TruncationError();
      this.events.onActivity();
      this.connection.receive(bytes);
      if (this.connection.error) throw this.connection.error;
    } catch (err) {
      this.failed(err);
      return;
    }
    this.turn();
  }

  /** Flush the alert (if any) before closing; a broken channel must not hide the original error. */
  private failed(err: unknown): void {
    if (!this.running) return;
    this.running = false;
    void (async () => {
      await bounded(this.output.flush(), ERROR_FLUSH_TIMEOUT_MS);
      await bounded(this.channel.close(), ERROR_FLUSH_TIMEOUT_MS);
      this.events.onEnd({ error: err });
    })();
  }
}

const ignore = (): void => {};

/**
 * Drives `conn` over `channel` until the peer's close_notify (resolves) or a failure (rejects).
 * On failure the queued alert is flushed, then the channel is closed, then the error thrown.
 * EOF without close_notify → TruncationError.
 */
export function pump(conn: Connection, channel: ByteChannel, handlers: PumpHandlers = {}): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    new Pump(conn, channel, new OutputQueue(conn, channel), {
      onHandshake: (p) => handlers.onHandshake?.(p),
      onData: (d) => handlers.onData?.(d),
      onEarlyData: (d) => handlers.onEarlyData?.(d),
      onPeerClose: () => handlers.onPeerClose?.(),
      ready: () => handlers.ready?.(),
      onActivity: ignore,
      onEnd: (failure) => (failure ? reject(failure.error) : resolve()),
    });
  });
}
