// Server: ClientHello in; HelloRetryRequest, or ServerHello and the server's flight out.
// RFC 8446 §4.1, §4.2, §4.3, §4.4.

import { tlsError } from '../../errors.js';
import { EarlySecretStage, finishedVerifyData } from '../../keyschedule/index.js';
import type { CipherSuiteImpl, HashAlgorithm, KeyExchange, KeyExchangeGroup } from '../../crypto/provider.js';
import {
  ExtensionType,
  HandshakeType,
  ProtocolVersion,
  PskKeyExchangeMode,
  ServerNameType,
  CertificateStatusType,
  groupName,
  schemeName,
} from '../../wire/codepoints.js';
import {
  EMPTY,
  decodeAlpnList,
  decodeCookie,
  decodeKeyShareClient,
  decodeNamedGroupList,
  decodePreSharedKeyClient,
  decodePskKeyExchangeModes,
  decodeRecordSizeLimit,
  decodeServerNameList,
  decodeSignatureSchemeList,
  decodeStatusRequest,
  encodeCertificateStatus,
  decodeSupportedVersionsClient,
  encodeAlpnList,
  encodeCookie,
  encodeKeyShareHrr,
  encodeKeyShareServer,
  encodePreSharedKeyServer,
  encodeRecordSizeLimit,
  encodeSupportedVersionsServer,
  findExtension,
} from '../../wire/extensions.js';
import { HELLO_RETRY_REQUEST_RANDOM, decodeHandshake } from '../../wire/messages.js';
import type { ClientHello, Extension, HandshakeMessage, KeyShareEntry, OfferedPsks } from '../../wire/types.js';
import { bytesEqual, fromUtf8, nameToString } from '../../util/bytes.js';
import { isIpLiteral } from '../../util/ip.js';
import { whenReady, type HandshakeState, type Step } from '../state.js';
import { certificateVerifyContent } from '../signature.js';
import { deriveApplicationSecrets, deriveHandshakeSecrets, keyLogLabel } from '../secrets.js';
import type { ServerHandshake } from './data.js';
import { ExpectClientFinished } from './client-finished.js';
import { chainValidity, decideEarlyData, selectPsk, type AcceptedPsk } from './psk.js';
import { ExpectClientCertificate, certificateRequest } from './client-auth.js';

/** What a ClientHello offers, read once and checked (RFC 8446 §4.1.2, §4.2, §9.2). */
interface ClientOffer {
  groups: number[] | undefined;
  shares: KeyShareEntry[] | undefined;
  schemes: number[] | undefined;
  alpn: Uint8Array[] | undefined;
  serverName: string | undefined;
  cookie: Uint8Array | undefined;
  recordSizeLimit: number | undefined;
  psks: OfferedPsks | undefined;
  pskModes: number[] | undefined;
  earlyData: boolean;
  /** RFC 6066 §8: the client asked for an OCSP staple. */
  statusRequest: boolean;
}

/** What the server chose for this handshake, carried from the ClientHello to the flight. */
interface ServerChoices {
  ch: ClientHello;
  offer: ClientOffer;
  suite: CipherSuiteImpl;
  group: KeyExchangeGroup | undefined;
  clientShare: KeyShareEntry | undefined;
  scheme: number | undefined;
  alpn: Uint8Array | undefined;
}

