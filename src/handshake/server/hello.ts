// Server: ClientHello in, read and checked; then the choices (PSK, mode, suite, scheme, group)
// and a HelloRetryRequest or the server's flight. RFC 8446 §4.1.1, §4.1.2, §4.2.
// (The flight: flight.ts. HelloRetryRequest: hello-retry.ts. 0-RTT: early-data.ts.)

import { tlsError } from '../../errors.js';
import type { CipherSuiteImpl, HashAlgorithm, KeyExchangeGroup } from '../../crypto/provider.js';
import {
  ExtensionType,
  HandshakeType,
  ProtocolVersion,
  PskKeyExchangeMode,
  ServerNameType,
  CertificateStatusType,
  groupName,
} from '../../wire/codepoints.js';
import {
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
  decodeSupportedVersionsClient,
  findExtension,
} from '../../wire/extensions.js';
import type { ClientHello, Extension, KeyShareEntry } from '../../wire/types.js';
import { bytesEqual, fromUtf8, nameToString } from '../../util/bytes.js';
import { isIpLiteral } from '../../util/ip.js';
import { TypedState, whenReady, type Handlers, type Step } from '../state.js';
import type { HelloRetrySent, ServerBase } from './data.js';
import { decideEarlyData } from './early-data.js';
import { sendServerFlight } from './flight.js';
import { checkSecondClientHello, sendHelloRetryRequest } from './hello-retry.js';
import { selectPsk } from './psk.js';
import type { AcceptedPsk, ClientOffer, ResolvedServerConfig } from './types.js';

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
    postHandshakeAuth: ext(ExtensionType.post_handshake_auth) !== undefined,
  };
  // RFC 8446 §4.2.9: a PSK comes with psk_key_exchange_modes.
  if (offer.psks && !offer.pskModes) throw tlsError('missing_extension', 'pre_shared_key without psk_key_exchange_modes');
  // RFC 8446 §9.2: key_share and supported_groups come together.
  if (!offer.groups !== !offer.shares) throw tlsError('missing_extension', 'key_share and supported_groups must come together');
  // RFC 8446 §4.2.8: one share per group, each for a group in supported_groups.
  const seen = new Set<number>();
  // A Set: a legal ClientHello may offer ~13000 shares and ~32000 groups (no quadratic work).
  const groups = new Set(offer.groups ?? []);
  for (const s of offer.shares ?? []) {
    if (seen.has(s.group)) throw tlsError('illegal_parameter', `two key shares for ${groupName(s.group)}`);
    seen.add(s.group);
    if (!groups.has(s.group)) throw tlsError('illegal_parameter', `key share for ${groupName(s.group)}, not in supported_groups`);
  }
  return offer;
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

export class ExpectClientHello extends TypedState<typeof HandshakeType.client_hello> {
  readonly name: string;
  protected readonly handlers: Handlers<typeof HandshakeType.client_hello> = {
    [HandshakeType.client_hello]: (ch, raw) => this.clientHello(ch, raw),
  };
  constructor(
    private readonly hs: ServerBase,
    /** After our HelloRetryRequest: what ClientHello2 must match. */
    private readonly retry?: HelloRetrySent,
  ) {
    super();
    this.name = retry ? 'ExpectClientHelloAfterRetry' : 'ExpectClientHello';
  }

  /** The spine: read the offer, then choose PSK, key exchange mode, suite, scheme and group. */
  private clientHello(ch: ClientHello, raw: Uint8Array): Step {
    const { hs, retry } = this;
    if (retry) checkSecondClientHello(retry.clientHello1, ch);
    const offer = readClientHello(ch);
    if (!retry) hs.ctx.clientRandom = ch.random;
    const alpn = chooseAlpn(hs.config, offer);
    checkServerName(hs.config, offer);
    // RFC 8446 §4.2.11: a PSK we know, with a suite of its hash; then its key exchange mode.
    const inCommon = retry ? [retry.suite] : hs.config.cipherSuites.filter((s) => ch.cipherSuites.includes(s.id));
    // The client verifier re-checking a ticket's client chain may answer later.
    return whenReady(this.offeredPsk(offer, raw, inCommon), (selected) => this.choose(ch, raw, offer, alpn, inCommon, selected));
  }

  /** RFC 8446 §4.2.11: the PSK to go on with, if one was offered (binders over ClientHello1 or the HRR transcript). */
  private offeredPsk(offer: ClientOffer, raw: Uint8Array, inCommon: CipherSuiteImpl[]): AcceptedPsk | undefined | Promise<AcceptedPsk | undefined> {
    const { hs, retry } = this;
    if (!offer.psks) return undefined;
    const prefix = retry
      ? (h: HashAlgorithm, t: Uint8Array) => (h.name === retry.suite.hash.name ? hs.transcript.hashOfPrefix(t) : undefined)
      : (h: HashAlgorithm, t: Uint8Array) => h.digest(t);
    return selectPsk(hs, offer.psks, raw, inCommon, prefix);
  }

