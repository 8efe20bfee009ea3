// A ByteChannel over a Node `net.Socket`, with backpressure both ways.
// Create sockets with `allowHalfOpen: true` so that the peer's FIN does not end our side.

import type { Socket } from 'node:net';
import type { ByteChannel } from './driver.js';

export interface SocketChannelOptions {
  /** How long close() waits for the socket to finish before destroying it (default 2 s). */
  closeTimeoutMs?: number;
}

/** Wraps a connected socket. The socket is used in paused mode: bytes are pulled by read(). */
export function socketChannel(socket: Socket, options: SocketChannelOptions = {}): ByteChannel {
  const closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
  let ended = false;
  let failure: Error | undefined;
  let closing: Promise<void> | undefined;
  let notify: (() => void) | undefined;
  const wake = (): void => {
    const n = notify;
    notify = undefined;
    n?.();
  };
  socket.pause();
  socket.on('readable', wake);
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
    const chunk: unknown = socket.read();
    if (chunk instanceof Uint8Array) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (failure) throw failure;
    if (ended || closing || socket.destroyed) return null;
    return undefined;
  };

  return {
    async read(): Promise<Uint8Array | null> {
      for (;;) {
        const got = pull();
        if (got !== undefined) return got;
        await new Promise<void>((r) => {
          notify = r;
        });
      }
    },

    write(bytes: Uint8Array): Promise<void> {
      if (failure) return Promise.reject(failure);
      if (closing || socket.destroyed || socket.writableEnded) return Promise.reject(new Error('write on a closed socket'));
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        const done = (err?: Error | null): void => {
          if (settled) return;
          settled = true;
          socket.off('drain', onDrain);
          socket.off('close', onClose);
          if (err) reject(err);
          else resolve();
        };
        const onDrain = (): void => done();
        const onClose = (): void => done(failure ?? new Error('socket closed during write'));
        const ok = socket.write(bytes, (err) => {
          if (err) done(err);
        });
        if (ok) done();
        else {
          socket.on('drain', onDrain);
          socket.on('close', onClose);
        }
      });
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
        socket.end();
        socket.off('readable', wake);
        socket.resume(); // discard what is left so that 'end' and 'close' can come
      });
      return closing;
    },
  };
}
