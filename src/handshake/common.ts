// The context a handshake state acts through (implemented by the connection), and what the
// handshake hands the connection at its end. The state machine, signatures and secrets live in
// state.ts, signature.ts and secrets.ts (re-exported here).

import type { CipherSuiteImpl, CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import type { ConnectionEvent, NegotiatedParameters } from '../connection/types.js';
import type { HandshakeMessage } from '../wire/types.js';

export { Pending, whenReady, allReady, type HandshakeState, type Step } from './state.js';
export {
  certificateVerifyContent,
  CERTIFICATE_VERIFY_SCHEMES,
  CERTIFICATE_ONLY_SCHEMES,
  keyFitsScheme,
  runVerifier,
  checkCertificateVerify,
} from './signature.js';
export {
  findSuite,
  keyLogLabel,
  verifyFinished,
  deriveApplicationSecrets,
  deriveHandshakeSecrets,
  type ApplicationTrafficSecrets,
  type HandshakeTrafficSecrets,
} from './secrets.js';

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
