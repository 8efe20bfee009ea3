// Configuration of client and server connections. Safe defaults: verification on,
// TLS 1.3 only, the provider's suites and groups in its preference order.

import type { CryptoProvider, SigningKey } from '../crypto/provider.js';
import type { ServerCertificateVerifier } from '../x509/verify.js';
import type { PaddingPolicy } from '../record/writer.js';
import type { EventListener, KeyLogger } from './types.js';
import type { HandshakeMessage } from '../wire/types.js';
import type { ClientAuthPolicy } from '../handshake/server/data.js';
import type { ClientCertificate } from '../handshake/client/data.js';
import type { AntiReplayStore, ClientSession, ExternalPsk, ServerTicketing, SessionCache, TicketIssuer } from '../resumption/types.js';

/** Resource bounds (each enforced with an alert); the defaults are safe for the open Internet. */
export interface Limits {
  /** Largest handshake message other than Certificate (default 64 KiB). */
  maxHandshakeMessageSize?: number;
  /** Largest Certificate message (default 256 KiB). */
  maxCertificateMessageSize?: number;
  /** Bytes of incoming records buffered while the application is not draining (default 1 MiB). */
  maxBufferedBytes?: number;
  /** change_cipher_spec records since the last record that carried progress (default 32). */
  maxConsecutiveChangeCipherSpec?: number;
  /**
   * Records in a row that carry no progress, whatever their type (default 32): empty or
   * padding-only application data and 0-RTT data, change_cipher_spec, user_canceled alerts,
   * records ignored after close_notify. Other such records do not reset the count; only
   * progress does (a handshake record before the handshake completes, non-empty application
   * or 0-RTT data). Beyond it: unexpected_message.
   */
  maxRecordsWithoutProgress?: number;
  /** @deprecated The former name of `maxRecordsWithoutProgress` (used when that is not set). */
  maxConsecutiveEmptyRecords?: number;
  /** KeyUpdates received without application data in between (default 32). */
  maxKeyUpdatesWithoutData?: number;
  /** NewSessionTickets a client accepts on one connection (default 32). */
  maxTicketsPerConnection?: number;
  /** Post-handshake CertificateRequests a client answers on one connection (default 4; RFC 8446 §4.6.2). */
  maxPostHandshakeCertificateRequests?: number;
}

export interface CommonConfig {
  /** Resource bounds. */
  limits?: Limits;
  /** Defaults to the @noble provider. */
  provider?: CryptoProvider;
  /** Cipher suite code points in preference order (default: the provider's). */
  cipherSuites?: number[];
  /** Named groups in preference order (default: the provider's). */
  groups?: number[];
  /** Signature schemes we accept from the peer, in preference order (default: all the provider verifies that TLS 1.3 allows). */
  signatureSchemes?: number[];
  /** ALPN protocols in preference order. */
  alpn?: string[];
  /** Injected clock (certificate validity, ticket ages). Default: `() => new Date()`. */
  now?: () => Date;
  /** NSS key log callback; secrets leave the engine only through it. */
  keyLog?: KeyLogger;
  /** Observe handshake messages, alerts, key changes. */
  onEvent?: EventListener;
  /** RFC 8446 §5.4 padding policy for protected records. */
  padding?: PaddingPolicy;
  /**
   * RFC 8446 §5.5: records sent under one key before a KeyUpdate goes out automatically
   * (default: the AEAD's limit, 2^24.5 for AES-GCM). Lower it to see rekeying in tests.
   */
  keyUpdateRecordLimit?: number;
  /** RFC 8449: the record_size_limit we advertise (64..16385); default: not sent. */
  recordSizeLimit?: number;
  /**
   * Research and test hooks, not for production: change a handshake message before it is
   * encoded and sent (the transcript follows what was sent).
   */
  research?: ResearchHooks;
}

export interface ResearchHooks {
  beforeSend?: (msg: HandshakeMessage) => HandshakeMessage | void;
  /** Change a handshake message after it is decoded, before the state sees it (the transcript keeps the bytes received). */
  afterReceive?: (msg: HandshakeMessage) => HandshakeMessage | void;
}

export interface ClientConfig extends CommonConfig {
  /**
   * SNI (RFC 6066) and the name the server certificate must match. IP literals are verified but not
   * sent as SNI. Required with a `verifier` (a TlsUsageError otherwise) unless `verifyServerName` is false.
   */
  serverName?: string;
  /** Verifies the server's certificate chain. Required unless `insecureSkipVerify` is set or only external PSKs are used. */
  verifier?: ServerCertificateVerifier;
  /**
   * Default true: the verifier checks the certificate against `serverName` (RFC 9525). False is an
   * explicit opt-out: the chain is verified, no name is checked (e.g. pins only, or a private CA
   * whose every certificate is acceptable); `serverName` may then be absent.
   */
  verifyServerName?: boolean;
  /** Explicit opt-out of certificate verification (tests and harnesses only). */
  insecureSkipVerify?: boolean;
  /** Groups to send key shares for in the first ClientHello (default: the first of `groups`). */
  keyShareGroups?: number[];
  /** RFC 8446 Appendix D.4 middlebox compatibility mode (default false). */
  middleboxCompat?: boolean;

