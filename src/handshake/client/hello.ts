// Client: ClientHello, then ServerHello or HelloRetryRequest. RFC 8446 §4.1.

import { tlsError } from '../../errors.js';
import { EarlySecretStage } from '../../keyschedule/index.js';
import {
  ExtensionType,
  HandshakeType,
  ProtocolVersion,
  PskKeyExchangeMode,
  ServerNameType,
  CertificateStatusType,
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
  encodeStatusRequest,
  decodeCookie,
  decodeKeyShareHrr,
  decodeKeyShareServer,
  decodePreSharedKeyServer,
  decodeSupportedVersionsServer,
  EMPTY,
  findExtension,
} from '../../wire/extensions.js';
import type { ClientHello, Extension, ServerHello } from '../../wire/types.js';
import type { ClientSession } from '../../resumption/types.js';
import { bytesEqual, utf8 } from '../../util/bytes.js';
import type { CipherSuiteImpl, HashAlgorithm, KeyExchange } from '../../crypto/provider.js';
import { providerGroup } from '../../crypto/provider.js';
import { allReady, whenReady, TypedState, type Handlers, type Step } from '../state.js';
import { deriveHandshakeSecrets, findSuite } from '../secrets.js';
import {
  checkSolicited,
  installHandshakeWriteKeys,
  sendCompatChangeCipherSpec,
  type AfterServerHello,
  type ClientBase,
  type ClientHelloSent,
} from './data.js';
import { choosePsks, withPskBinders } from './psk.js';
import { earlyDataToSend, sendEarlyData } from './early-data.js';
import type { OfferedPsk } from './types.js';
import { ExpectEncryptedExtensions } from './encrypted-extensions.js';
import { usableSession } from './session-check.js';

/** RFC 8446 §4.1.3: the last 8 bytes of a downgraded ServerHello.random. */
const DOWNGRADE_TLS12 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
const DOWNGRADE_TLS11 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

/** The private key is drawn now (RFC 8448 replays depend on the order); the share may come later. */
function startKeyShare(hs: ClientBase, group: number): KeyExchange | Promise<KeyExchange> {
  const impl = providerGroup(hs.ctx.provider, group);
  if (!impl) throw tlsError('internal_error', `no implementation of group ${groupName(group)}`);
  return impl.start(hs.ctx.provider.random);
}

/** Build the first ClientHello's extensions. Order is stable (RFC 8448 replays depend on it). */
function clientHelloExtensions(
  hs: ClientBase,
  keyShares: readonly KeyExchange[],
  opts: { cookie?: Uint8Array; earlyData?: boolean } = {},
): Extension[] {
  const { cookie, earlyData } = opts;
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
    data: encodeKeyShareClient(keyShares.map((k) => ({ group: k.group, keyExchange: k.publicKey }))),
  });
  // RFC 8446 §4.2.10
  if (earlyData) exts.push({ type: ExtensionType.early_data, data: EMPTY });
  exts.push({ type: ExtensionType.supported_versions, data: encodeSupportedVersionsClient([ProtocolVersion.TLSv1_3]) });
  exts.push({ type: ExtensionType.signature_algorithms, data: encodeSignatureSchemeList(c.signatureSchemes) });
  if (cookie) exts.push({ type: ExtensionType.cookie, data: encodeCookie(cookie) });
  exts.push({ type: ExtensionType.psk_key_exchange_modes, data: encodePskKeyExchangeModes(c.pskModes) });
  if (c.recordSizeLimit !== undefined) {
    exts.push({ type: ExtensionType.record_size_limit, data: encodeRecordSizeLimit(c.recordSizeLimit) });
  }
  if (c.alpn.length > 0) {
    exts.push({ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpnList(c.alpn) });
  }
  // RFC 6066 §8: status_request for OCSP, with no responder ids or extensions.
  if (c.requestOcsp) {
    exts.push({
      type: ExtensionType.status_request,
      data: encodeStatusRequest({ statusType: CertificateStatusType.ocsp, responderIdList: [], requestExtensions: EMPTY }),
    });
  }
  // RFC 8446 §4.2.6
  if (c.postHandshakeAuth) exts.push({ type: ExtensionType.post_handshake_auth, data: EMPTY });
  return exts;
}

/** A ClientHello as sent: the message (research hooks applied), its raw bytes, every extension type sent so far. */
interface HelloOut {
  clientHello: ClientHello;
  raw: Uint8Array;
  sentExtensions: ReadonlySet<number>;
}

