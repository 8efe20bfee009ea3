// What the server handshake carries from state to state.

import type { CipherSuiteImpl, KeyExchangeGroup } from '../../crypto/provider.js';
import type { Transcript, MasterSecretStage } from '../../keyschedule/index.js';
import type { ClientHello } from '../../wire/types.js';
import type { HandshakeContext } from '../common.js';
import type { TrafficHooks } from '../traffic.js';
import type { AcceptedPsk, ResolvedServerConfig } from './types.js';

export type { ClientAuthPolicy, ResolvedServerConfig } from './types.js';

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
  /** The verified client leaf's notAfter (ms since the epoch): no ticket outlives it (RFC 8446 §4.6.1). */
  peerNotAfter?: number;
  /** The client offered post_handshake_auth (RFC 8446 §4.2.6). */
  postHandshakeAuth: boolean;
  /** The transcript through the client's Finished, base of post-handshake requests. */
  postHandshakeBase?: Transcript;
}
