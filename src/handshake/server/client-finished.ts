// Server: the client's second flight. RFC 8446 §4.4.4.

import { trafficKeys } from '../../keyschedule/index.js';
import { HandshakeType } from '../../wire/codepoints.js';
import type { Finished } from '../../wire/types.js';
import { verifyFinished, type HandshakeState, type Step } from '../common.js';
import { ServerTraffic } from '../traffic.js';
import type { ServerHandshake } from './data.js';
import { sendTickets } from './psk.js';

export class ExpectClientFinished implements HandshakeState {
  readonly name = 'ExpectClientFinished';
  readonly expects = [HandshakeType.finished];
  constructor(private readonly hs: ServerHandshake) {}

  handle(msg: Finished, raw: Uint8Array): Step {
    const hs = this.hs;
    const suite = hs.suite!;
    verifyFinished(suite.hash, hs.clientHandshakeSecret!, hs.transcript.current(), msg.verifyData, 'client');
    hs.transcript.add(raw);
    // RFC 8446 §4.4: post-handshake authentication extends the transcript through this Finished.
    if (hs.postHandshakeAuth) hs.postHandshakeBase = hs.transcript.fork();
    const cats = hs.clientApplicationSecret!;
    hs.ctx.setReadKeys(trafficKeys(suite, cats), 'application', cats, suite);
    const resumptionMasterSecret = hs.master!.resumptionMasterSecret(hs.transcript.current());
    hs.ctx.handshakeDone({
      suite,
      clientTrafficSecret: cats,
      serverTrafficSecret: hs.serverApplicationSecret!,
      exporterMasterSecret: hs.exporterMasterSecret!,
      resumptionMasterSecret,
    });
    sendTickets(hs, resumptionMasterSecret);
    return new ServerTraffic(hs.ctx);
  }
}
