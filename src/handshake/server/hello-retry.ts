// Server: HelloRetryRequest, and the checks on the ClientHello that answers it. RFC 8446 §4.1.4, §4.1.2.

import { tlsError } from '../../errors.js';
import type { CipherSuiteImpl, KeyExchangeGroup } from '../../crypto/provider.js';
import { ExtensionType, HandshakeType } from '../../wire/codepoints.js';
import { decodeCookie, encodeCookie, encodeKeyShareHrr, findExtension } from '../../wire/extensions.js';
import { decodeHandshake } from '../../wire/messages.js';
import type { ClientHello, Extension } from '../../wire/types.js';
import { bytesEqual } from '../../util/bytes.js';
import { sendCompatChangeCipherSpec, sendServerHelloMessage, type HelloRetrySent, type ServerBase } from './data.js';
import { earlyDataSkipLimit } from './early-data.js';
import type { ClientOffer } from './types.js';

/**
 * RFC 8446 §4.1.4: ask for ClientHello2, naming the group when no usable share came (and a
 * cookie when configured). Returns what ClientHello2 must match.
 */
export function sendHelloRetryRequest(
  hs: ServerBase,
  ch: ClientHello,
  raw: Uint8Array,
  offer: ClientOffer,
  suite: CipherSuiteImpl,
  group: KeyExchangeGroup,
  needShare: boolean,
): HelloRetrySent {
  // RFC 8446 §4.2.10: 0-RTT data sent with ClientHello1 is skipped, up to our limit.
  if (offer.earlyData) hs.ctx.skipEarlyData('application_data', earlyDataSkipLimit(hs));
  // RFC 8446 §4.4.1: ClientHello1 becomes message_hash in the transcript.
  hs.transcript.setHash(suite.hash);
  hs.transcript.add(raw);
  hs.transcript.replaceWithMessageHash();
  const extensions: Extension[] = [];
  if (needShare) extensions.push({ type: ExtensionType.key_share, data: encodeKeyShareHrr(group.id) });
  if (hs.config.requireCookie) extensions.push({ type: ExtensionType.cookie, data: encodeCookie(hs.ctx.random(32)) });
  const hrrRaw = sendServerHelloMessage(hs, ch, suite, extensions, true);
  // The cookie to check is the one that went on the wire (a research hook may have changed it).
  const sent = decodeHandshake(hrrRaw);
  const cookieExt = sent.msgType === HandshakeType.server_hello ? findExtension(sent.extensions, ExtensionType.cookie) : undefined;
  const cookie = cookieExt && decodeCookie(cookieExt.data);
  hs.ctx.negotiated({ helloRetryRequest: true });
  const sentChangeCipherSpec = sendCompatChangeCipherSpec(hs.ctx, ch, false);
  return { clientHello1: ch, suite, group, cookie, sentChangeCipherSpec };
}

/**
 * RFC 8446 §4.1.2: after a HelloRetryRequest the client sends the same ClientHello except
 * key_share, cookie, early_data (removed), pre_shared_key and padding.
 */
export function checkSecondClientHello(first: ClientHello, second: ClientHello): void {
  const same =
    first.legacyVersion === second.legacyVersion &&
    bytesEqual(first.random, second.random) &&
    bytesEqual(first.legacySessionId, second.legacySessionId) &&
    first.cipherSuites.length === second.cipherSuites.length &&
    first.cipherSuites.every((s, i) => s === second.cipherSuites[i]) &&
    bytesEqual(first.legacyCompressionMethods, second.legacyCompressionMethods);
  if (!same) throw tlsError('illegal_parameter', 'second ClientHello changed a fixed field');
  const mayChange = new Set<number>([
    ExtensionType.key_share,
    ExtensionType.cookie,
    ExtensionType.early_data,
    ExtensionType.pre_shared_key,
    ExtensionType.padding,
  ]);
  const firstRest = first.extensions.filter((e) => !mayChange.has(e.type));
  const secondRest = second.extensions.filter((e) => !mayChange.has(e.type));
  if (
    firstRest.length !== secondRest.length ||
    firstRest.some((e, i) => {
      const other = secondRest[i];
      return other === undefined || e.type !== other.type || !bytesEqual(e.data, other.data);
    })
  ) {
    throw tlsError('illegal_parameter', 'second ClientHello changed an extension it may not change');
  }
  if (findExtension(second.extensions, ExtensionType.early_data)) throw tlsError('illegal_parameter', 'early_data after HelloRetryRequest');
}
