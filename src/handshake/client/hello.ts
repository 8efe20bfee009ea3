// Client: ClientHello, then ServerHello or HelloRetryRequest. RFC 8446 §4.1.

import { AlertDescription, TlsError } from '../../errors.js';
import { trafficKeys } from '../../keyschedule/index.js';
import {
  ExtensionType,
  HandshakeType,
  ProtocolVersion,
  PskKeyExchangeMode,
  ServerNameType,
  groupName,
  suiteName,
} from '../../wire/codepoints.js';
import {
  encodeAlpnList,
  encodeCookie,
  encodeKeyShareClient,
  encodeNamedGroupList,
  encodePskKeyExchangeModes,
  encodeRecordSizeLimit,
  encodeServerNameList,
  encodeSignatureSchemeList,
  encodeSupportedVersionsClient,
  decodeCookie,
  decodeKeyShareHrr,
  decodeKeyShareServer,
  decodeSupportedVersionsServer,
  findExtension,
} from '../../wire/extensions.js';
import type { ClientHello, Extension, ServerHello } from '../../wire/types.js';
import { bytesEqual, utf8 } from '../../util/bytes.js';
import type { KeyExchange } from '../../crypto/provider.js';
import { deriveHandshakeSecrets, fail, findSuite, type HandshakeState, type Step } from '../common.js';
import { checkSolicited, type ClientHandshake } from './data.js';
import { ExpectEncryptedExtensions } from './server-auth.js';

/** RFC 8446 §4.1.3: the last 8 bytes of a downgraded ServerHello.random. */
const DOWNGRADE_TLS12 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
const DOWNGRADE_TLS11 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

function startKeyShare(hs: ClientHandshake, group: number): KeyExchange {
  const impl = hs.ctx.provider.groups.find((g) => g.id === group);
  if (!impl) throw new TlsError(AlertDescription.internal_error, `no implementation of group ${groupName(group)}`);
  return impl.start(hs.ctx.provider.random);
}

/** Build the first ClientHello's extensions. Order is stable (RFC 8448 replays depend on it). */
function clientHelloExtensions(hs: ClientHandshake, cookie?: Uint8Array): Extension[] {
  const c = hs.config;
  const exts: Extension[] = [];
  if (c.sniHostName !== undefined) {
    exts.push({
      type: ExtensionType.server_name,
      data: encodeServerNameList([{ nameType: ServerNameType.host_name, name: utf8(c.sniHostName) }]),
    });
  }
  exts.push({ type: ExtensionType.supported_groups, data: encodeNamedGroupList(c.groups) });
  exts.push({
    type: ExtensionType.key_share,
    data: encodeKeyShareClient(hs.keyShares.map((k) => ({ group: k.group, keyExchange: k.publicKey }))),
  });
  exts.push({ type: ExtensionType.supported_versions, data: encodeSupportedVersionsClient([ProtocolVersion.TLSv1_3]) });
  exts.push({ type: ExtensionType.signature_algorithms, data: encodeSignatureSchemeList(c.signatureSchemes) });
  if (cookie) exts.push({ type: ExtensionType.cookie, data: encodeCookie(cookie) });
  exts.push({ type: ExtensionType.psk_key_exchange_modes, data: encodePskKeyExchangeModes([PskKeyExchangeMode.psk_dhe_ke]) });
  if (c.recordSizeLimit !== undefined) {
    exts.push({ type: ExtensionType.record_size_limit, data: encodeRecordSizeLimit(c.recordSizeLimit) });
  }
  if (c.alpn.length > 0) {
    exts.push({ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpnList(c.alpn) });
  }
  return exts;
}

function sendClientHello(hs: ClientHandshake, ch: ClientHello): void {
  const raw = hs.ctx.send(ch);
  hs.clientHello = ch;
  for (const e of ch.extensions) hs.sentExtensions.add(e.type);
  hs.transcript.add(raw);
}

