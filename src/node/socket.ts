// A ByteChannel over a Node `net.Socket`, with backpressure both ways.
// Create sockets with `allowHalfOpen: true` so that the peer's FIN does not end our side.

import type { Socket } from 'node:net';
import type { ByteChannel } from '../io/channel.js';

const EMPTY = new Uint8Array(0);
const ACCEPTED: Promise<void> = Promise.resolve();
/** Bytes written but not yet handed to the socket, plus the socket's own buffer, that a writer need not wait for. */
const COALESCE_LIMIT = 64 * 1024;

export interface SocketChannelOptions {
  /** How long close() waits for the socket to finish before destroying it (default 2 s). */
  closeTimeoutMs?: number;
}

/** Received bytes queued per channel before the socket is paused (read-side backpressure). */
const READ_QUEUE_LIMIT = 256 * 1024;

/**
 * Wraps a connected socket. The socket flows into a bounded queue that read() takes from: Node's
 * paused-mode read() would join its buffered chunks (a copy) and stop the socket at 16 KiB.
 */
export function socketChannel(socket: Socket, options: SocketChannelOptions = {}): ByteChannel {
  const closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
  let ended = false;
  let failure: Error | undefined;
  let closing: Promise<void> | undefined;
  let notify: (() => void) | undefined;
  const queue: Uint8Array[] = [];
  let head = 0;
  let queued = 0;
  let paused = false;
  const wake = (): void => {
    const n = notify;
    notify = undefined;
    n?.();
  };
  const onData = (chunk: Buffer): void => {
    if (closing) return; // discarded: only 'end' and 'close' matter now
    queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    queued += chunk.byteLength;
    if (queued >= READ_QUEUE_LIMIT && !paused) {
      paused = true;
      socket.pause();
    }
    wake();
  };
  socket.on('data', onData);
  socket.on('end', () => {
    ended = true;
    wake();
  });
  socket.on('error', (err) => {
    failure ??= err;
    wake();
  });
  socket.on('close', () => {
    ended = true;
    wake();
  });

  const pull = (): Uint8Array | null | undefined => {
    if (head < queue.length) {
      const chunk = queue[head]!;
      queue[head++] = EMPTY;
      if (head === queue.length) {
        queue.length = 0;
        head = 0;
      }
      queued -= chunk.length;
      if (paused && queued < READ_QUEUE_LIMIT / 2 && !closing) {
        paused = false;
        socket.resume();
      }
      return chunk;
    }
    if (failure) throw failure;
    if (ended || closing || socket.destroyed) return null;
    return undefined;
  };

  let pending: Uint8Array[] | undefined;
  let pendingBytes = 0;
  let waiters: { resolve: () => void; reject: (err: Error) => void }[] | undefined;
  const settleWaiters = (err?: Error): void => {
    const w = waiters;
    waiters = undefined;
    if (w) for (const x of w) err ? x.reject(err) : x.resolve();
  };
  const flushPending = (): void => {
    const chunks = pending;
    pending = undefined;
    pendingBytes = 0;
    if (chunks === undefined) return;
    if (failure || socket.destroyed || socket.writableEnded) {
      settleWaiters(failure ?? new Error('socket closed during write'));
      return;
    }
    let ok: boolean;
    if (chunks.length === 1) ok = socket.write(chunks[0]!);
    else {
      socket.cork();
      ok = true;
      for (const c of chunks) ok = socket.write(c);
      socket.uncork();
    }
    if (waiters === undefined) return;
    if (ok) {
      settleWaiters();
      return;
    }
    const onDrain = (): void => done();
    const onClose = (): void => done(failure ?? new Error('socket closed during write'));
    const done = (err?: Error): void => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      settleWaiters(err);
    };
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  };

  return {
    read(): Promise<Uint8Array | null> {
      try {
        const got = pull();
        if (got !== undefined) return Promise.resolve(got);
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise<Uint8Array | null>((resolve, reject) => {
        const retry = (): void => {
          try {
            const got = pull();
            if (got !== undefined) resolve(got);
            else notify = retry;
          } catch (err) {
            reject(err);
          }
        };
        notify = retry;
      });
    },

    write(bytes: Uint8Array): Promise<void> {
      if (failure) return Promise.reject(failure);
      if (closing || socket.destroyed || socket.writableEnded) return Promise.reject(new Error('write on a closed socket'));
      // Coalesced: everything written before the next tick goes out in one writev (one syscall
      // for several records: an application that writes a record at a time and awaits each).
      if (pending === undefined) {
        pending = [];
        process.nextTick(flushPending);
      }
      pending.push(bytes);
      pendingBytes += bytes.length;
      // Accepted while under the bound (a later failure surfaces as 'error'); beyond it the
      // writer waits until the socket took the batch and drained.
      if (pendingBytes + socket.writableLength < COALESCE_LIMIT) return ACCEPTED;
      return new Promise<void>((resolve, reject) => (waiters ??= []).push({ resolve, reject }));
    },

    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        wake();
        if (socket.destroyed) {
          resolve();
          return;
        }
        const timer = setTimeout(() => socket.destroy(), closeTimeoutMs);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        flushPending();
        socket.end();
        queue.length = 0;
        queued = 0;
        socket.resume(); // discard what is left so that 'end' and 'close' can come
      });
      return closing;
    },
  };
}
