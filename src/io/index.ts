// tls13-engine/io: the browser-safe adapters. ByteChannel, the pump, TlsStream, and channels over
// Web Streams, WebSockets and push-style sockets; NSS key log formatting. No Node built-ins.

export type { ByteChannel } from './channel.js';
export { TlsStream, openTlsStream, type TlsStreamOptions } from './stream.js';
export { pump, type PumpHandlers } from './pump.js';
export { TruncationError, TlsTimeoutError } from '../errors.js';
export {
  connectStreams,
  acceptStreams,
  startTls,
  streamChannel,
  webStreamsOf,
  type StreamPair,
  type LockedStreams,
  type StreamTransport,
  type StreamChannelOptions,
  type WebTlsSocket,
  type WebStreamsOptions,
} from './web-streams.js';
export {
  connectWebSocket,
  acceptWebSocket,
  webSocketChannel,
  webSocketOpen,
  type WebSocketLike,
  type WebSocketChannelOptions,
  type WebSocketTlsOptions,
} from './websocket.js';
export { pushChannel, type PushSink, type PushChannel } from './push.js';
export { formatKeyLogLine, keyLogTo, combineKeyLoggers } from './keylog.js';