function readClientHello(ch: ClientHello): ClientOffer {
  // RFC 8446 §4.2.1: TLS 1.3 is negotiated only through supported_versions.
  const sv = findExtension(ch.extensions, ExtensionType.supported_versions);
  if (!sv) throw tlsError('protocol_version', 'client does not offer TLS 1.3 (no supported_versions)');
  if (!decodeSupportedVersionsClient(sv.data).includes(ProtocolVersion.TLSv1_3)) {
    throw tlsError('protocol_version', 'client does not offer TLS 1.3');
  }
  // RFC 9846 §4.2.2: legacy_version other than 0x0303 is protocol_version (RFC 8446 §4.2.1 left
  // the alert open); compression is exactly [null] (illegal_parameter).
  if (ch.legacyVersion !== ProtocolVersion.TLSv1_2) throw tlsError('protocol_version', 'ClientHello.legacy_version is not 0x0303');
  if (ch.legacyCompressionMethods.length !== 1 || ch.legacyCompressionMethods[0] !== 0) {
    throw tlsError('illegal_parameter', 'legacy_compression_methods must be [0]');
  }
  const ext = (t: number): Extension | undefined => findExtension(ch.extensions, t);
  const groupsExt = ext(ExtensionType.supported_groups);
  const sharesExt = ext(ExtensionType.key_share);
  const schemesExt = ext(ExtensionType.signature_algorithms);
  const alpnExt = ext(ExtensionType.application_layer_protocol_negotiation);
  const sniExt = ext(ExtensionType.server_name);
  const cookieExt = ext(ExtensionType.cookie);
  const rslExt = ext(ExtensionType.record_size_limit);
  const pskExt = ext(ExtensionType.pre_shared_key);
  const modesExt = ext(ExtensionType.psk_key_exchange_modes);
  const offer: ClientOffer = {
    groups: groupsExt && decodeNamedGroupList(groupsExt.data),
    shares: sharesExt && decodeKeyShareClient(sharesExt.data),
    schemes: schemesExt && decodeSignatureSchemeList(schemesExt.data),
    alpn: alpnExt && decodeAlpnList(alpnExt.data),
    serverName: sniExt && readHostName(sniExt.data),
    cookie: cookieExt && decodeCookie(cookieExt.data),
    recordSizeLimit: rslExt && decodeRecordSizeLimit(rslExt.data),
    psks: pskExt && decodePreSharedKeyClient(pskExt.data),
    pskModes: modesExt && decodePskKeyExchangeModes(modesExt.data),
    earlyData: ext(ExtensionType.early_data) !== undefined,
    statusRequest: readStatusRequest(ext(ExtensionType.status_request)),
  };
  // RFC 8446 §4.2.9: a PSK comes with psk_key_exchange_modes.
  if (offer.psks && !offer.pskModes) throw tlsError('missing_extension', 'pre_shared_key without psk_key_exchange_modes');
  // RFC 8446 §9.2: key_share and supported_groups come together.
  if (!offer.groups !== !offer.shares) throw tlsError('missing_extension', 'key_share and supported_groups must come together');
  // RFC 8446 §4.2.8: one share per group, each for a group in supported_groups.
  const seen = new Set<number>();
  for (const s of offer.shares ?? []) {
    if (seen.has(s.group)) throw tlsError('illegal_parameter', `two key shares for ${groupName(s.group)}`);
    seen.add(s.group);
    if (!offer.groups!.includes(s.group)) throw tlsError('illegal_parameter', `key share for ${groupName(s.group)}, not in supported_groups`);
  }
  return offer;
}

/** 0-RTT was offered with ClientHello1 and skipped because of the HelloRetryRequest. */
function earlyDataInFirstHello(hs: ServerHandshake): boolean {
  const first = hs.helloRetry?.clientHello1;
  return first !== undefined && findExtension(first.extensions, ExtensionType.early_data) !== undefined;
}

/** RFC 6066 §8: only an OCSP status_request can be answered. */
function readStatusRequest(e: Extension | undefined): boolean {
  return e !== undefined && decodeStatusRequest(e.data).statusType === CertificateStatusType.ocsp;
}

/** RFC 6066 §3: one host_name; IP literals are not valid there and are ignored. */
function readHostName(data: Uint8Array): string | undefined {
  const names = decodeServerNameList(data);
  const hosts = names.filter((n) => n.nameType === ServerNameType.host_name);
  if (hosts.length > 1) throw tlsError('illegal_parameter', 'more than one host_name in server_name');
  const host = hosts[0];
  if (!host) return undefined;
  let name: string;
  try {
    name = fromUtf8(host.name);
  } catch {
    throw tlsError('decode_error', 'server_name is not valid UTF-8');
  }
  // RFC 6066 §3: ASCII hostname, no trailing dot.
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.endsWith('.')) throw tlsError('illegal_parameter', 'malformed server_name');
  return isIpLiteral(name) ? undefined : name.toLowerCase();
}

export class ExpectClientHello implements HandshakeState {
  readonly name: string;
  readonly expects = [HandshakeType.client_hello];
  constructor(private readonly hs: ServerHandshake) {
    this.name = hs.helloRetry ? 'ExpectClientHelloAfterRetry' : 'ExpectClientHello';
  }

