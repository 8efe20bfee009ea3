// What the server handshake carries from state to state.

import type { CipherSuiteImpl, KeyExchangeGroup, SigningKey } from '../../crypto/provider.js';
import type { Transcript, MasterSecretStage } from '../../keyschedule/index.js';
import type { ClientHello } from '../../wire/types.js';
import type { HandshakeContext } from '../common.js';
import type { TrafficHooks } from '../traffic.js';
import type { AntiReplayStore, ExternalPsk, TicketIssuer } from '../../resumption/types.js';
import type { AcceptedPsk } from './psk.js';

/** ServerConfig with every default filled in. */
export interface ResolvedServerConfig {
  /** Undefined for a PSK-only server. */
  certificate: { chain: Uint8Array[]; key: SigningKey } | undefined;
  cipherSuites: CipherSuiteImpl[];
  groups: KeyExchangeGroup[];
  alpn: Uint8Array[];
  requireCookie: boolean;
  acceptServerName: ((name: string) => boolean) | undefined;
  recordSizeLimit: number | undefined;
  ticketCount: number;
  ticketLifetimeSeconds: number;
  ticketIssuer: TicketIssuer;
  pskModes: number[];
  externalPsks: ExternalPsk[];
  earlyData: { maxEarlyDataSize: number; antiReplay: AntiReplayStore; toleranceMs: number } | undefined;
}

export interface ServerHandshake {
  readonly ctx: HandshakeContext & TrafficHooks;
  readonly config: ResolvedServerConfig;
  readonly transcript: Transcript;
  /** Set after a HelloRetryRequest: what ClientHello2 must match (RFC 8446 §4.1.2). */
  helloRetry?: { clientHello1: ClientHello; suite: CipherSuiteImpl; group: KeyExchangeGroup; cookie?: Uint8Array };
  sentChangeCipherSpec: boolean;
  suite?: CipherSuiteImpl;
  clientHandshakeSecret?: Uint8Array;
  master?: MasterSecretStage;
  clientApplicationSecret?: Uint8Array;
  serverApplicationSecret?: Uint8Array;
  exporterMasterSecret?: Uint8Array;
  /** The PSK accepted for this handshake (RFC 8446 §4.2.11). */
  psk?: AcceptedPsk;
  /** 0-RTT data was accepted: read it under the early key until EndOfEarlyData. */
  earlyDataAccepted: boolean;
  /** For tickets: what this session negotiated. */
  alpn?: string;
  serverName?: string;
  peerCertificates?: Uint8Array[];
}