/** Send a ClientHello, with PSK binders when PSKs are offered, and add it to the transcript. */
function sendClientHello(
  hs: ClientBase,
  hello: ClientHello,
  psks: readonly OfferedPsk[],
  sentBefore: ReadonlySet<number>,
  prefixHash: (h: HashAlgorithm, t: Uint8Array) => Uint8Array,
): HelloOut {
  const ch = psks.length > 0 ? withPskBinders(hs, hello, psks, prefixHash) : hs.ctx.prepare(hello);
  if (ch.msgType !== HandshakeType.client_hello) throw tlsError('internal_error', 'hook replaced the ClientHello');
  const raw = hs.ctx.send(ch, true);
  hs.transcript.add(raw);
  // Both ClientHellos count: an extension of ClientHello1 is solicited too.
  return { clientHello: ch, raw, sentExtensions: new Set([...sentBefore, ...ch.extensions.map((e) => e.type)]) };
}

/** RFC 8446 §4.1.2: the first flight, once the key shares are ready (an async provider: a pending step). */
export function startClientHandshake(start: ClientBase): Step {
  const hs: ClientBase = { ctx: start.ctx, config: start.config, transcript: start.transcript };
  const shares = allReady(hs.config.keyShareGroups.map((g) => startKeyShare(hs, g)));
  const random = hs.ctx.random(32);
  // RFC 8446 Appendix D.4: compatibility mode sends a non-empty legacy_session_id.
  const legacySessionId = hs.config.middleboxCompat ? hs.ctx.random(32) : new Uint8Array(0);
  // RFC 8446 §4.6.1: a session is offered only if this client would accept what it rests on.
  const session = hs.config.session && usableSession(hs.config.session, hs.config, hs.ctx.now());
  return whenReady(shares, (keyShares) =>
    whenReady(session, (usable) => sendFirstClientHello(hs, random, legacySessionId, keyShares, usable)),
  );
}

function sendFirstClientHello(
  hs: ClientBase,
  random: Uint8Array,
  legacySessionId: Uint8Array,
  keyShares: readonly KeyExchange[],
  session: ClientSession | undefined,
): Step {
  hs.ctx.clientRandom = random;
  const offeredPsks = choosePsks(hs, session, hs.config.externalPsks);
  const early = earlyDataToSend(hs, offeredPsks);
  const sent = sendClientHello(
    hs,
    {
      msgType: HandshakeType.client_hello,
      legacyVersion: ProtocolVersion.TLSv1_2,
      random,
      legacySessionId,
      cipherSuites: hs.config.cipherSuites,
      legacyCompressionMethods: new Uint8Array([0]),
      extensions: clientHelloExtensions(hs, keyShares, { earlyData: early !== undefined }),
    },
    offeredPsks,
    new Set(),
    (hash, truncated) => hash.digest(truncated),
  );
  let sentChangeCipherSpec = false;
  if (early) {
    sentChangeCipherSpec = sendEarlyData(hs, early.psk, early.session, early.psk.hash.digest(sent.raw), early.data, false);
  } else if (hs.config.earlyData !== undefined) hs.ctx.negotiated({ earlyData: 'rejected' });
  return new ExpectServerHello({
    ...hs,
    clientHello: sent.clientHello,
    sentExtensions: sent.sentExtensions,
    keyShares,
    offeredPsks,
    sentChangeCipherSpec,
    earlyData: early ? 'sent' : 'none',
  });
}

export class ExpectServerHello extends TypedState<typeof HandshakeType.server_hello> {
  readonly name: string;
  protected readonly handlers: Handlers<typeof HandshakeType.server_hello> = {
    [HandshakeType.server_hello]: (msg, raw) => this.serverHello(msg, raw),
  };
  constructor(private readonly hs: ClientHelloSent) {
    super();
    this.name = hs.helloRetry ? 'ExpectServerHelloAfterRetry' : 'ExpectServerHello';
  }