  handle(ch: ClientHello, raw: Uint8Array): Step {
    const hs = this.hs;
    const retry = hs.helloRetry;
    if (retry) checkSecondClientHello(retry.clientHello1, ch);
    const offer = readClientHello(ch);
    if (!retry) hs.ctx.clientRandom = ch.random;

    const alpn = chooseAlpn(hs, offer);
    if (offer.serverName !== undefined && hs.config.acceptServerName && !hs.config.acceptServerName(offer.serverName)) {
      throw tlsError('unrecognized_name', `not serving ${offer.serverName}`);
    }

    // RFC 8446 §4.2.11: a PSK we know, with a suite of its hash; then its key exchange mode.
    const inCommon = retry ? [retry.suite] : hs.config.cipherSuites.filter((s) => ch.cipherSuites.includes(s.id));
    if (!offer.psks) return this.withPsk(ch, raw, offer, alpn, inCommon, undefined);
    const prefix = retry
      ? (h: HashAlgorithm, t: Uint8Array) => (h.name === retry.suite.hash.name ? hs.transcript.hashOfPrefix(t) : undefined)
      : (h: HashAlgorithm, t: Uint8Array) => h.digest(t);
    // The client verifier re-checking a ticket's client chain may answer later.
    return whenReady(selectPsk(hs, offer.psks, raw, inCommon, prefix), (selected) => this.withPsk(ch, raw, offer, alpn, inCommon, selected));
  }

  /** The rest of the ClientHello, once the PSK (if any) is chosen. */
  private withPsk(
    ch: ClientHello,
    raw: Uint8Array,
    offer: ClientOffer,
    alpn: Uint8Array | undefined,
    inCommon: CipherSuiteImpl[],
    selected: AcceptedPsk | undefined,
  ): Step {
    const hs = this.hs;
    const retry = hs.helloRetry;
    let psk = selected;
    let dhe = true;
    if (offer.psks) {
      const modes = offer.pskModes!.filter((m) => hs.config.pskModes.includes(m));
      // RFC 8446 §4.2.9: psk_dhe_ke when both sides allow it (and there can be a share), else psk_ke.
      if (modes.includes(PskKeyExchangeMode.psk_dhe_ke) && offer.shares) dhe = true;
      else if (modes.includes(PskKeyExchangeMode.psk_ke)) dhe = false;
      else psk = undefined;
    }
    const suite = psk
      ? (inCommon.find((s) => s.id === psk!.state?.cipherSuite && s.hash.name === psk!.hash.name) ??
        inCommon.find((s) => s.hash.name === psk!.hash.name)!)
      : (retry?.suite ?? chooseSuite(inCommon));
    if (!psk) dhe = true;

    // Certificate authentication needs signature_algorithms (RFC 8446 §4.2.3).
    let scheme: number | undefined;
    if (!psk) {
      if (!hs.config.certificate) throw tlsError('handshake_failure', 'no PSK in common and no certificate to authenticate with');
      if (!offer.schemes) throw tlsError('missing_extension', 'ClientHello without signature_algorithms');
      scheme = hs.config.certificate.key.schemes.find((s) => offer.schemes!.includes(s));
      if (scheme === undefined) throw tlsError('handshake_failure', 'no signature scheme in common');
    }

    // Group: a share we can use, in our preference order; else ask for one (HRR); else fail.
    let share: KeyShareEntry | undefined;
    let group: KeyExchangeGroup | undefined;
    if (dhe) {
      if (!offer.shares || !offer.groups) throw tlsError('missing_extension', 'ClientHello without key_share');
      if (retry) {
        // RFC 8446 §4.2.8: exactly one share, for the group the HelloRetryRequest named.
        const shares = offer.shares;
        if (shares.length !== 1 || shares[0]!.group !== retry.group.id) {
          throw tlsError('illegal_parameter', 'ClientHello after HelloRetryRequest must carry one share for the selected group');
        }
        group = retry.group;
        share = shares[0];
      } else {
        for (const g of hs.config.groups) {
          const s = offer.shares.find((e) => e.group === g.id);
          if (s) {
            group = g;
            share = s;
            break;
          }
        }
        if (!share || hs.config.requireCookie) {
          const wanted = group ?? hs.config.groups.find((g) => offer.groups!.includes(g.id));
          if (!wanted) throw tlsError('handshake_failure', 'no key exchange group in common');
          return this.helloRetryRequest(ch, raw, suite, wanted, !share, offer);
        }
      }
    }
    if (retry?.cookie && (!offer.cookie || !bytesEqual(offer.cookie, retry.cookie))) throw tlsError('illegal_parameter', 'cookie not echoed');
    if (dhe && (!share || !group)) throw tlsError('handshake_failure', 'no key exchange group in common');

    if (!retry) hs.transcript.setHash(suite.hash);
    hs.transcript.add(raw);
    hs.suite = suite;
    hs.psk = psk;
    hs.alpn = alpn && nameToString(alpn);
    const accept = decideEarlyData(hs, offer.earlyData, psk, suite, hs.alpn, retry !== undefined);
    return whenReady(accept, (accepted) => {
      hs.earlyDataAccepted = accepted;
      return this.serverFlight({ ch, offer, suite, group, clientShare: share, scheme, alpn });
    });
  }

