// A ByteChannel for event-driven sockets (Bun's `Bun.connect`, Node-style 'data' events, any
// callback API): the socket's data handler calls push(), its end/close handler end(), its
// error handler fail(); writes go to `sink.write`, which may accept only part of the bytes
// (Bun returns the count written) and then signals drain(). Browser-safe.

import type { ByteChannel } from './channel.js';

export interface PushSink {
  /**
   * Writes bytes. Return the number of bytes accepted (a partial write waits for drain() and
   * retries the rest), false (all buffered, wait for drain() before the next write), or
   * nothing / true / a promise (accepted).
   */
  write(bytes: Uint8Array): number | boolean | void | Promise<void>;
  /** Ends the socket (FIN or close). */
  close(): void;
}

export interface PushChannel {
  readonly channel: ByteChannel;
  /** Bytes arrived from the socket. */
  push(bytes: Uint8Array): void;
  /** The socket reached end of stream (or closed). */
  end(): void;
  /** The socket failed: pending and later reads reject with `err`. */
  fail(err: unknown): void;
  /** The socket can take more bytes (after a partial or buffered write). */
  drain(): void;
}

/** Builds a channel whose input is pushed by socket callbacks and whose output goes to `sink`. */
export function pushChannel(sink: PushSink): PushChannel {
  const chunks: Uint8Array[] = [];
  let ended = false;
  let closed = false;
  let failure: { err: unknown } | undefined;
  let reader: { resolve(v: Uint8Array | null): void; reject(e: unknown): void } | undefined;
  let drainWaiter: (() => void) | undefined;

  const settleReader = (): void => {
    const r = reader;
    if (!r) return;
    const c = chunks.shift();
    if (c !== undefined) {
      reader = undefined;
      r.resolve(c);
    } else if (failure) {
      reader = undefined;
      r.reject(failure.err);
    } else if (ended || closed) {
      reader = undefined;
      r.resolve(null);
    }
  };
  const waitDrain = (): Promise<void> =>
    new Promise((resolve) => {
      drainWaiter = resolve;
    });

  const channel: ByteChannel = {
    read() {
      if (closed) return Promise.resolve(null);
      if (reader) return Promise.reject(new Error('concurrent read on a push channel'));
      return new Promise((resolve, reject) => {
        reader = { resolve, reject };
        settleReader();
      });
    },
    async write(bytes) {
      let rest = bytes;
      while (rest.length > 0) {
        if (failure) throw failure.err;
        if (closed) throw new Error('write on a closed channel');
        const r = sink.write(rest);
        if (typeof r === 'number') {
          if (r < 0) throw new Error('socket write failed');
          rest = rest.subarray(r);
          if (rest.length > 0) await waitDrain();
        } else {
          if (r === false) await waitDrain();
          else if (r !== undefined && r !== true) await r;
          return;
        }
      }
    },
    close() {
      if (!closed) {
        closed = true;
        try {
          sink.close();
        } catch {
          /* already closed */
        }
        settleReader();
        drainWaiter?.();
      }
      return Promise.resolve();
    },
  };

  return {
    channel,
    push(bytes) {
      if (closed || ended || bytes.length === 0) return;
      chunks.push(bytes.slice()); // some runtimes reuse the buffer after the callback returns
      settleReader();
    },
    end() {
      ended = true;
      settleReader();
      drainWaiter?.();
    },
    fail(err) {
      failure ??= { err };
      settleReader();
      const d = drainWaiter;
      drainWaiter = undefined;
      d?.();
    },
    drain() {
      const d = drainWaiter;
      drainWaiter = undefined;
      d?.();
    },
  };
}