  private serverHello(msg: ServerHello, raw: Uint8Array): Step {
    const hs = this.hs;
    this.checkVersion(msg);
    // RFC 8446 §4.1.3: the echo must be our legacy_session_id.
    if (!bytesEqual(msg.legacySessionIdEcho, hs.clientHello.legacySessionId)) {
      throw tlsError('illegal_parameter', 'legacy_session_id_echo does not match');
    }
    if (!hs.clientHello.cipherSuites.includes(msg.cipherSuite)) {
      throw tlsError('illegal_parameter', `server chose ${suiteName(msg.cipherSuite)}, which was not offered`);
    }
    if (msg.legacyCompressionMethod !== 0) throw tlsError('illegal_parameter', 'legacy_compression_method is not 0');
    // RFC 8446 §4.2: a cookie in a HelloRetryRequest is the one response nobody asked for.
    const responses = msg.isHelloRetryRequest ? msg.extensions.filter((e) => e.type !== ExtensionType.cookie) : msg.extensions;
    checkSolicited(hs.sentExtensions, responses, msg.isHelloRetryRequest ? 'HelloRetryRequest' : 'ServerHello');
    const suite = findSuite(hs.ctx.provider, msg.cipherSuite);
    if (!suite) throw tlsError('handshake_failure', `no implementation of ${suiteName(msg.cipherSuite)}`);
    // RFC 8446 §4.1.4: the ServerHello after a HelloRetryRequest keeps its cipher suite.
    if (hs.helloRetry && hs.helloRetry.cipherSuite !== msg.cipherSuite) {
      throw tlsError('illegal_parameter', 'ServerHello cipher suite differs from the HelloRetryRequest');
    }
    if (msg.isHelloRetryRequest) return this.helloRetryRequest(msg, raw, suite);

    hs.transcript.setHash(suite.hash);
    const chosen = this.selectedPsk(msg, suite);
    // RFC 8446 §4.2.8, §4.2.9: a key share, unless the server chose psk_ke.
    const ks = findExtension(msg.extensions, ExtensionType.key_share);
    let shared: Uint8Array | Promise<Uint8Array> | undefined;
    let group: number | undefined;
    if (ks) {
      const share = decodeKeyShareServer(ks.data);
      const mine = hs.keyShares.find((k) => k.group === share.group);
      if (!mine) throw tlsError('illegal_parameter', `ServerHello key_share for ${groupName(share.group)}, which we did not send`);
      // An async provider answers later: the rest waits as a pending step.
      shared = mine.complete(share.keyExchange);
      group = share.group;
    } else if (!chosen) {
      throw tlsError('missing_extension', 'ServerHello without key_share');
    } else if (!hs.config.pskModes.includes(PskKeyExchangeMode.psk_ke)) {
      // RFC 8446 §4.2.11 (RFC 9846 §4.3.11): a key_share required by the modes we offered is
      // missing: the values are "not consistent", illegal_parameter.
      throw tlsError('illegal_parameter', 'PSK ServerHello without key_share, but only psk_dhe_ke was offered');
    }
    return whenReady(shared, (secret) => this.keyExchanged(raw, suite, chosen, secret, group));
  }

  /** RFC 8446 §7.1: the handshake secrets from the (EC)DHE secret; the server's flight comes next. */
  private keyExchanged(raw: Uint8Array, suite: CipherSuiteImpl, chosen: OfferedPsk | undefined, shared: Uint8Array | undefined, group: number | undefined): Step {
    const hs = this.hs;
    hs.transcript.add(raw);

    const early = new EarlySecretStage(suite.hash, chosen?.psk);
    const { stage: handshakeSecrets, client: chts, server: shts } = deriveHandshakeSecrets(hs.ctx, early, shared, hs.transcript.current());
    hs.ctx.setReadKeys('handshake', shts, suite);
    // RFC 8446 Appendix D.4: in compatibility mode the CCS precedes anything encrypted.
    sendCompatChangeCipherSpec(hs, hs.sentChangeCipherSpec);
    const next: AfterServerHello = {
      ctx: hs.ctx,
      config: hs.config,
      transcript: hs.transcript,
      sentExtensions: hs.sentExtensions,
      suite,
      handshakeSecrets,
      clientHandshakeSecret: chts,
      serverHandshakeSecret: shts,
      offeredPsks: hs.offeredPsks,
      psk: chosen,
      earlyData: hs.earlyData,
      handshakeWriteKeys: false,
    };
    // From here on our alerts go out under the handshake key, which the server can read
    // (unless 0-RTT data went out under the early key: EncryptedExtensions decides).
    const handshakeWriteKeys = hs.earlyData === 'none' && installHandshakeWriteKeys(next);
    hs.ctx.negotiated({
      cipherSuite: suite.id,
      cipherSuiteName: suite.name,
      group,
      groupName: group === undefined ? undefined : groupName(group),
      resumed: chosen !== undefined && !chosen.external,
      pskIdentity: chosen?.identity,
      ...(chosen?.session ? { peerCertificates: chosen.session.peerCertificates } : {}),
    });
    return new ExpectEncryptedExtensions({ ...next, handshakeWriteKeys });
  }

  /** RFC 8446 §4.2.11: the server's pick must be one we offered, with the suite's hash. */
  private selectedPsk(msg: ServerHello, suite: CipherSuiteImpl): OfferedPsk | undefined {
    const ext = findExtension(msg.extensions, ExtensionType.pre_shared_key);
    if (!ext) return undefined;
    const index = decodePreSharedKeyServer(ext.data);
    const chosen = this.hs.offeredPsks[index];
    if (!chosen) throw tlsError('illegal_parameter', `server selected PSK ${index}, which was not offered`);
    if (chosen.hash.name !== suite.hash.name) throw tlsError('illegal_parameter', 'server selected a PSK whose hash does not match the cipher suite');
    return chosen;
  }

