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
export { parseCertificate, CertificateCache } from './x509/certificate.js';
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
export { CertificateStore } from './connection/rotation.js';
export { RotatingVerifier, identityFromPem } from './x509/rotation.js';
export { WebCryptoServerVerifier, WebCryptoClientVerifier, type WebCryptoVerifierOptions } from './x509/webcrypto.js';
export type { ServerIdentity } from './x509/rotation.js';
export type { ClientCertificate } from './handshake/client/types.js';
export type { ClientAuthPolicy } from './handshake/server/types.js';
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
// Adapters are in tls13-engine/io and tls13-engine/node; test pairs and PKI minting in tls13-engine/testing.
