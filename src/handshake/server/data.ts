// Server: what is known at each step of the handshake (one phase record per state), the
// ServerHello/HelloRetryRequest envelope and the compatibility change_cipher_spec. RFC 8446 §2,
// §4.1-§4.5, Appendix D.4.

import type { CipherSuiteImpl, KeyExchangeGroup } from '../../crypto/provider.js';
import type { HandshakeSecretStage, MasterSecretStage, Transcript } from '../../keyschedule/index.js';
import { ExtensionType, HandshakeType, ProtocolVersion } from '../../wire/codepoints.js';
import { encodeSupportedVersionsServer } from '../../wire/extensions.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../wire/messages.js';
import type { ClientHello, Extension, KeyShareEntry } from '../../wire/types.js';
import type { HandshakeContext } from '../common.js';
import type { TrafficHooks } from '../context.js';
import type { AcceptedPsk, ClientOffer, ResolvedServerConfig } from './types.js';

export type { ClientAuthPolicy, ResolvedServerConfig } from './types.js';

/** What lives through the whole handshake: the connection, the config, the transcript (what the connection hands `ExpectClientHello`). */
export interface ServerBase {
  readonly ctx: HandshakeContext & TrafficHooks;
  readonly config: ResolvedServerConfig;
  readonly transcript: Transcript;
}

/** A HelloRetryRequest went out: what ClientHello2 must match (RFC 8446 §4.1.2, §4.1.4). */
export interface HelloRetrySent {
  readonly clientHello1: ClientHello;
  readonly suite: CipherSuiteImpl;
  readonly group: KeyExchangeGroup;
  /** The cookie as it went on the wire (a research hook may have changed it). */
  readonly cookie: Uint8Array | undefined;
  readonly sentChangeCipherSpec: boolean;
}

/** The ClientHello read and everything chosen from it: the input of the server's flight. RFC 8446 §4.1.1. */
export interface ServerChoices {
  readonly ch: ClientHello;
  readonly offer: ClientOffer;
  readonly retry: HelloRetrySent | undefined;
  readonly suite: CipherSuiteImpl;
  readonly psk: AcceptedPsk | undefined;
  /** (EC)DHE group and the client's share for it; undefined with psk_ke (RFC 8446 §4.2.9). */
  readonly group: KeyExchangeGroup | undefined;
  readonly clientShare: KeyShareEntry | undefined;
  /** For certificate authentication; undefined with a PSK. */
  readonly scheme: number | undefined;
  readonly alpn: Uint8Array | undefined;
  readonly earlyDataAccepted: boolean;
}

/** For tickets and parameters: what this session negotiated and who the client is. RFC 8446 §4.6.1. */
export interface ServerSession {
  readonly suite: CipherSuiteImpl;
  /** The PSK accepted for this handshake (RFC 8446 §4.2.11). */
  readonly psk: AcceptedPsk | undefined;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  readonly peerCertificates: Uint8Array[];
  /** The verified client leaf's notAfter (ms since the epoch): no ticket outlives it (RFC 8446 §4.6.1). */
  readonly peerNotAfter: number | undefined;
}

/** ServerHello sent: handshake secrets and keys in place. RFC 8446 §4.1.3, §7.1. */
export interface AfterServerHello extends ServerBase, ServerSession {
  readonly handshakeSecrets: HandshakeSecretStage;
  readonly clientHandshakeSecret: Uint8Array;
  readonly serverHandshakeSecret: Uint8Array;
  /** 0-RTT data was accepted: read it under the early key until EndOfEarlyData. */
  readonly earlyDataAccepted: boolean;
  /** The client offered post_handshake_auth (RFC 8446 §4.2.6). */
  readonly postHandshakeAuth: boolean;
  readonly sentChangeCipherSpec: boolean;
}

/** Our Finished sent: the application secrets; waiting for the client's flight. RFC 8446 §4.4.4, §7.1. */
export interface AfterServerFinished extends Omit<AfterServerHello, 'handshakeSecrets' | 'serverHandshakeSecret'> {
  readonly master: MasterSecretStage;
  readonly clientApplicationSecret: Uint8Array;
  readonly serverApplicationSecret: Uint8Array;
  readonly exporterMasterSecret: Uint8Array;
}

/**
 * RFC 8446 §4.1.3, §4.1.4: a ServerHello, or a HelloRetryRequest (its fixed random): the legacy
 * fields, `extensions` then supported_versions. Added to the transcript; returned as sent.
 */
export function sendServerHelloMessage(hs: ServerBase, ch: ClientHello, suite: CipherSuiteImpl, extensions: Extension[], helloRetry: boolean): Uint8Array {
  const raw = hs.ctx.send({
    msgType: HandshakeType.server_hello,
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: helloRetry ? HELLO_RETRY_REQUEST_RANDOM : hs.ctx.random(32),
    legacySessionIdEcho: ch.legacySessionId,
    cipherSuite: suite.id,
    legacyCompressionMethod: 0,
    extensions: [...extensions, { type: ExtensionType.supported_versions, data: encodeSupportedVersionsServer(ProtocolVersion.TLSv1_3) }],
    isHelloRetryRequest: helloRetry,
  });
  hs.transcript.add(raw);
  return raw;
}

/**
 * RFC 8446 Appendix D.4: a compatibility-mode client (non-empty legacy_session_id) gets one dummy
 * change_cipher_spec, after our first message. Returns whether it has been sent now or before.
 */
export function sendCompatChangeCipherSpec(ctx: HandshakeContext, ch: ClientHello, sent: boolean): boolean {
  if (ch.legacySessionId.length === 0 || sent) return sent;
  ctx.sendChangeCipherSpec();
  return true;
}