  /** RFC 8446 §4.2.1: only TLS 1.3, chosen through supported_versions. */
  private checkVersion(msg: ServerHello): void {
    const sv = findExtension(msg.extensions, ExtensionType.supported_versions);
    if (!sv) {
      // A TLS 1.2 (or older) ServerHello. RFC 8446 §4.1.3: check the downgrade sentinel.
      const tail = msg.random.subarray(24);
      if (bytesEqual(tail, DOWNGRADE_TLS12) || bytesEqual(tail, DOWNGRADE_TLS11)) {
        throw tlsError('illegal_parameter', 'downgrade sentinel in ServerHello.random');
      }
      throw tlsError('protocol_version', 'server does not support TLS 1.3');
    }
    const version = decodeSupportedVersionsServer(sv.data);
    if (version !== ProtocolVersion.TLSv1_3) {
      throw tlsError('illegal_parameter', `server selected version 0x${version.toString(16)}, which was not offered`);
    }
    // RFC 9846 §4.2.3: a TLS 1.3 ServerHello with legacy_version other than 0x0303 is protocol_version.
    if (msg.legacyVersion !== ProtocolVersion.TLSv1_2) throw tlsError('protocol_version', 'legacy_version is not 0x0303');
  }

  /** RFC 8446 §4.1.4 */
  private helloRetryRequest(msg: ServerHello, raw: Uint8Array, suite: CipherSuiteImpl): Step {
    const hs = this.hs;
    if (hs.helloRetry) throw tlsError('unexpected_message', 'second HelloRetryRequest');
    const ks = findExtension(msg.extensions, ExtensionType.key_share);
    const cookieExt = findExtension(msg.extensions, ExtensionType.cookie);
    const cookie = cookieExt ? decodeCookie(cookieExt.data) : undefined;
    let newShares: readonly KeyExchange[] | Promise<KeyExchange[]> = hs.keyShares;
    if (ks) {
      const group = decodeKeyShareHrr(ks.data);
      if (!hs.config.groups.includes(group)) throw tlsError('illegal_parameter', `HelloRetryRequest selected ${groupName(group)}, not offered`);
      if (hs.keyShares.some((k) => k.group === group)) {
        throw tlsError('illegal_parameter', `HelloRetryRequest selected ${groupName(group)}, for which a share was sent`);
      }
      newShares = allReady([startKeyShare(hs, group)]);
    } else if (!cookieExt) {
      throw tlsError('illegal_parameter', 'HelloRetryRequest would not change the ClientHello');
    }
    return whenReady(newShares, (shares) => this.retry(raw, suite, shares, cookie));
  }

  /** RFC 8446 §4.1.2: ClientHello2, with the new key share. */
  private retry(raw: Uint8Array, suite: CipherSuiteImpl, keyShares: readonly KeyExchange[], cookie: Uint8Array | undefined): Step {
    const hs = this.hs;
    hs.ctx.negotiated({ helloRetryRequest: true });
    // RFC 8446 §4.4.1: ClientHello1 becomes message_hash in the transcript.
    hs.transcript.setHash(suite.hash);
    hs.transcript.replaceWithMessageHash();
    hs.transcript.add(raw);

    // RFC 8446 §4.1.2: 0-RTT data sent with ClientHello1 is lost; ClientHello2 goes in the clear.
    const earlyData = hs.earlyData === 'none' ? 'none' : 'rejected';
    if (earlyData === 'rejected') {
      hs.ctx.clearWriteKeys();
      hs.ctx.negotiated({ earlyData: 'rejected' });
    }
    // RFC 8446 Appendix D.4: in compatibility mode the CCS goes before the second ClientHello.
    const sentChangeCipherSpec = sendCompatChangeCipherSpec(hs, hs.sentChangeCipherSpec);
    // RFC 8446 §4.2.11: only PSKs of the suite's hash stay, their binders over the new transcript.
    const offeredPsks = hs.offeredPsks.filter((p) => p.hash.name === suite.hash.name);
    // RFC 8446 §4.1.2: the same ClientHello but for key_share, cookie and pre_shared_key (no early_data).
    const sent = sendClientHello(
      hs,
      { ...hs.clientHello, extensions: clientHelloExtensions(hs, keyShares, { cookie }) },
      offeredPsks,
      hs.sentExtensions,
      (_h, truncated) => hs.transcript.hashOfPrefix(truncated),
    );
    return new ExpectServerHello({
      ctx: hs.ctx,
      config: hs.config,
      transcript: hs.transcript,
      clientHello: sent.clientHello,
      sentExtensions: sent.sentExtensions,
      keyShares,
      offeredPsks,
      sentChangeCipherSpec,
      earlyData,
      helloRetry: { cipherSuite: suite.id },
    });
  }
}
