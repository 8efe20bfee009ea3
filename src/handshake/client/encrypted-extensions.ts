// Client: EncryptedExtensions, what the server negotiated beyond the ServerHello. RFC 8446 §4.3.1
// (ALPN RFC 7301 §3.1, record_size_limit RFC 8449, server_name RFC 6066 §3, early_data §4.2.10).

import { tlsError } from '../../errors.js';
import { ExtensionType, HandshakeType } from '../../wire/codepoints.js';
import { decodeAlpnList, decodeRecordSizeLimit, findExtension } from '../../wire/extensions.js';
import type { EncryptedExtensions } from '../../wire/types.js';
import { bytesEqual, nameToString } from '../../util/bytes.js';
import { TypedState, type Handlers, type Step } from '../state.js';
import { checkSolicited, type AfterEncryptedExtensions, type AfterServerHello } from './data.js';
import { readEarlyDataResponse } from './early-data.js';
import { ExpectFinished } from './finished.js';
import { ExpectCertificateOrRequest } from './server-auth.js';

/** RFC 8446 §4.3.1 */
export class ExpectEncryptedExtensions extends TypedState<typeof HandshakeType.encrypted_extensions> {
  readonly name = 'ExpectEncryptedExtensions';
  protected readonly handlers: Handlers<typeof HandshakeType.encrypted_extensions> = {
    [HandshakeType.encrypted_extensions]: (msg, raw) => this.encryptedExtensions(msg, raw),
  };
  constructor(private readonly hs: AfterServerHello) {
    super();
  }

  private encryptedExtensions(msg: EncryptedExtensions, raw: Uint8Array): Step {
    const hs = this.hs;
    checkSolicited(hs.sentExtensions, msg.extensions, 'EncryptedExtensions');
    const alpn = findExtension(msg.extensions, ExtensionType.application_layer_protocol_negotiation);
    if (alpn) {
      // RFC 7301 §3.1: exactly one protocol, one that we offered.
      const list = decodeAlpnList(alpn.data);
      const chosen = list[0];
      if (list.length !== 1 || !chosen) throw tlsError('illegal_parameter', 'ALPN response must name exactly one protocol');
      if (!hs.config.alpn.some((p) => bytesEqual(p, chosen))) throw tlsError('illegal_parameter', 'server chose an ALPN protocol we did not offer');
      hs.ctx.negotiated({ alpn: nameToString(chosen) });
    }
    const rsl = findExtension(msg.extensions, ExtensionType.record_size_limit);
    if (rsl) hs.ctx.peerRecordSizeLimit(decodeRecordSizeLimit(rsl.data));
    if (findExtension(msg.extensions, ExtensionType.server_name)) hs.ctx.negotiated({ serverName: hs.config.sniHostName });
    const { earlyData, handshakeWriteKeys } = readEarlyDataResponse(hs, findExtension(msg.extensions, ExtensionType.early_data) !== undefined);
    hs.transcript.add(raw);
    const next: AfterEncryptedExtensions = {
      ctx: hs.ctx,
      config: hs.config,
      transcript: hs.transcript,
      sentExtensions: hs.sentExtensions,
      suite: hs.suite,
      handshakeSecrets: hs.handshakeSecrets,
      clientHandshakeSecret: hs.clientHandshakeSecret,
      serverHandshakeSecret: hs.serverHandshakeSecret,
      psk: hs.psk,
      earlyData,
      handshakeWriteKeys,
    };
    // RFC 8446 §2.2: with a PSK the server does not authenticate with a certificate.
    if (hs.psk) return new ExpectFinished({ ...next, certificateRequest: undefined, serverAuth: { by: 'psk', psk: hs.psk } });
    return new ExpectCertificateOrRequest(next);
  }
}
