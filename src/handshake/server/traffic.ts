// Server after the handshake (RFC 8446 §4.6): KeyUpdates followed (§4.6.3), and post-handshake
// authentication (§4.6.2) asked for by the application and carried out inside this state.

import { TlsUsageError } from '../../errors.js';
import { HandshakeType } from '../../wire/codepoints.js';
import type { HandshakeMessage } from '../../wire/types.js';
import { Pending, type HandshakeState, type Step } from '../common.js';
import type { HandshakeContext, TrafficHooks } from '../context.js';
import { requestPostHandshakeCertificate, type PostHandshakeAuthBase } from './client-auth.js';

const SERVER_EXPECTS: readonly number[] = Object.freeze([HandshakeType.key_update]);

/**
 * What post-handshake authentication has to go on, fixed when the handshake completes: the
 * request's base, or why no request can be sent.
 */
export type PostHandshakeAuth = PostHandshakeAuthBase | 'not offered' | 'not configured';

export class ServerTraffic implements HandshakeState {
  /** The state of a post-handshake authentication in flight (RFC 8446 §4.6.2), if any. */
  #request: HandshakeState | undefined;

  constructor(
    private readonly ctx: HandshakeContext & TrafficHooks,
    /** Fixed when the handshake completed: what a post-handshake CertificateRequest builds on. */
    private readonly postHandshakeAuth: PostHandshakeAuth,
  ) {}

  get name(): string {
    return this.#request?.name ?? 'ServerTraffic';
  }

  /** While a request is in flight, only the client's answer (Certificate, CertificateVerify, Finished) is legal. */
  get expects(): readonly number[] {
    return this.#request?.expects ?? SERVER_EXPECTS;
  }

  handle(msg: HandshakeMessage, raw: Uint8Array): Step {
    if (this.#request) return this.#follow(this.#request.handle(msg, raw));
    if (msg.msgType === HandshakeType.key_update) this.ctx.keyUpdates.received(msg.requestUpdate);
    return this;
  }

  /**
   * RFC 8446 §4.6.2: send a CertificateRequest now. The new identity shows in
   * `parameters.peerCertificates` and a 'peer_certificates' event once the client answered.
   */
  requestClientCertificate(): void {
    const auth = this.postHandshakeAuth;
    if (auth === 'not offered') throw new TlsUsageError('the client did not offer post_handshake_auth');
    if (auth === 'not configured') throw new TlsUsageError('requestClientCertificate() needs clientAuth configured');
    if (this.#request) throw new TlsUsageError('a certificate request is already in progress');
    this.#request = requestPostHandshakeCertificate(auth, (presented) => {
      this.ctx.negotiated({ peerCertificates: presented });
      this.ctx.emit({ type: 'peer_certificates', certificates: presented });
      return this;
    });
  }

  /** The request's next step: this state again when it is done, else its next state (or a pending step towards it). */
  #follow(step: Step): Step {
    if (step instanceof Pending) return new Pending(step.promise, () => this.#follow(step.resume()));
    this.#request = step === this ? undefined : step;
    return this;
  }
}
