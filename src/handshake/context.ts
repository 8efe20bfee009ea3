// The handshake's side of the connection contract: what a state may do to its connection
// (HandshakeContext), and the events and parameters it reports (RFC 8446 §4, §7).
// Implemented by a connection-private object: none of it is reachable from a public connection.

import type { CipherSuiteImpl, CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import type { HandshakeMessage, NewSessionTicket } from '../wire/types.js';
import type { KeyUpdates } from './key-update.js';

/** What the handshake settled on; available once `handshakeComplete` (some fields earlier). */
export interface NegotiatedParameters {
  version: 'TLSv1.3';
  cipherSuite: number;
  cipherSuiteName: string;
  /** undefined for psk_ke resumption. */
  group?: number;
  groupName?: string;
  /** The CertificateVerify scheme of the server (as seen by either side); undefined when no certificate was used. */
  signatureScheme?: number;
  signatureSchemeName?: string;
  alpn?: string;
  serverName?: string;
  helloRetryRequest: boolean;
  /** The handshake resumed an earlier session (a ticket PSK was accepted). */
  resumed: boolean;
  /** The identity of the PSK the server accepted (a ticket or an external identity). */
  pskIdentity?: Uint8Array;
  /** 0-RTT: 'none' when not attempted. */
  earlyData: 'none' | 'accepted' | 'rejected';
  /** The peer's certificate chain, leaf first, DER (on resumption: the original handshake's). Empty when none. */
  peerCertificates: Uint8Array[];
}

/** Events, in order, for tracing and for applications that want to observe the handshake. */
export type ConnectionEvent =
  | { type: 'handshake'; direction: 'sent' | 'received'; message: HandshakeMessage; raw: Uint8Array }
  | { type: 'change_cipher_spec'; direction: 'sent' | 'received' }
  /**
   * Record payloads as the record layer sees them, before protection (sent) or after it
   * (received). `data` is present only when key logging is on: it may hold secrets.
   */
  | { type: 'plaintext'; direction: 'sent' | 'received'; contentType: number; length: number; protected: boolean; data?: Uint8Array }
  | { type: 'alert'; direction: 'sent' | 'received'; level: number; description: number }
  | { type: 'keys'; direction: 'read' | 'write'; epoch: 'early' | 'handshake' | 'application'; generation: number }
  | { type: 'handshake_complete'; parameters: NegotiatedParameters }
  /** The peer's certificates changed after the handshake (post-handshake authentication). */
  | { type: 'peer_certificates'; certificates: Uint8Array[] };

/** Epoch names used in events and key logs. */
export type Epoch = 'early' | 'handshake' | 'application';

/** What a state may do to its connection. Implemented by the connection. */
export interface HandshakeContext {
  readonly provider: CryptoProvider;
  random(length: number): Uint8Array;
  now(): Date;
  /** Encode, emit the event and queue the message on the current write keys; returns the raw bytes (for the transcript). */
  send(msg: HandshakeMessage, prepared?: boolean): Uint8Array;
  /** Apply the research hooks to a message about to be sent (then `send(msg, true)`): for binders. */
  prepare(msg: HandshakeMessage): HandshakeMessage;
  /** Back to plaintext writes (a client that sent 0-RTT data and then got a HelloRetryRequest). */
  clearWriteKeys(): void;
  /** Server: read 0-RTT data under the early key now, at most `maxBytes` (RFC 8446 §4.2.10). */
  acceptEarlyData(maxBytes: number): void;
  /** Server: drop rejected 0-RTT records, up to `maxBytes` (RFC 8446 §4.2.10). */
  skipEarlyData(how: 'undecryptable' | 'application_data', maxBytes: number): void;
  /** The current traffic secret of a direction (for post-handshake Finished keys, RFC 8446 §4.4). */
  trafficSecret(direction: 'read' | 'write'): Uint8Array;
  /** RFC 8446 §7.5: the early exporter master secret (0-RTT). */
  setEarlyExporter(hash: HashAlgorithm, secret: Uint8Array): void;
  /** 0-RTT application data under the current (early) write keys. */
  writeEarlyData(data: Uint8Array): void;
  /** RFC 8446 Appendix D.4 dummy change_cipher_spec. */
  sendChangeCipherSpec(): void;
  /** Install a direction's keys, derived from its traffic secret (RFC 8446 §7.3). */
  setReadKeys(epoch: Epoch, secret: Uint8Array, suite: CipherSuiteImpl): void;
  setWriteKeys(epoch: Epoch, secret: Uint8Array, suite: CipherSuiteImpl): void;
  /** NSS key log (no-op unless configured). */
  keyLog(label: string, secret: Uint8Array): void;
  emit(event: ConnectionEvent): void;
  /** Merge what was negotiated so far into the connection's parameters. */
  negotiated(p: Partial<NegotiatedParameters>): void;
  /** The handshake is done: application traffic may flow. */
  handshakeDone(secrets: ApplicationSecrets): void;
  /** RFC 8449: the peer's record_size_limit bounds the records we send. */
  peerRecordSizeLimit(limit: number): void;
  /** The client random, for key logging (set by whoever creates or receives the ClientHello). */
  clientRandom: Uint8Array;
}

/** What the handshake hands the connection at its end (it keeps what KeyUpdate, exporters and tickets need). */
export interface ApplicationSecrets {
  suite: CipherSuiteImpl;
  clientTrafficSecret: Uint8Array;
  serverTrafficSecret: Uint8Array;
  exporterMasterSecret: Uint8Array;
  resumptionMasterSecret: Uint8Array;
}


/** What the traffic states (RFC 8446 §4.6) use besides the HandshakeContext. */
export interface TrafficHooks {
  /** RFC 8446 §4.6.3: the connection's KeyUpdate state, there once the handshake is done. */
  readonly keyUpdates: KeyUpdates;
  /** Client, RFC 8446 §4.6.1: what turns tickets into sessions (undefined on a server). */
  readonly tickets: { received(ticket: NewSessionTicket): void } | undefined;
}
