// Client: the server's Finished, then our second flight (EndOfEarlyData, client certificate,
// Finished) and the application keys. RFC 8446 §4.4.4, §4.5, §7.1.

import { finishedVerifyData } from '../../keyschedule/index.js';
import { HandshakeType } from '../../wire/codepoints.js';
import type { Finished } from '../../wire/types.js';
import { TypedState, type Handlers, type Step } from '../state.js';
import { deriveApplicationSecrets, verifyFinished } from '../secrets.js';
import { ClientTraffic } from '../traffic.js';
import { installHandshakeWriteKeys, type BeforeServerFinished } from './data.js';
import { sendClientCertificate } from './client-auth.js';
import { sendEndOfEarlyData } from './early-data.js';
import { postHandshakeAuth } from './post-handshake.js';

export class ExpectFinished extends TypedState<typeof HandshakeType.finished> {
  readonly name = 'ExpectFinished';
  protected readonly handlers: Handlers<typeof HandshakeType.finished> = {
    [HandshakeType.finished]: (msg, raw) => this.finished(msg, raw),
  };
  constructor(private readonly hs: BeforeServerFinished) {
    super();
  }

  private finished(msg: Finished, raw: Uint8Array): Step {
    const hs = this.hs;
    const { suite } = hs;
    const hash = suite.hash;
    verifyFinished(hash, hs.serverHandshakeSecret, hs.transcript.current(), msg.verifyData, 'server');
    hs.transcript.add(raw);
    const { master, client: cats, server: sats, exporter: ems } = deriveApplicationSecrets(hs.ctx, hs.handshakeSecrets, hs.transcript.current());
    hs.ctx.setReadKeys('application', sats, suite);

    sendEndOfEarlyData(hs);
    installHandshakeWriteKeys(hs);
    const chts = hs.clientHandshakeSecret;
    const finish = (): Step => {
      const fin = hs.ctx.send({ msgType: HandshakeType.finished, verifyData: finishedVerifyData(hash, chts, hs.transcript.current()) });
      hs.transcript.add(fin);
      const rms = master.resumptionMasterSecret(hs.transcript.current());
      hs.ctx.setWriteKeys('application', cats, suite);
      hs.ctx.handshakeDone({
        suite,
        clientTrafficSecret: cats,
        serverTrafficSecret: sats,
        exporterMasterSecret: ems,
        resumptionMasterSecret: rms,
      });
      return new ClientTraffic(hs.ctx, postHandshakeAuth({ ctx: hs.ctx, config: hs.config, transcript: hs.transcript, suite }));
    };
    // RFC 8446 §4.4.2: answer a CertificateRequest (an empty Certificate when nothing fits).
    const req = hs.certificateRequest;
    return req ? sendClientCertificate(hs.ctx, hs.transcript, req, hs.config.clientCertificates, finish) : finish();
  }
}
