// In-memory transports for tests and research: a synchronous shuttle between two
// connections (in the style of rustls's transfer/do_handshake) and an async ByteChannel pair.

import type { Connection, NegotiatedParameters, Side } from '../connection/types.js';
import { concatBytes } from '../util/bytes.js';
import type { ByteChannel } from '../io/channel.js';
import { TlsStream, type TlsStreamOptions } from '../io/stream.js';

/**
 * Moves all of `from`'s pending output into `to.receive()`. Returns the number of bytes moved.
 * A TlsError from `to.receive()` propagates (its alert is then queued in `to`'s output).
 */
export function transfer(from: Connection, to: Connection): number {
  let n = 0;
  for (let out = from.takeOutput(); out !== undefined; out = from.takeOutput()) {
    n += out.length;
    if (out.length > 0) to.receive(out);
  }
  return n;
}

/** Rewrites (or drops, with null) bytes in flight; for tampering experiments. */
export type Interceptor = (from: Side, bytes: Uint8Array) => Uint8Array | null;

export interface WireChunk {
  from: Side;
  bytes: Uint8Array;
}

export interface PairOptions {
  intercept?: Interceptor;
  /** Keep every chunk sent in `log` (default true). */
  record?: boolean;
  /** Deliver each chunk in receive() calls of at most this many bytes (exercises reassembly). */
  chunkSize?: number;
}

/** Two connections wired back to back in memory. */
export class MemoryPair {
  readonly client: Connection;
  readonly server: Connection;
  /** Bytes moved so far, per direction. */
  readonly bytes = { clientToServer: 0, serverToClient: 0 };
  /** Every chunk moved, in order (when recording). */
  readonly log: WireChunk[] = [];
  private readonly options: PairOptions;

  constructor(client: Connection, server: Connection, options: PairOptions = {}) {
    if (options.chunkSize !== undefined && !(options.chunkSize >= 1)) throw new RangeError('chunkSize must be >= 1');
    this.client = client;
    this.server = server;
    this.options = options;
  }

  /** Moves output one way; returns the bytes moved. */
  transfer(from: Side): number {
    const [src, dst] = from === 'client' ? [this.client, this.server] : [this.server, this.client];
    let n = 0;
    for (let out = src.takeOutput(); out !== undefined; out = src.takeOutput()) {
      const bytes = this.options.intercept ? this.options.intercept(from, out) : out;
      if (bytes === null || bytes.length === 0) continue;
      n += bytes.length;
      if (from === 'client') this.bytes.clientToServer += bytes.length;
      else this.bytes.serverToClient += bytes.length;
      if (this.options.record !== false) this.log.push({ from, bytes });
      const step = this.options.chunkSize ?? bytes.length;
      for (let off = 0; off < bytes.length; off += step) dst.receive(bytes.subarray(off, off + step));
    }
    return n;
  }

  /** Shuttles synchronously until neither side has output (or a side is pending). Returns bytes moved. */
  flush(): number {
    let total = 0;
    for (;;) {
      const n = this.transfer('client') + this.transfer('server');
      total += n;
      if (n === 0) return total;
    }
  }

  /** True while either side awaits an async step. */
  get pending(): boolean {
    return this.client.pending !== undefined || this.server.pending !== undefined;
  }

  /** Shuttles and settles async steps until quiescent. Returns bytes moved. */
  async run(): Promise<number> {
    let total = this.flush();
    while (this.pending) {
      for (const c of [this.client, this.server]) {
        const p = c.pending;
        if (p === undefined) continue;
        await p.catch(() => {});
        c.process();
        if (c.pending === p) throw new Error(`${c.side}: pending step did not advance after process()`);
      }
      total += this.flush();
    }
    return total;
  }

  /** Runs until both handshakes complete; throws if the exchange stalls first. */
  async handshake(): Promise<{ client: NegotiatedParameters; server: NegotiatedParameters }> {
    await this.run();
    if (!this.client.handshakeComplete || !this.server.handshakeComplete)
      throw new Error(
        `handshake stalled (client complete: ${this.client.handshakeComplete}, server complete: ${this.server.handshakeComplete})`,
      );
    return {
      client: this.client.parameters as NegotiatedParameters,
      server: this.server.parameters as NegotiatedParameters,
    };
  }

