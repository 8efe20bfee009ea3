// Server: the types the server states share (no behaviour). RFC 8446 §4.1.2, §4.2, §4.2.11, §4.3.2.

import type { CipherSuiteImpl, HashAlgorithm, KeyExchangeGroup, SigningKey } from '../../crypto/provider.js';
import type { AntiReplayStore, ExternalPsk, ServerSessionState, TicketIssuer } from '../../resumption/types.js';
import type { KeyShareEntry, OfferedPsks, OidFilter } from '../../wire/types.js';
import type { ClientCertificateVerifier } from '../../x509/client-verify.js';

/** RFC 8446 §4.3.2: whether and how the server asks for client certificates. */
export interface ClientAuthPolicy {
  /**
   * In the handshake: 'none' asks nothing (the verifier serves post-handshake requests),
   * 'optional' asks, 'required' asks and answers no certificate with certificate_required.
   */
  mode: 'none' | 'optional' | 'required';
  verifier: ClientCertificateVerifier;
  /** RFC 8446 §4.2.5 */
  oidFilters?: OidFilter[];
  /** Send certificate_authorities from the verifier's anchors (default true). */
  sendAuthorities?: boolean;
}

/** ServerConfig with every default filled in. */
export interface ResolvedServerConfig {
  /** Undefined for a PSK-only server. */
  certificate: { chain: Uint8Array[]; key: SigningKey } | undefined;
  cipherSuites: CipherSuiteImpl[];
  groups: KeyExchangeGroup[];
  alpn: Uint8Array[];
  requireCookie: boolean;
  acceptServerName: ((name: string) => boolean) | undefined;
  recordSizeLimit: number | undefined;
  ticketCount: number;
  ticketLifetimeSeconds: number;
  ticketIssuer: TicketIssuer;
  /** tickets.maxSessionAgeSeconds, in ms. */
  maxSessionAgeMs: number;
  pskModes: number[];
  externalPsks: ExternalPsk[];
  earlyData: { maxEarlyDataSize: number; antiReplay: AntiReplayStore; toleranceMs: number } | undefined;
  clientAuth: ClientAuthPolicy | undefined;
  ocspResponse: Uint8Array | undefined;
}

/** The PSK the server goes on with. */
export interface AcceptedPsk {
  index: number;
  psk: Uint8Array;
  hash: HashAlgorithm;
  external: boolean;
  identity: Uint8Array;
  obfuscatedTicketAge: number;
  binder: Uint8Array;
  /** For a resumption ticket: what the ticket carried. */
  state?: ServerSessionState;
  /** For a ticket with a client chain: the chain's earliest notAfter (ms), as verified again now. */
  peerNotAfter?: number;
}

/** What a ClientHello offers, read once and checked (RFC 8446 §4.1.2, §4.2, §9.2). */
export interface ClientOffer {
  groups: number[] | undefined;
  shares: KeyShareEntry[] | undefined;
  schemes: number[] | undefined;
  alpn: Uint8Array[] | undefined;
  serverName: string | undefined;
  cookie: Uint8Array | undefined;
  recordSizeLimit: number | undefined;
  psks: OfferedPsks | undefined;
  pskModes: number[] | undefined;
  earlyData: boolean;
  /** RFC 6066 §8: the client asked for an OCSP staple. */
  statusRequest: boolean;
  /** RFC 8446 §4.2.6: the client offered post_handshake_auth. */
  postHandshakeAuth: boolean;
}
