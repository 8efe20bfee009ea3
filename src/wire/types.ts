// Decoded forms of TLS 1.3 handshake messages (RFC 8446 §4) and extension bodies (§4.2).
// Messages keep their extensions as an ordered raw list so that encode(decode(x)) == x
// and so that a researcher can add, drop or reorder extensions; typed extension bodies
// are read and written with the codecs in ./extensions.ts.

import type { HandshakeType } from './codepoints.js';

/** One extension as it stands on the wire: RFC 8446 §4.2 `Extension`. */
export interface Extension {
  type: number;
  data: Uint8Array;
}

/** RFC 8446 §4.1.2 */
export interface ClientHello {
  msgType: typeof HandshakeType.client_hello;
  legacyVersion: number;
  random: Uint8Array; // 32 bytes
  legacySessionId: Uint8Array; // 0..32
  cipherSuites: number[];
  legacyCompressionMethods: Uint8Array;
  extensions: Extension[];
}

/** RFC 8446 §4.1.3 (and §4.1.4: a HelloRetryRequest is a ServerHello with the special random). */
export interface ServerHello {
  msgType: typeof HandshakeType.server_hello;
  legacyVersion: number;
  random: Uint8Array;
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  legacyCompressionMethod: number;
  extensions: Extension[];
  /** Derived on decode from `random` (RFC 8446 §4.1.3); ignored on encode. */
  isHelloRetryRequest: boolean;
}

/** RFC 8446 §4.3.1 */
export interface EncryptedExtensions {
  msgType: typeof HandshakeType.encrypted_extensions;
  extensions: Extension[];
}

/** RFC 8446 §4.3.2 */
export interface CertificateRequest {
  msgType: typeof HandshakeType.certificate_request;
  certificateRequestContext: Uint8Array;
  extensions: Extension[];
}

/** RFC 8446 §4.4.2 */
export interface CertificateEntry {
  /** DER X.509 certificate (or raw public key when negotiated, RFC 7250). */
  data: Uint8Array;
  extensions: Extension[];
}
export interface Certificate {
  msgType: typeof HandshakeType.certificate;
  certificateRequestContext: Uint8Array;
  certificateList: CertificateEntry[];
}

/** RFC 8446 §4.4.3 */
export interface CertificateVerify {
  msgType: typeof HandshakeType.certificate_verify;
  algorithm: number;
  signature: Uint8Array;
}

/** RFC 8446 §4.4.4. The length of verify_data is the suite hash length; checked by the handshake. */
export interface Finished {
  msgType: typeof HandshakeType.finished;
  verifyData: Uint8Array;
}

/** RFC 8446 §4.6.1 */
export interface NewSessionTicket {
  msgType: typeof HandshakeType.new_session_ticket;
  ticketLifetime: number;
  ticketAgeAdd: number;
  ticketNonce: Uint8Array;
  ticket: Uint8Array;
  extensions: Extension[];
}

/** RFC 8446 §4.5 */
export interface EndOfEarlyData {
  msgType: typeof HandshakeType.end_of_early_data;
}

/** RFC 8446 §4.6.3 */
export interface KeyUpdate {
  msgType: typeof HandshakeType.key_update;
  requestUpdate: number; // KeyUpdateRequest
}

/** RFC 8446 §4.4.1: the synthetic message that replaces ClientHello1 in the transcript after HRR. */
export interface MessageHash {
  msgType: typeof HandshakeType.message_hash;
  hash: Uint8Array;
}

export type HandshakeMessage =
  | ClientHello
  | ServerHello
  | EncryptedExtensions
  | CertificateRequest
  | Certificate
  | CertificateVerify
  | Finished
  | NewSessionTicket
  | EndOfEarlyData
  | KeyUpdate
  | MessageHash;

// ---- Extension bodies (RFC 8446 §4.2 and friends) ----

/** RFC 8446 §4.2.8 */
export interface KeyShareEntry {
  group: number;
  keyExchange: Uint8Array;
}

/** RFC 6066 §3 */
export interface ServerName {
  nameType: number;
  name: Uint8Array;
}

/** RFC 8446 §4.2.11 */
export interface PskIdentity {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}
export interface OfferedPsks {
  identities: PskIdentity[];
  binders: Uint8Array[];
}

/** RFC 8446 §4.2.5 */
export interface OidFilter {
  /** DER-encoded OID content octets, as on the wire (1..2^8-1). */
  certificateExtensionOid: Uint8Array;
  certificateExtensionValues: Uint8Array;
}

/** RFC 6066 §8 CertificateStatusRequest (status_type ocsp). */
export interface CertificateStatusRequest {
  statusType: number;
  /** For ocsp: ResponderID list, raw DER items. */
  responderIdList: Uint8Array[];
  /** For ocsp: DER Extensions, raw. */
  requestExtensions: Uint8Array;
  /** For a status_type other than ocsp: the body kept as is. */
  unknownBody?: Uint8Array;
}

/** RFC 6066 §8 / RFC 8446 §4.4.2.1 CertificateStatus inside a CertificateEntry. */
export interface CertificateStatus {
  statusType: number;
  ocspResponse: Uint8Array;
}
