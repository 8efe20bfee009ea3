// After the handshake: the post-handshake messages each role accepts (RFC 8446 §4.6).

import { HandshakeType } from '../wire/codepoints.js';
import type { HandshakeMessage, NewSessionTicket } from '../wire/types.js';
import type { HandshakeState, Step } from './state.js';
import type { CertificateRequestHandler } from './client/types.js';

/** What the traffic state needs from its connection. */
export interface TrafficHooks {
  keyUpdateReceived(requestUpdate: number): void;
  /** A client receives tickets (RFC 8446 §4.6.1); a client that does not resume ignores them (RFC 9846 §4.6.1). */
  ticketReceived?(ticket: NewSessionTicket): void;
}

// Shared by every connection (a traffic state lives as long as its connection).
const CLIENT_EXPECTS: readonly number[] = Object.freeze([HandshakeType.new_session_ticket, HandshakeType.key_update]);
const CLIENT_EXPECTS_AUTH: readonly number[] = Object.freeze([...CLIENT_EXPECTS, HandshakeType.certificate_request]);
const SERVER_EXPECTS: readonly number[] = Object.freeze([HandshakeType.key_update]);

export class ClientTraffic implements HandshakeState {
  readonly name = 'ClientTraffic';
  readonly expects: readonly number[];
  constructor(
    private readonly hooks: TrafficHooks,
    /** Present when we offered post_handshake_auth (RFC 8446 §4.6.2); else a CertificateRequest is unexpected. */
    private readonly onCertificateRequest?: CertificateRequestHandler,
  ) {
    this.expects = onCertificateRequest ? CLIENT_EXPECTS_AUTH : CLIENT_EXPECTS;
  }
  handle(msg: HandshakeMessage, raw: Uint8Array): Step {
    if (msg.msgType === HandshakeType.key_update) this.hooks.keyUpdateReceived(msg.requestUpdate);
    else if (msg.msgType === HandshakeType.new_session_ticket) this.hooks.ticketReceived?.(msg);
    else if (msg.msgType === HandshakeType.certificate_request && this.onCertificateRequest) {
      return this.onCertificateRequest(msg, raw, () => this);
    }
    return this;
  }
}

export class ServerTraffic implements HandshakeState {
  readonly name = 'ServerTraffic';
  readonly expects = SERVER_EXPECTS;
  constructor(private readonly hooks: TrafficHooks) {}
  handle(msg: HandshakeMessage): Step {
    if (msg.msgType === HandshakeType.key_update) this.hooks.keyUpdateReceived(msg.requestUpdate);
    return this;
  }
}