/** RFC 8446 §4.1.2: the first flight. */
export function startClientHandshake(hs: ClientHandshake): Step {
  hs.keyShares = hs.config.keyShareGroups.map((g) => startKeyShare(hs, g));
  const random = hs.ctx.random(32);
  hs.ctx.clientRandom = random;
  // RFC 8446 Appendix D.4: compatibility mode sends a non-empty legacy_session_id.
  const legacySessionId = hs.config.middleboxCompat ? hs.ctx.random(32) : new Uint8Array(0);
  sendClientHello(hs, {
    msgType: HandshakeType.client_hello,
    legacyVersion: ProtocolVersion.TLSv1_2,
    random,
    legacySessionId,
    cipherSuites: hs.config.cipherSuites,
    legacyCompressionMethods: new Uint8Array([0]),
    extensions: clientHelloExtensions(hs),
  });
  return new ExpectServerHello(hs);
}

export class ExpectServerHello implements HandshakeState {
  readonly name: string;
  readonly expects = [HandshakeType.server_hello];
  constructor(private readonly hs: ClientHandshake) {
    this.name = hs.helloRetry ? 'ExpectServerHelloAfterRetry' : 'ExpectServerHello';
  }

  handle(msg: ServerHello, raw: Uint8Array): Step {
    const hs = this.hs;
    this.checkVersion(msg);
    // RFC 8446 §4.1.3: the echo must be our legacy_session_id.
    if (!bytesEqual(msg.legacySessionIdEcho, hs.clientHello.legacySessionId)) {
      fail('illegal_parameter', 'legacy_session_id_echo does not match');
    }
    if (!hs.clientHello.cipherSuites.includes(msg.cipherSuite)) {
      fail('illegal_parameter', `server chose ${suiteName(msg.cipherSuite)}, which was not offered`);
    }
    if (msg.legacyCompressionMethod !== 0) fail('illegal_parameter', 'legacy_compression_method is not 0');
    // RFC 8446 §4.2: a cookie in a HelloRetryRequest is the one response nobody asked for.
    const responses = msg.isHelloRetryRequest ? msg.extensions.filter((e) => e.type !== ExtensionType.cookie) : msg.extensions;
    checkSolicited(hs, responses, msg.isHelloRetryRequest ? 'HelloRetryRequest' : 'ServerHello');
    const suite = findSuite(hs.ctx.provider, msg.cipherSuite);
    if (!suite) fail('handshake_failure', `no implementation of ${suiteName(msg.cipherSuite)}`);
    // RFC 8446 §4.1.4: the ServerHello after a HelloRetryRequest keeps its cipher suite.
    if (hs.helloRetry && hs.helloRetry.cipherSuite !== msg.cipherSuite) {
      fail('illegal_parameter', 'ServerHello cipher suite differs from the HelloRetryRequest');
    }
    if (msg.isHelloRetryRequest) return this.helloRetryRequest(msg, raw);

    hs.suite = suite;
    hs.transcript.setHash(suite.hash);
    const ks = findExtension(msg.extensions, ExtensionType.key_share);
    if (!ks) fail('missing_extension', 'ServerHello without key_share');
    const share = decodeKeyShareServer(ks.data);
    const mine = hs.keyShares.find((k) => k.group === share.group);
    if (!mine) fail('illegal_parameter', `ServerHello key_share for ${groupName(share.group)}, which we did not send`);
    const shared = mine.complete(share.keyExchange);
    hs.transcript.add(raw);

    const { stage: handshakeSecrets, client: chts, server: shts } = deriveHandshakeSecrets(hs.ctx, suite, shared, hs.transcript.current());
    hs.handshakeSecrets = handshakeSecrets;
    hs.clientHandshakeSecret = chts;
    hs.serverHandshakeSecret = shts;
    hs.ctx.setReadKeys(trafficKeys(suite, shts), 'handshake', shts, suite);
    // RFC 8446 Appendix D.4: in compatibility mode the CCS precedes anything encrypted.
    if (hs.config.middleboxCompat && !hs.sentChangeCipherSpec) {
      hs.ctx.sendChangeCipherSpec();
      hs.sentChangeCipherSpec = true;
    }
    // From here on our alerts go out under the handshake key, which the server can read.
    hs.ctx.setWriteKeys(trafficKeys(suite, chts), 'handshake', chts, suite);
    hs.ctx.negotiated({
      cipherSuite: suite.id,
      cipherSuiteName: suite.name,
      group: share.group,
      groupName: groupName(share.group),
    });
    return new ExpectEncryptedExtensions(hs);
  }

