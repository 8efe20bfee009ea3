// Resumption and 0-RTT data, shared by the handshake and the stores. RFC 8446 §2.2, §4.6.1, §8.

/** What a server needs to resume a session (RFC 8446 §4.6.1), sealed into a ticket or kept in a store. */
export interface ServerSessionState {
  cipherSuite: number;
  /** The resumption PSK: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
  psk: Uint8Array;
  /** Server clock, ms since the epoch, when the ticket was issued. */
  issuedAt: number;
  /**
   * Server clock, ms since the epoch, of the full handshake this session comes from: kept
   * through tickets renewed on resumed connections (RFC 8446 §4.6.1 total lifetime).
   */
  authenticatedAt: number;
  lifetimeSeconds: number;
  ageAdd: number;
  /** 0: the ticket does not allow 0-RTT. */
  maxEarlyDataSize: number;
  alpn?: string;
  serverName?: string;
  /** The client's certificate chain in the original handshake (mutual TLS), DER, leaf first. */
  peerCertificates: Uint8Array[];
}

/** Issues opaque tickets for session states and turns them back into states. */
export interface TicketIssuer {
  /** The opaque `ticket` field of a NewSessionTicket. */
  issue(state: ServerSessionState): Uint8Array;
  /**
   * The state behind a ticket, or undefined when it is unknown, undecryptable, under a retired
   * key, or expired at `nowMs`. Never throws on malformed input.
   */
  redeem(ticket: Uint8Array, nowMs: number): ServerSessionState | undefined;
}

/**
 * A server's ticket keys (or ticket store) and its 0-RTT replay window (RFC 8446 §4.6.1, §8):
 * connections that share this object accept each other's tickets, and a 0-RTT flight once
 * among them. Made by createServerTicketing(); set as `ServerConfig.ticketing`.
 */
export interface ServerTicketing {
  readonly issuer: TicketIssuer;
  readonly antiReplay: AntiReplayStore;
}

/**
 * How the server was authenticated in the handshake a client session comes from: 'certificate'
 * (a ServerCertificateVerifier accepted its chain), 'insecure' (insecureSkipVerify: nothing was
 * checked) or 'psk' (an external PSK, no certificate).
 */
export type ServerAuthentication = 'certificate' | 'insecure' | 'psk';

/** What a client keeps to resume (RFC 8446 §4.6.1). */
export interface ClientSession {
  serverName: string;
  alpn?: string;
  cipherSuite: number;
  ticket: Uint8Array;
  psk: Uint8Array;
  ticketAgeAdd: number;
  lifetimeSeconds: number;
  /** Client clock, ms since the epoch, when the ticket arrived. */
  receivedAt: number;
  maxEarlyDataSize: number;
  /** The server's certificate chain in the original handshake, DER, leaf first. */
  peerCertificates: Uint8Array[];
  /**
   * How the original handshake authenticated the server (carried over by resumptions). Absent
   * (unknown, e.g. an older session file): a verifying client checks `peerCertificates` again.
   */
  serverAuth?: ServerAuthentication;
}

/** A client's tickets, keyed by server name, ALPN offer and verification policy (see sessionCacheKey). Tickets are used once by default (RFC 8446 Appendix C.4). */
export interface SessionCache {
  put(key: string, session: ClientSession): void;
  /** Removes and returns a usable session (not past its lifetime at `nowMs`), or undefined. */
  take(key: string, nowMs: number): ClientSession | undefined;
}

export type ReplayVerdict = 'fresh' | 'replayed' | 'full';

/**
 * Anti-replay state for 0-RTT (RFC 8446 §8): records identifiers (the server records ticket
 * identities, one per ticket) inside a freshness window. May be shared by a cluster (async allowed).
 * 'full' means the store cannot record more: the server refuses 0-RTT (fail closed).
 */
export interface AntiReplayStore {
  checkAndRecord(id: Uint8Array, nowMs: number, windowMs: number): ReplayVerdict | Promise<ReplayVerdict>;
}

/** An externally provisioned PSK (RFC 8446 §4.2.11), configured on both sides. */
export interface ExternalPsk {
  identity: Uint8Array;
  key: Uint8Array;
  /** The hash the PSK is bound to. Default SHA-256. */
  hash?: 'SHA-256' | 'SHA-384';
}