  /** RFC 8446 §4.1.4 */
  private helloRetryRequest(
    ch: ClientHello,
    raw: Uint8Array,
    suite: CipherSuiteImpl,
    group: KeyExchangeGroup,
    needShare: boolean,
    offer: ClientOffer,
  ): Step {
    const hs = this.hs;
    // RFC 8446 §4.2.10: 0-RTT data sent with ClientHello1 is skipped, up to our limit.
    if (offer.earlyData) hs.ctx.skipEarlyData('application_data', this.earlyDataSkipLimit());
    hs.transcript.setHash(suite.hash);
    hs.transcript.add(raw);
    hs.transcript.replaceWithMessageHash();
    const extensions: Extension[] = [];
    if (needShare) extensions.push({ type: ExtensionType.key_share, data: encodeKeyShareHrr(group.id) });
    if (hs.config.requireCookie) extensions.push({ type: ExtensionType.cookie, data: encodeCookie(hs.ctx.random(32)) });
    extensions.push({ type: ExtensionType.supported_versions, data: encodeSupportedVersionsServer(ProtocolVersion.TLSv1_3) });
    const hrrRaw = hs.ctx.send({
      msgType: HandshakeType.server_hello,
      legacyVersion: ProtocolVersion.TLSv1_2,
      random: HELLO_RETRY_REQUEST_RANDOM,
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: suite.id,
      legacyCompressionMethod: 0,
      extensions,
      isHelloRetryRequest: true,
    });
    hs.transcript.add(hrrRaw);
    // The cookie to check is the one that went on the wire (a research hook may have changed it).
    const sent = decodeHandshake(hrrRaw);
    const cookieExt = sent.msgType === HandshakeType.server_hello ? findExtension(sent.extensions, ExtensionType.cookie) : undefined;
    hs.helloRetry = { clientHello1: ch, suite, group, cookie: cookieExt && decodeCookie(cookieExt.data) };
    hs.ctx.negotiated({ helloRetryRequest: true });
    this.maybeSendChangeCipherSpec(ch);
    return new ExpectClientHello(hs);
  }

  /** How much rejected 0-RTT data to skip (RFC 8446 §4.2.10): our advertised limit, or one record's worth. */
  private earlyDataSkipLimit(): number {
    return Math.max(this.hs.config.earlyData?.maxEarlyDataSize ?? 0, 16384);
  }

  /** RFC 8446 Appendix D.4: a compatibility-mode client gets a dummy CCS after our first message. */
  private maybeSendChangeCipherSpec(ch: ClientHello): void {
    if (ch.legacySessionId.length > 0 && !this.hs.sentChangeCipherSpec) {
      this.hs.ctx.sendChangeCipherSpec();
      this.hs.sentChangeCipherSpec = true;
    }
  }

  private serverFlight(chosen: ServerChoices): Step {
    const { suite, group, clientShare } = chosen;
    const hs = this.hs;
    const ctx = hs.ctx;
    const psk = hs.psk;
    const early = new EarlySecretStage(suite.hash, psk?.psk);
    // RFC 8446 §7.1: the client early traffic secret hashes the ClientHello alone.
    const clientEarlySecret = hs.earlyDataAccepted ? early.clientEarlyTrafficSecret(hs.transcript.current()) : undefined;
    if (hs.earlyDataAccepted) ctx.setEarlyExporter(suite.hash, early.earlyExporterMasterSecret(hs.transcript.current()));
    // RFC 8446 §4.2.8: our share and the shared secret; an async provider makes each a pending step.
    const started = group && clientShare ? group.start(ctx.provider.random) : undefined;
    return whenReady(started, (kx) =>
      whenReady(kx && clientShare ? kx.complete(clientShare.keyExchange) : undefined, (shared) =>
        this.sendServerFlight(chosen, early, clientEarlySecret, kx, shared),
      ),
    );
  }

