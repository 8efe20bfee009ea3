// What the client handshake carries from state to state.

import type { CipherSuiteImpl, KeyExchange, PublicKey } from '../../crypto/provider.js';
import type { HandshakeSecretStage, Transcript } from '../../keyschedule/index.js';
import type { ClientHello, Extension } from '../../wire/types.js';
import type { CertificateRequestInfo, OfferedPsk, ResolvedClientConfig } from './types.js';
import { tlsError } from '../../errors.js';
import type { HandshakeContext } from '../common.js';
import type { TrafficHooks } from '../traffic.js';

export type { ClientCertificate, ResolvedClientConfig } from './types.js';

export interface ClientHandshake {
  readonly ctx: HandshakeContext & TrafficHooks;
  readonly config: ResolvedClientConfig;
  readonly transcript: Transcript;
  /** The ClientHello as last sent (ClientHello2 after a HelloRetryRequest). */
  clientHello: ClientHello;
  /** Extension types we sent: anything else in a server message is unsolicited (RFC 8446 §4.2). */
  sentExtensions: Set<number>;
  keyShares: KeyExchange[];
  sentChangeCipherSpec: boolean;
  helloRetry?: { cipherSuite: number };
  suite?: CipherSuiteImpl;
  handshakeSecrets?: HandshakeSecretStage;
  clientHandshakeSecret?: Uint8Array;
  serverHandshakeSecret?: Uint8Array;
  /** Set by a CertificateRequest (RFC 8446 §4.3.2). */
  certificateRequest?: CertificateRequestInfo;
  serverPublicKey?: PublicKey;
  /** PSKs offered in the last ClientHello, in order. */
  offeredPsks: OfferedPsk[];
  /** The PSK the server selected (RFC 8446 §4.2.11). */
  chosenPsk?: OfferedPsk;
  /** 0-RTT: sent, then accepted or rejected by the server's EncryptedExtensions. */
  earlyData?: { state: 'sent' | 'accepted' | 'rejected' };
  /** Our writes are under the client handshake traffic key. */
  handshakeWriteKeys: boolean;
}

/** Extensions in a server message must be ones we sent (RFC 8446 §4.2): else unsupported_extension. */
export function checkSolicited(hs: ClientHandshake, exts: Extension[], where: string): void {
  for (const e of exts) {
    if (!hs.sentExtensions.has(e.type)) {
      throw tlsError('unsupported_extension', `unsolicited extension ${e.type} in ${where}`);
    }
  }
}

/** Our writes move to the client handshake traffic key (RFC 8446 §7.3). */
export function installHandshakeWriteKeys(hs: ClientHandshake): void {
  if (hs.handshakeWriteKeys) return;
  const suite = hs.suite!;
  const secret = hs.clientHandshakeSecret!;
  hs.ctx.setWriteKeys('handshake', secret, suite);
  hs.handshakeWriteKeys = true;
}

/** RFC 8446 Appendix D.4: in compatibility mode, one dummy change_cipher_spec (callers say when). */
export function sendCompatChangeCipherSpec(hs: ClientHandshake): void {
  if (!hs.config.middleboxCompat || hs.sentChangeCipherSpec) return;
  hs.ctx.sendChangeCipherSpec();
  hs.sentChangeCipherSpec = true;
}