  /** The rest of the ClientHello, once the PSK (if any) is chosen. */
  private choose(
    ch: ClientHello,
    raw: Uint8Array,
    offer: ClientOffer,
    alpn: Uint8Array | undefined,
    inCommon: CipherSuiteImpl[],
    selected: AcceptedPsk | undefined,
  ): Step {
    const { hs, retry } = this;
    const { psk, dhe } = chooseKeyExchangeMode(hs.config, offer, selected);
    const suite = psk ? pskSuite(inCommon, psk) : (retry?.suite ?? chooseSuite(inCommon));
    const scheme = psk ? undefined : chooseSignatureScheme(hs.config, offer);
    let share: KeyShareEntry | undefined;
    let group: KeyExchangeGroup | undefined;
    if (dhe) {
      const found = chooseKeyShare(hs.config, offer, retry);
      if ('retryWith' in found) {
        const sent = sendHelloRetryRequest(hs, ch, raw, offer, suite, found.retryWith, found.needShare);
        return new ExpectClientHello(hs, sent);
      }
      ({ group, share } = found);
    }
    if (retry?.cookie && (!offer.cookie || !bytesEqual(offer.cookie, retry.cookie))) throw tlsError('illegal_parameter', 'cookie not echoed');

    if (!retry) hs.transcript.setHash(suite.hash);
    hs.transcript.add(raw);
    const accept = decideEarlyData(hs, offer.earlyData, psk, suite, alpn && nameToString(alpn), retry !== undefined);
    return whenReady(accept, (earlyDataAccepted) =>
      sendServerFlight(hs, { ch, offer, retry, suite, psk, group, clientShare: share, scheme, alpn, earlyDataAccepted }),
    );
  }
}

/** RFC 8446 §4.2.9: psk_dhe_ke when both sides allow it (and there can be a share), else psk_ke; no mode in common drops the PSK. */
function chooseKeyExchangeMode(
  config: ResolvedServerConfig,
  offer: ClientOffer,
  selected: AcceptedPsk | undefined,
): { psk: AcceptedPsk | undefined; dhe: boolean } {
  if (!offer.psks || !selected) return { psk: undefined, dhe: true };
  const modes = (offer.pskModes ?? []).filter((m) => config.pskModes.includes(m));
  if (modes.includes(PskKeyExchangeMode.psk_dhe_ke) && offer.shares) return { psk: selected, dhe: true };
  if (modes.includes(PskKeyExchangeMode.psk_ke)) return { psk: selected, dhe: false };
  return { psk: undefined, dhe: true };
}

/** RFC 8446 §4.2.11: the ticket's own suite if in common, else one of the PSK's hash. */
function pskSuite(inCommon: CipherSuiteImpl[], psk: AcceptedPsk): CipherSuiteImpl {
  const suite =
    inCommon.find((s) => s.id === psk.state?.cipherSuite && s.hash.name === psk.hash.name) ?? inCommon.find((s) => s.hash.name === psk.hash.name);
  // selectPsk only takes a PSK whose hash has a suite in common.
  if (!suite) throw tlsError('internal_error', 'no cipher suite for the selected PSK');
  return suite;
}

/** Server preference among what the client offers (`inCommon` is in our order). */
function chooseSuite(inCommon: CipherSuiteImpl[]): CipherSuiteImpl {
  const suite = inCommon[0];
  if (!suite) throw tlsError('handshake_failure', 'no cipher suite in common');
  return suite;
}

/** Certificate authentication needs signature_algorithms (RFC 8446 §4.2.3) and a scheme of our key in it. */
function chooseSignatureScheme(config: ResolvedServerConfig, offer: ClientOffer): number {
  if (!config.certificate) throw tlsError('handshake_failure', 'no PSK in common and no certificate to authenticate with');
  const offered = offer.schemes;
  if (!offered) throw tlsError('missing_extension', 'ClientHello without signature_algorithms');
  const scheme = config.certificate.key.schemes.find((s) => offered.includes(s));
  if (scheme === undefined) throw tlsError('handshake_failure', 'no signature scheme in common');
  return scheme;
}

/**
 * RFC 8446 §4.2.8: a share we can use, in our preference order; else a group to ask for with a
 * HelloRetryRequest (also when a cookie is required, §4.2.2); else handshake_failure. After a
 * HelloRetryRequest: exactly one share, for the group it named.
 */
function chooseKeyShare(
  config: ResolvedServerConfig,
  offer: ClientOffer,
  retry: HelloRetrySent | undefined,
): { group: KeyExchangeGroup; share: KeyShareEntry } | { retryWith: KeyExchangeGroup; needShare: boolean } {
  const { shares, groups } = offer;
  if (!shares || !groups) throw tlsError('missing_extension', 'ClientHello without key_share');
  if (retry) {
    const only = shares[0];
    if (shares.length !== 1 || !only || only.group !== retry.group.id) {
      throw tlsError('illegal_parameter', 'ClientHello after HelloRetryRequest must carry one share for the selected group');
    }
    return { group: retry.group, share: only };
  }
  let found: { group: KeyExchangeGroup; share: KeyShareEntry } | undefined;
  for (const g of config.groups) {
    const s = shares.find((e) => e.group === g.id);
    if (s) {
      found = { group: g, share: s };
      break;
    }
  }
  if (found && !config.requireCookie) return found;
  const wanted = found?.group ?? config.groups.find((g) => groups.includes(g.id));
  if (!wanted) throw tlsError('handshake_failure', 'no key exchange group in common');
  return { retryWith: wanted, needShare: !found };
}

/** RFC 6066 §3: a name the application does not serve is unrecognized_name. */
function checkServerName(config: ResolvedServerConfig, offer: ClientOffer): void {
  if (offer.serverName !== undefined && config.acceptServerName && !config.acceptServerName(offer.serverName)) {
    throw tlsError('unrecognized_name', `not serving ${offer.serverName}`);
  }
}

/** RFC 7301 §3.2: our preference among the client's; no overlap is no_application_protocol. */
function chooseAlpn(config: ResolvedServerConfig, offer: ClientOffer): Uint8Array | undefined {
  const offered = offer.alpn;
  if (!offered || config.alpn.length === 0) return undefined;
  const chosen = config.alpn.find((p) => offered.some((q) => bytesEqual(p, q)));
  if (!chosen) throw tlsError('no_application_protocol', 'no ALPN protocol in common');
  return chosen;
}