  // ---- Resumption and 0-RTT (RFC 8446 §2.2, §2.3, §4.2.11) ----
  /**
   * Where tickets received are kept and resumption tickets come from (keyed by server name, ALPN
   * and verification policy). A session is offered only if it would pass a full handshake: made
   * under the same policy (never an insecureSkipVerify session by a verifying client), its leaf
   * not expired, and its chain accepted by this verifier for this `serverName` (RFC 8446 §4.6.1).
   */
  sessionCache?: SessionCache;
  /** Resume exactly this session (takes precedence over the cache; checked like a cached one, skipped if it fails). */
  session?: ClientSession;
  /** PSK key exchange modes offered with a PSK (default [psk_dhe_ke]). */
  pskModes?: number[];
  /** External PSKs to offer (after a resumption ticket, if any). */
  externalPsks?: ExternalPsk[];
  /**
   * Bytes to send as 0-RTT data right after the ClientHello, when a resumed session allows it
   * (at most its max_early_data_size). `parameters.earlyData` then says whether the server
   * accepted them; on rejection the application may send them again with `write()`.
   */
  earlyData?: Uint8Array;
  /** Called with every session (ticket) the server sends, e.g. to save it to a file. */
  onSession?: (session: ClientSession) => void;

  // ---- Client authentication (RFC 8446 §4.3.2, §4.4.2, §4.6.2) ----
  /**
   * Certificates (chain, leaf first, and its key) to authenticate with when the server asks.
   * The first that fits the request (a signature scheme it accepts, a chain through one of its
   * certificate_authorities) is sent; with none, an empty Certificate goes back.
   */
  clientCertificates?: ClientCertificate[];
  /** Offer post-handshake client authentication (post_handshake_auth). */
  postHandshakeAuth?: boolean;
  /** Ask the server to staple an OCSP response (status_request, RFC 6066 §8); the verifier checks it. */
  requestOcsp?: boolean;
}


export interface ServerConfig extends CommonConfig {
  /** DER certificates, leaf first. Optional only for a PSK-only server (externalPsks). */
  certificateChain?: Uint8Array[];
  /** The key of the leaf certificate. */
  signingKey?: SigningKey;
  /**
   * Always send a HelloRetryRequest with a cookie (RFC 8446 §4.2.2), e.g. to test HRR. Default false:
   * HRR is sent only when the client's key shares do not match a group we accept.
   */
  requireCookie?: boolean;
  /**
   * Refuse handshakes whose ClientHello names a server we do not serve (callback returns false →
   * unrecognized_name). Consulted only when the ClientHello carries a host_name (no SNI, or an IP
   * literal, which RFC 6066 §3 does not allow there, skip it): a routing aid, not access control.
   */
  acceptServerName?: (name: string) => boolean;

  // ---- Resumption and 0-RTT (RFC 8446 §4.6.1, §4.2.10, §8) ----
  /** NewSessionTickets after each full or resumed handshake. Default: 2 tickets, 2 hours, self-encrypted. */
  tickets?: {
    /** How many to send (0: none). Default 2. */
    count?: number;
    /** ticket_lifetime in seconds, at most 604800 (7 days). Default 7200. */
    lifetimeSeconds?: number;
    /** Self-encrypted tickets (SelfEncryptedTickets, the default) or a stateful store. */
    issuer?: TicketIssuer;
    /**
     * Longest time a session lives after its full handshake, across tickets renewed on resumed
     * connections (RFC 8446 §4.6.1). Default 604800 (7 days).
     */
    maxSessionAgeSeconds?: number;
  };
  /**
   * Ticket keys and the 0-RTT replay window (createServerTicketing()): connections that share
   * it resume on each other's tickets and accept a 0-RTT flight once among them. Default: made
   * on the first connection of this config object and set here, so that the connections of one
   * config share it. `tickets.issuer` and `earlyData.antiReplay`, when set, take precedence.
   */
  ticketing?: ServerTicketing;
  /** PSK key exchange modes accepted (default [psk_dhe_ke, psk_ke]). */
  pskModes?: number[];
  /** External PSKs accepted. */
  externalPsks?: ExternalPsk[];
  /** A DER OCSP response for our leaf, stapled when the client asks (RFC 8446 §4.4.2.1). */
  ocspResponse?: Uint8Array;
  /** Ask clients for a certificate (RFC 8446 §4.3.2). Default: no client authentication. */
  clientAuth?: ClientAuthPolicy;
  /** Accept 0-RTT data (off by default). */
  earlyData?: {
    maxEarlyDataSize: number;
    /** Shared replay state (default: the replay window of `ticketing`). */
    antiReplay?: AntiReplayStore;
    /** Freshness tolerance for the ticket age check, RFC 8446 §8.3 (default 10 000 ms). */
    toleranceMs?: number;
  };
}