  /** RFC 8446 §4.2.1: only TLS 1.3, chosen through supported_versions. */
  private checkVersion(msg: ServerHello): void {
    const sv = findExtension(msg.extensions, ExtensionType.supported_versions);
    if (!sv) {
      // A TLS 1.2 (or older) ServerHello. RFC 8446 §4.1.3: check the downgrade sentinel.
      const tail = msg.random.subarray(24);
      if (bytesEqual(tail, DOWNGRADE_TLS12) || bytesEqual(tail, DOWNGRADE_TLS11)) {
        fail('illegal_parameter', 'downgrade sentinel in ServerHello.random');
      }
      fail('protocol_version', 'server does not support TLS 1.3');
    }
    const version = decodeSupportedVersionsServer(sv.data);
    if (version !== ProtocolVersion.TLSv1_3) {
      fail('illegal_parameter', `server selected version 0x${version.toString(16)}, which was not offered`);
    }
    if (msg.legacyVersion !== ProtocolVersion.TLSv1_2) fail('illegal_parameter', 'legacy_version is not 0x0303');
  }

  /** RFC 8446 §4.1.4 */
  private helloRetryRequest(msg: ServerHello, raw: Uint8Array): Step {
    const hs = this.hs;
    if (hs.helloRetry) fail('unexpected_message', 'second HelloRetryRequest');
    const suite = findSuite(hs.ctx.provider, msg.cipherSuite)!;
    const ks = findExtension(msg.extensions, ExtensionType.key_share);
    const cookieExt = findExtension(msg.extensions, ExtensionType.cookie);
    let newShares = hs.keyShares;
    if (ks) {
      const group = decodeKeyShareHrr(ks.data);
      if (!hs.config.groups.includes(group)) fail('illegal_parameter', `HelloRetryRequest selected ${groupName(group)}, not offered`);
      if (hs.keyShares.some((k) => k.group === group)) {
        fail('illegal_parameter', `HelloRetryRequest selected ${groupName(group)}, for which a share was sent`);
      }
      newShares = [startKeyShare(hs, group)];
    } else if (!cookieExt) {
      fail('illegal_parameter', 'HelloRetryRequest would not change the ClientHello');
    }
    const cookie = cookieExt ? decodeCookie(cookieExt.data) : undefined;

    hs.helloRetry = { cipherSuite: msg.cipherSuite };
    hs.ctx.negotiated({ helloRetryRequest: true });
    // RFC 8446 §4.4.1: ClientHello1 becomes message_hash in the transcript.
    hs.transcript.setHash(suite.hash);
    hs.transcript.replaceWithMessageHash();
    hs.transcript.add(raw);
    hs.keyShares = newShares;

    // RFC 8446 Appendix D.4: in compatibility mode the CCS goes before the second ClientHello.
    if (hs.config.middleboxCompat && !hs.sentChangeCipherSpec) {
      hs.ctx.sendChangeCipherSpec();
      hs.sentChangeCipherSpec = true;
    }
    // RFC 8446 §4.1.2: the same ClientHello but for key_share and cookie (no early_data).
    sendClientHello(hs, {
      ...hs.clientHello,
      extensions: clientHelloExtensions(hs, cookie),
    });
    return new ExpectServerHello(hs);
  }
}
