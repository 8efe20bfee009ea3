// tls13-engine: a sans-I/O TLS 1.3 engine (RFC 8446 / RFC 9846). Public exports only.

export { createClientConnection, createServerConnection, createServerTicketing, ClientConnection, ServerConnection } from './connection/index.js';
export type {
  ClientConfig,
  ServerConfig,
  CommonConfig,
  ServerTicketingOptions,
  Connection,
  ConnectionEvent,
  NegotiatedParameters,
  KeyLogger,
  EventListener,
  Side,
} from './connection/index.js';
export {
  AlertDescription,
  AlertLevel,
  TlsError,
  PeerAlertError,
  CertificateError,
  TlsUsageError,
  TruncationError,
  TlsTimeoutError,
  KeyFormatError,
  alertName,
} from './errors.js';
export * from './wire/codepoints.js';
export type * from './crypto/provider.js';
export { nobleProvider, createNobleProvider } from './crypto/noble/index.js';
export { setDefaultProvider, defaultProvider } from './crypto/default.js';
export { signingKeyFromMaterial } from './crypto/index.js';
export { pemDecode, pemEncode } from './x509/pem.js';
export { parsePrivateKeyPem } from './x509/keys.js';
export { parseCertificate } from './x509/certificate.js';
export { WebPkiServerVerifier } from './x509/verify.js';
export type { ServerCertificateVerifier, VerifiedChain } from './x509/verify.js';
export { WebPkiClientVerifier } from './x509/client-verify.js';
export type { ClientCertificateVerifier } from './x509/client-verify.js';
export type { CertificateVerifierInput, WebPkiVerifierOptions, PathChecker } from './x509/verify.js';
export type { ClientCertificateVerifierInput } from './x509/client-verify.js';
export { peerIdentity, parsePin, spkiSha256 } from './x509/identity.js';
export type { PeerIdentity } from './x509/identity.js';
export { withPolicy, ComposedVerifier, requireSpiffeId } from './x509/policy.js';
export type { ChainPolicy } from './x509/policy.js';
export { CertificateStore, RotatingVerifier, identityFromPem } from './x509/rotation.js';
export type { ServerIdentity } from './x509/rotation.js';
export type { ClientCertificate } from './handshake/client/data.js';
export type { ClientAuthPolicy } from './handshake/server/data.js';
export {
  SelfEncryptedTickets,
  selfEncryptedTicketsFor,
  StatefulTicketStore,
  MemorySessionCache,
  MemoryAntiReplay,
  sessionCacheKey,
  encodeSessionFile,
  decodeSessionFile,
  checkTicketAge,
} from './resumption/index.js';
export type { ClientSession, ServerSessionState, ServerTicketing, TicketIssuer, SessionCache, AntiReplayStore, ExternalPsk } from './resumption/types.js';
export type { ServerAuthentication } from './resumption/types.js';
export { formatHandshake, messageLabel } from './wire/format.js';
export { connectStreams, acceptStreams, startTls } from './transport/web-streams.js';
export { connectWebSocket, acceptWebSocket } from './transport/websocket.js';
export { connectPair, handshakePair, streamPair } from './transport/memory.js';
export { TlsStream, openTlsStream } from './transport/driver.js';
export type { ByteChannel } from './transport/driver.js';