  /** Writes `data` on `from`, runs, and returns everything the other side read. */
  async send(from: Side, data: Uint8Array): Promise<Uint8Array> {
    const [src, dst] = from === 'client' ? [this.client, this.server] : [this.server, this.client];
    src.write(data);
    await this.run();
    return drain(dst);
  }

  /** Sends close_notify from `from` and delivers it. */
  async close(from: Side): Promise<void> {
    (from === 'client' ? this.client : this.server).close();
    await this.run();
  }
}

/** Wires two connections together; nothing moves until flush()/run()/handshake(). */
export function connectPair(client: Connection, server: Connection, options?: PairOptions): MemoryPair {
  return new MemoryPair(client, server, options);
}

/** rustls-style do_handshake: returns the bytes each side sent. */
export async function handshakePair(
  client: Connection,
  server: Connection,
): Promise<{ clientToServer: number; serverToClient: number; pair: MemoryPair }> {
  const pair = connectPair(client, server);
  await pair.handshake();
  return { ...pair.bytes, pair };
}

/** Everything `conn.read()` has buffered, concatenated. */
export function drain(conn: Connection): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let d = conn.read(); d !== undefined; d = conn.read()) parts.push(d);
  return parts.length === 1 ? parts[0]! : concatBytes(...parts);
}

export interface ChannelPairOptions {
  /** Split every write into chunks of at most this size (exercises record reassembly). */
  chunkSize?: number;
}

class Pipe {
  private readonly chunks: Uint8Array[] = [];
  private waiter: ((v: Uint8Array | null) => void) | undefined;
  ended = false;

  push(b: Uint8Array): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(b);
    } else this.chunks.push(b);
  }
  end(): void {
    this.ended = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.(null);
  }
  pull(): Promise<Uint8Array | null> {
    const c = this.chunks.shift();
    if (c !== undefined) return Promise.resolve(c);
    if (this.ended) return Promise.resolve(null);
    if (this.waiter) return Promise.reject(new Error('concurrent read on a memory channel'));
    return new Promise((r) => {
      this.waiter = r;
    });
  }
}

/** One end of an in-memory channel pair. */
export class MemoryChannel implements ByteChannel {
  /** Bytes written by this end. */
  written = 0;
  closed = false;
  constructor(
    private readonly incoming: Pipe,
    private readonly outgoing: Pipe,
    private readonly chunkSize: number,
  ) {}

  read(): Promise<Uint8Array | null> {
    if (this.closed) return Promise.resolve(null);
    return this.incoming.pull();
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed || this.outgoing.ended) return Promise.reject(new Error('write on a closed memory channel'));
    this.written += bytes.length;
    for (let off = 0; off < bytes.length; off += this.chunkSize)
      this.outgoing.push(bytes.slice(off, Math.min(bytes.length, off + this.chunkSize)));
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.outgoing.end();
      this.incoming.end();
    }
    return Promise.resolve();
  }

  /** Ends our sending direction only (the peer reads EOF; we can still read). */
  endWrite(): void {
    this.outgoing.end();
  }
}

/** Two ByteChannels connected back to back. */
export function memoryChannelPair(options: ChannelPairOptions = {}): [MemoryChannel, MemoryChannel] {
  const chunk = options.chunkSize ?? Number.POSITIVE_INFINITY;
  if (!(chunk >= 1)) throw new RangeError('chunkSize must be >= 1');
  const ab = new Pipe();
  const ba = new Pipe();
  return [new MemoryChannel(ba, ab, chunk), new MemoryChannel(ab, ba, chunk)];
}

/** Async variant: both connections driven by the driver over an in-memory channel pair. */
export function streamPair(
  client: Connection,
  server: Connection,
  options: ChannelPairOptions & TlsStreamOptions = {},
): { client: TlsStream; server: TlsStream; channels: [MemoryChannel, MemoryChannel] } {
  const channels = memoryChannelPair(options);
  return {
    client: new TlsStream(client, channels[0], options),
    server: new TlsStream(server, channels[1], options),
    channels,
  };
}
