// tls13-engine/node: TLS 1.3 over Node's `net` (connect, createServer), the socket ByteChannel,
// and node:crypto as the default provider for them. The node:tls-shaped API is ./tls.

export { connect, createServer, type ConnectOptions, type ServerOptions, type TlsServer } from './net.js';
export { socketChannel, type SocketChannelOptions } from './socket.js';
export { withNodeProvider } from './provider.js';
export { TlsTimeoutError, TruncationError } from '../errors.js';
export type { ByteChannel } from '../io/channel.js';
export { TlsStream, openTlsStream, type TlsStreamOptions } from '../io/stream.js';
