// Server: the client's Finished, the end of the handshake. RFC 8446 §4.4.4, §4.6.1.

import { HandshakeType } from '../../wire/codepoints.js';
import type { Finished } from '../../wire/types.js';
import { TypedState, type Handlers, type Step } from '../state.js';
import { verifyFinished } from '../secrets.js';
import { ServerTraffic, type PostHandshakeAuth } from './traffic.js';
import type { AfterServerFinished } from './data.js';
import { sendTickets } from './psk.js';
import { wipe } from '../../util/bytes.js';

export class ExpectClientFinished extends TypedState<typeof HandshakeType.finished> {
  readonly name = 'ExpectClientFinished';
  protected readonly handlers: Handlers<typeof HandshakeType.finished> = {
    [HandshakeType.finished]: (msg, raw) => this.finished(msg, raw),
  };
  constructor(private readonly hs: AfterServerFinished) {
    super();
  }

  private finished(msg: Finished, raw: Uint8Array): Step {
    const hs = this.hs;
    const { suite } = hs;
    verifyFinished(suite.hash, hs.clientHandshakeSecret, hs.transcript.current(), msg.verifyData, 'client');
    hs.transcript.add(raw);
    const postHandshakeAuth = postHandshakeAuthOf(hs);
    const cats = hs.clientApplicationSecret;
    hs.ctx.setReadKeys('application', cats, suite);
    // The last secret of the schedule: deriving it wipes the Master Secret (RFC 8446 §7.1).
    const resumptionMasterSecret = hs.master.resumptionMasterSecret(hs.transcript.current());
    hs.ctx.handshakeDone({
      suite,
      clientTrafficSecret: cats,
      serverTrafficSecret: hs.serverApplicationSecret,
      exporterMasterSecret: hs.exporterMasterSecret,
      resumptionMasterSecret,
    });
    sendTickets(hs, resumptionMasterSecret);
    // A server only issues tickets here: the resumption master secret is done with (§4.6.1).
    wipe(resumptionMasterSecret);
    return new ServerTraffic(hs.ctx, postHandshakeAuth);
  }
}

/**
 * RFC 8446 §4.6.2: what a post-handshake CertificateRequest builds on, fixed now. Only that
 * outlives the handshake: the context, the policy, the hash and the transcript through the
 * client's Finished (§4.4), no secret; kept only when we could ask.
 */
function postHandshakeAuthOf(hs: AfterServerFinished): PostHandshakeAuth {
  if (!hs.postHandshakeAuth) return 'not offered';
  const policy = hs.config.clientAuth;
  if (!policy) return 'not configured';
  return { ctx: hs.ctx, policy, hash: hs.suite.hash, transcript: hs.transcript.fork() };
}
