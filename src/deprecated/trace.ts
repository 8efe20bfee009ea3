// tls13-engine/trace, deprecated (kept for this release): record tracing moved to
// tls13-engine/testing (TlsStream and ByteChannel: tls13-engine/io).

export * from '../testing/trace.js';
export { TlsStream } from '../io/stream.js';
export type { ByteChannel } from '../io/channel.js';
