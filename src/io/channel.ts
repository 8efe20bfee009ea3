// ByteChannel: the reliable, ordered byte stream every adapter drives a Connection over
// (TCP socket, Web Stream pair, WebSocket, in-memory pipe). Browser-safe.

/** A reliable, ordered byte stream (TCP socket, Web Stream pair, WebSocket, in-memory pipe). */
export interface ByteChannel {
  /** Next chunk of bytes; null at end of stream. */
  read(): Promise<Uint8Array | null>;
  /** Resolves when the channel accepted the bytes (backpressure). */
  write(bytes: Uint8Array): Promise<void>;
  /** Ends our side and releases the channel; reads return null afterwards. Idempotent. */
  close(): Promise<void>;
}
