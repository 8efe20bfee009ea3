// The record layer. RFC 8446 §5, RFC 9846 §5.

export * from './constants.js';
export { type TrafficKeys, MAX_SEQUENCE_NUMBER, recordNonce, CipherState } from './keys.js';
export { type InboundRecord, type RecordReaderLimits, type SkipMode, RecordReader } from './reader.js';
export {
  type PaddingPolicy,
  type RecordWriterOptions,
  type WriteOptions,
  noPadding,
  padToBlock,
  padToMaximum,
  RecordWriter,
} from './writer.js';
export {
  type HandshakeJoinerOptions,
  type RawHandshakeMessage,
  HandshakeJoiner,
} from './handshake-joiner.js';
export { type Alert, encodeAlert, decodeAlert } from './alert.js';
