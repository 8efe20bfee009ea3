// Client after the handshake (RFC 8446 §4.6): NewSessionTickets become sessions (§4.6.1),
// post-handshake CertificateRequests are answered (§4.6.2), KeyUpdates followed (§4.6.3).

import { tlsError } from '../../errors.js';
import { Secret, resumptionPsk } from '../../keyschedule/index.js';
import type { CipherSuiteImpl } from '../../crypto/provider.js';
import { sessionCacheKey } from '../../resumption/cache.js';
import { MAX_TICKET_LIFETIME_SECONDS } from '../../resumption/state.js';
import type { ClientSession, ServerAuthentication, SessionCache } from '../../resumption/types.js';
import { ExtensionType, HandshakeType } from '../../wire/codepoints.js';
import { decodeEarlyDataTicket, findExtension } from '../../wire/extensions.js';
import type { HandshakeMessage, NewSessionTicket } from '../../wire/types.js';
import type { HandshakeState, Step } from '../common.js';
import type { HandshakeContext, NegotiatedParameters, TrafficHooks } from '../context.js';
import type { CertificateRequestHandler } from './post-handshake.js';
import { recordVerification, type Verification } from './session-check.js';

// Shared by every connection (a traffic state lives as long as its connection).
const CLIENT_EXPECTS: readonly number[] = Object.freeze([HandshakeType.new_session_ticket, HandshakeType.key_update]);
const CLIENT_EXPECTS_AUTH: readonly number[] = Object.freeze([...CLIENT_EXPECTS, HandshakeType.certificate_request]);

export class ClientTraffic implements HandshakeState {
  readonly name = 'ClientTraffic';
  readonly expects: readonly number[];
  constructor(
    private readonly ctx: HandshakeContext & TrafficHooks,
    /** Present when we offered post_handshake_auth (RFC 8446 §4.6.2); else a CertificateRequest is unexpected. */
    private readonly onCertificateRequest?: CertificateRequestHandler,
  ) {
    this.expects = onCertificateRequest ? CLIENT_EXPECTS_AUTH : CLIENT_EXPECTS;
  }
  handle(msg: HandshakeMessage, raw: Uint8Array): Step {
    if (msg.msgType === HandshakeType.key_update) this.ctx.keyUpdates.received(msg.requestUpdate);
    // RFC 9846 §4.6.1: a client that does not resume ignores tickets.
    else if (msg.msgType === HandshakeType.new_session_ticket) this.ctx.tickets?.received(msg);
    else if (msg.msgType === HandshakeType.certificate_request && this.onCertificateRequest) {
      return this.onCertificateRequest(msg, raw, () => this);
    }
    return this;
  }
}

/** Where the sessions made from tickets go, and what they record. */
export interface SessionSink {
  /** The name sessions are for (and cached under); undefined: none is cached. */
  serverName: string | undefined;
  /** The ALPN list of the config (part of the cache key). */
  alpn: string[] | undefined;
  /** The verification policy the cache keys by. */
  policy: ServerAuthentication;
  /** The verifier behind 'certificate' sessions. */
  verification: Verification | undefined;
  sessionCache: SessionCache | undefined;
  onSession: ((session: ClientSession) => void) | undefined;
  /** limits.maxTicketsPerConnection */
  maxTickets: number;
  now(): Date;
  /** The connection's negotiated parameters (read when a ticket arrives). */
  parameters: Partial<NegotiatedParameters>;
}

/**
 * RFC 8446 §4.6.1: a client's NewSessionTickets become sessions to resume with. Made only when
 * something stores them; holds the resumption master secret from the end of the handshake.
 */
export class ClientTickets {
  #received = 0;
  #suite: CipherSuiteImpl | undefined;
  #resumptionMasterSecret: Secret | undefined;

  constructor(private readonly sink: SessionSink) {}

  /** The handshake is done: tickets are derived from this secret (taken, wiped by wipe()). */
  start(suite: CipherSuiteImpl, resumptionMasterSecret: Uint8Array): void {
    this.#suite = suite;
    this.#resumptionMasterSecret = new Secret(resumptionMasterSecret);
  }

  received(nst: NewSessionTicket): void {
    const sink = this.sink;
    if (++this.#received > sink.maxTickets) throw tlsError('unexpected_message', 'too many NewSessionTickets');
    const suite = this.#suite;
    const rms = this.#resumptionMasterSecret;
    if (!suite || !rms || rms.wiped || nst.ticketLifetime === 0) return;
    const parameters = sink.parameters;
    const earlyData = findExtension(nst.extensions, ExtensionType.early_data);
    const session: ClientSession = {
      serverName: sink.serverName ?? '',
      ...(parameters.alpn !== undefined ? { alpn: parameters.alpn } : {}),
      cipherSuite: suite.id,
      ticket: nst.ticket.slice(),
      psk: resumptionPsk(suite.hash, rms.bytes, nst.ticketNonce),
      ticketAgeAdd: nst.ticketAgeAdd,
      lifetimeSeconds: Math.min(nst.ticketLifetime, MAX_TICKET_LIFETIME_SECONDS),
      receivedAt: sink.now().getTime(),
      maxEarlyDataSize: earlyData ? decodeEarlyDataTicket(earlyData.data) : 0,
      peerCertificates: parameters.peerCertificates ?? [],
      // An external PSK authenticated this server; else the policy did (a resumed session passed it too).
      serverAuth: parameters.pskIdentity !== undefined && !parameters.resumed ? 'psk' : sink.policy,
    };
    if (session.serverAuth === 'certificate' && sink.verification) recordVerification(session, sink.verification);
    if (sink.serverName !== undefined) sink.sessionCache?.put(sessionCacheKey(sink.serverName, sink.alpn, session.serverAuth), session);
    sink.onSession?.(session);
  }

  /** The connection ended: the resumption master secret goes. */
  wipe(): void {
    this.#resumptionMasterSecret?.wipe();
  }
}
