// Client: 0-RTT. Whether to send it, sending it under the early key, the server's answer in
// EncryptedExtensions, and EndOfEarlyData. RFC 8446 §4.2.10, §4.5, §7.1.

import { tlsError } from '../../errors.js';
import { EarlySecretStage } from '../../keyschedule/index.js';
import type { ClientSession } from '../../resumption/types.js';
import { HandshakeType } from '../../wire/codepoints.js';
import { findSuite, keyLogLabel } from '../secrets.js';
import {
  installHandshakeWriteKeys,
  sendCompatChangeCipherSpec,
  type AfterServerHello,
  type BeforeServerFinished,
  type ClientBase,
  type ClientEarlyData,
} from './data.js';
import type { OfferedPsk } from './types.js';

/** RFC 8446 §4.2.10: 0-RTT only with the first PSK, a resumption ticket that allows this much data. */
export function earlyDataToSend(
  hs: ClientBase,
  offeredPsks: readonly OfferedPsk[],
): { psk: OfferedPsk; session: ClientSession; data: Uint8Array } | undefined {
  const first = offeredPsks[0];
  const data = hs.config.earlyData;
  const session = first?.session;
  if (!first || !session || data === undefined || data.length === 0 || session.maxEarlyDataSize < data.length) return undefined;
  return { psk: first, session, data };
}

/**
 * RFC 8446 §4.2.10, §7.1: switch to the client early traffic key and send the 0-RTT data.
 * Returns whether the compatibility change_cipher_spec has been sent.
 */
export function sendEarlyData(
  hs: ClientBase,
  psk: OfferedPsk,
  session: ClientSession,
  clientHelloHash: Uint8Array,
  data: Uint8Array,
  sentChangeCipherSpec: boolean,
): boolean {
  const suite = findSuite(hs.ctx.provider, session.cipherSuite);
  if (!suite) throw tlsError('internal_error', 'no implementation of the session\'s cipher suite');
  const stage = new EarlySecretStage(psk.hash, psk.psk);
  const secret = stage.clientEarlyTrafficSecret(clientHelloHash);
  hs.ctx.setEarlyExporter(psk.hash, stage.earlyExporterMasterSecret(clientHelloHash));
  stage.wipe();
  hs.ctx.keyLog(keyLogLabel.clientEarly, secret);
  // RFC 8446 Appendix D.4: with early data, the compatibility CCS goes right after the ClientHello.
  const sent = sendCompatChangeCipherSpec(hs, sentChangeCipherSpec);
  hs.ctx.setWriteKeys('early', secret, suite);
  if (data.length > 0) hs.ctx.writeEarlyData(data);
  return sent;
}

/**
 * RFC 8446 §4.2.10, §4.2.11: the server's answer to our 0-RTT in EncryptedExtensions. Our data
 * went with the first PSK only: early_data for another PSK, for none, or after a
 * HelloRetryRequest (no 0-RTT then) is illegal_parameter; else its presence means accepted.
 */
export function readEarlyDataResponse(
  hs: AfterServerHello,
  accepted: boolean,
): { earlyData: ClientEarlyData; handshakeWriteKeys: boolean } {
  if (accepted && (hs.earlyData !== 'sent' || hs.psk === undefined || hs.psk !== hs.offeredPsks[0])) {
    // The server reads no 0-RTT from us: the alert goes under the handshake key.
    installHandshakeWriteKeys(hs);
    throw tlsError('illegal_parameter', 'early_data in EncryptedExtensions, but the server did not select the PSK our 0-RTT data went with');
  }
  if (hs.earlyData !== 'sent') return { earlyData: hs.earlyData, handshakeWriteKeys: hs.handshakeWriteKeys };
  const earlyData = accepted ? 'accepted' : 'rejected';
  hs.ctx.negotiated({ earlyData });
  // Rejected: the server reads nothing more under the early key.
  return { earlyData, handshakeWriteKeys: accepted ? hs.handshakeWriteKeys : installHandshakeWriteKeys(hs) };
}

/** RFC 8446 §4.5: after accepted 0-RTT data, EndOfEarlyData closes it under the early key. */
export function sendEndOfEarlyData(hs: BeforeServerFinished): void {
  if (hs.earlyData === 'accepted') hs.transcript.add(hs.ctx.send({ msgType: HandshakeType.end_of_early_data }));
}
