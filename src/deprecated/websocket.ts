// tls13-engine/websocket, deprecated (kept for this release): these names moved to tls13-engine/io.

export * from '../io/websocket.js';
export { TlsStream, type TlsStreamOptions } from '../io/stream.js';
export type { ByteChannel } from '../io/channel.js';
export { TruncationError } from '../errors.js';