  private sendServerFlight(
    { ch, offer, suite, group, scheme, alpn }: ServerChoices,
    early: EarlySecretStage,
    clientEarlySecret: Uint8Array | undefined,
    kx: KeyExchange | undefined,
    shared: Uint8Array | undefined,
  ): Step {
    const hs = this.hs;
    const ctx = hs.ctx;
    const psk = hs.psk;
    const extensions: Extension[] = [];
    if (psk) extensions.push({ type: ExtensionType.pre_shared_key, data: encodePreSharedKeyServer(psk.index) });
    if (kx && group) extensions.push({ type: ExtensionType.key_share, data: encodeKeyShareServer({ group: group.id, keyExchange: kx.publicKey }) });
    extensions.push({ type: ExtensionType.supported_versions, data: encodeSupportedVersionsServer(ProtocolVersion.TLSv1_3) });
    const shRaw = ctx.send({
      msgType: HandshakeType.server_hello,
      legacyVersion: ProtocolVersion.TLSv1_2,
      random: ctx.random(32),
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: suite.id,
      legacyCompressionMethod: 0,
      extensions,
      isHelloRetryRequest: false,
    });
    hs.transcript.add(shRaw);
    this.maybeSendChangeCipherSpec(ch);

    const { stage: handshakeSecrets, client: chts, server: shts } = deriveHandshakeSecrets(ctx, early, shared, hs.transcript.current());
    early.wipe();
    ctx.setWriteKeys('handshake', shts, suite);
    if (clientEarlySecret) {
      ctx.keyLog(keyLogLabel.clientEarly, clientEarlySecret);
      ctx.setReadKeys('early', clientEarlySecret, suite);
      ctx.acceptEarlyData(hs.config.earlyData!.maxEarlyDataSize);
    } else {
      ctx.setReadKeys('handshake', chts, suite);
      // RFC 8446 §4.2.10: rejected 0-RTT records fail to decrypt and are skipped, up to the limit.
      if (offer.earlyData) ctx.skipEarlyData('undecryptable', this.earlyDataSkipLimit());
    }
    hs.clientHandshakeSecret = chts;
    hs.serverName = offer.serverName;
    hs.peerCertificates = psk?.state?.peerCertificates ?? [];
    hs.peerNotAfter = psk?.peerNotAfter;
    ctx.negotiated({
      cipherSuite: suite.id,
      cipherSuiteName: suite.name,
      group: group?.id,
      groupName: group && groupName(group.id),
      signatureScheme: scheme,
      signatureSchemeName: scheme === undefined ? undefined : schemeName(scheme),
      alpn: hs.alpn,
      serverName: offer.serverName,
      resumed: psk !== undefined && !psk.external,
      pskIdentity: psk?.identity,
      peerCertificates: hs.peerCertificates,
      earlyData: hs.earlyDataAccepted ? 'accepted' : offer.earlyData || earlyDataInFirstHello(hs) ? 'rejected' : 'none',
    });

    // RFC 8446 §4.3.1: EncryptedExtensions.
    const ee: Extension[] = [];
    if (offer.recordSizeLimit !== undefined) {
      ctx.peerRecordSizeLimit(offer.recordSizeLimit);
      if (hs.config.recordSizeLimit !== undefined) {
        ee.push({ type: ExtensionType.record_size_limit, data: encodeRecordSizeLimit(hs.config.recordSizeLimit) });
      }
    }
    // RFC 6066 §3: an empty server_name acknowledges that the name was used.
    if (offer.serverName !== undefined) ee.push({ type: ExtensionType.server_name, data: EMPTY });
    if (alpn) ee.push({ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpnList([alpn]) });
    if (hs.earlyDataAccepted) ee.push({ type: ExtensionType.early_data, data: EMPTY });
    hs.transcript.add(ctx.send({ msgType: HandshakeType.encrypted_extensions, extensions: ee }));
    hs.postHandshakeAuth = findExtension(ch.extensions, ExtensionType.post_handshake_auth) !== undefined;

    // RFC 8446 §4.3.2: ask for a client certificate (never in a PSK handshake).
    let clientAuth: { schemes: number[]; certSchemes: number[] } | undefined;
    if (hs.config.clientAuth && hs.config.clientAuth.mode !== 'none' && !psk) {
      const request = certificateRequest(hs, EMPTY);
      hs.transcript.add(ctx.send(request.message));
      clientAuth = request;
    }

    const finish = (): Step => {
      // RFC 8446 §4.4.4
      const verifyData = finishedVerifyData(suite.hash, shts, hs.transcript.current());
      hs.transcript.add(ctx.send({ msgType: HandshakeType.finished, verifyData }));
      const { master, client: cats, server: sats, exporter: ems } = deriveApplicationSecrets(ctx, handshakeSecrets, hs.transcript.current());
      ctx.setWriteKeys('application', sats, suite);
      hs.master = master;
      hs.clientApplicationSecret = cats;
      hs.serverApplicationSecret = sats;
      hs.exporterMasterSecret = ems;
      if (hs.earlyDataAccepted) return new ExpectEndOfEarlyData(hs);
      if (!clientAuth) return new ExpectClientFinished(hs);
      return new ExpectClientCertificate({
        hs,
        transcript: hs.transcript,
        context: EMPTY,
        schemes: clientAuth.schemes,
        certSchemes: clientAuth.certSchemes,
        next: (req) => {
          hs.peerCertificates = req.presented ?? [];
          hs.peerNotAfter = req.verified && chainValidity(req.verified).until;
          ctx.negotiated({ peerCertificates: hs.peerCertificates });
          return new ExpectClientFinished(hs);
        },
      });
    };
    // RFC 8446 §2.2: a PSK handshake does not authenticate with certificates.
    const certificate = hs.config.certificate;
    if (psk || scheme === undefined || !certificate) return finish();

    // RFC 8446 §4.4.2
    hs.transcript.add(
      ctx.send({
        msgType: HandshakeType.certificate,
        certificateRequestContext: EMPTY,
        // RFC 8446 §4.4.2.1: staple the OCSP response on the leaf when the client asked for one.
        certificateList: certificate.chain.map((der, i) => ({
          data: der,
          extensions:
            i === 0 && offer.statusRequest && hs.config.ocspResponse
              ? [
                  {
                    type: ExtensionType.status_request,
                    data: encodeCertificateStatus({ statusType: CertificateStatusType.ocsp, ocspResponse: hs.config.ocspResponse }),
                  },
                ]
              : [],
        })),
      }),
    );
    // RFC 8446 §4.4.3: the signature may come from an async signer (WebCrypto, KMS, HSM).
    const content = certificateVerifyContent('server', hs.transcript.current());
    return whenReady(certificate.key.signer(scheme).sign(content), (signature) => {
      hs.transcript.add(ctx.send({ msgType: HandshakeType.certificate_verify, algorithm: scheme, signature }));
      return finish();
    });
  }
}

/** RFC 8446 §4.5: 0-RTT data ends with EndOfEarlyData under the early key. */
export class ExpectEndOfEarlyData implements HandshakeState {
  readonly name = 'ExpectEndOfEarlyData';
  readonly expects = [HandshakeType.end_of_early_data];
  constructor(private readonly hs: ServerHandshake) {}

  handle(_msg: HandshakeMessage, raw: Uint8Array): Step {
    const hs = this.hs;
    hs.transcript.add(raw);
    const suite = hs.suite!;
    const chts = hs.clientHandshakeSecret!;
    hs.ctx.setReadKeys('handshake', chts, suite);
    return new ExpectClientFinished(hs);
  }
}

/** Server preference among what the client offers (`inCommon` is in our order). */
function chooseSuite(inCommon: CipherSuiteImpl[]): CipherSuiteImpl {
  const suite = inCommon[0];
  if (!suite) throw tlsError('handshake_failure', 'no cipher suite in common');
  return suite;
}

/** RFC 7301 §3.2: our preference among the client's; no overlap is no_application_protocol. */
function chooseAlpn(hs: ServerHandshake, offer: ClientOffer): Uint8Array | undefined {
  if (!offer.alpn || hs.config.alpn.length === 0) return undefined;
  const chosen = hs.config.alpn.find((p) => offer.alpn!.some((q) => bytesEqual(p, q)));
  if (!chosen) throw tlsError('no_application_protocol', 'no ALPN protocol in common');
  return chosen;
}

/**
 * RFC 8446 §4.1.2: after a HelloRetryRequest the client sends the same ClientHello except
 * key_share, cookie, early_data (removed), pre_shared_key and padding.
 */
function checkSecondClientHello(first: ClientHello, second: ClientHello): void {
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
    firstRest.some((e, i) => e.type !== secondRest[i]!.type || !bytesEqual(e.data, secondRest[i]!.data))
  ) {
    throw tlsError('illegal_parameter', 'second ClientHello changed an extension it may not change');
  }
  if (findExtension(second.extensions, ExtensionType.early_data)) throw tlsError('illegal_parameter', 'early_data after HelloRetryRequest');
}
